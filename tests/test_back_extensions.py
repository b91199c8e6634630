"""Back extensions: pushes up from the elbows are counted; hips lifting and short holds flagged; a craned
neck is a reminder."""

from exercise_asserts import assert_counted_without_faults, assert_fault_found, assert_reminded_not_judged

import exercise_rules.back_extensions as back_extensions


def test_correct_back_extensions_are_counted_and_raise_no_fault():
    assert_counted_without_faults("back_extensions", 1001)


def test_hips_lifting_in_back_extension_is_flagged():
    assert_fault_found("back_extensions", "hips_grounded", 1000)


def test_a_neck_bent_backwards_is_a_reminder_not_a_judgement():
    assert_reminded_not_judged("back_extensions", "neck_long", 1000)


def test_a_hold_shorter_than_five_seconds_is_flagged():
    assert_fault_found("back_extensions", "hold_too_short", 1001)


def test_back_extension_module_reads_like_the_sheet():
    assert "Ensure your hips are kept grounded." in back_extensions.__doc__
    assert back_extensions.TARGETS.hold_min_s == 5.0 and back_extensions.TARGETS.reps_max == 10
    names = {c.name for c in back_extensions.CHECKS}
    assert names == {"hips_grounded", "hold_too_short"}
    assert [r.name for r in back_extensions.EXERCISE.reminders] == ["neck_long"]
    for check in back_extensions.CHECKS:
        assert check.source in " ".join(back_extensions.__doc__.split())
