"""Pelvic tilts: rocks are counted; a bridge and a lifted head are flagged."""

from exercise_asserts import assert_counted_without_faults, assert_fault_found


def test_correct_pelvic_tilts_are_counted_and_raise_no_fault():
    assert_counted_without_faults("pelvic_tilts", 1001)


def test_hips_lifting_into_a_bridge_is_flagged():
    assert_fault_found("pelvic_tilts", "hips_grounded", 1000)


def test_head_lifting_during_pelvic_tilts_is_flagged():
    assert_fault_found("pelvic_tilts", "head_down", 1001)
