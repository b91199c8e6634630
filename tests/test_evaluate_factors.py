"""`posecheck evaluate` per factor level, inside getting down and up, and on silent sets: a tiny
hand-made example whose expected figures follow from its construction."""

from __future__ import annotations

from posecheck.evaluate import figures, score_item
from posecheck.events import Event, EventKind

CHECKS = ["hips_grounded", "head_down"]
EX = "pelvic_tilts"


def _labels(reps: list[tuple[int, int, list[str]]], factors: dict[str, str], transitions=None) -> dict:
    return {"exercise": EX, "rep_count": {"total": len(reps)}, "factors": factors,
            "reps": [{"n": i + 1, "start_ms": a, "end_ms": b, "hold_ms": 0, "faults": f}
                     for i, (a, b, f) in enumerate(reps)],
            **({"transitions": transitions} if transitions else {})}


def _rep(n: int, start: int, end: int, faults: tuple[str, ...] = (), fault_at: int | None = None) -> list[Event]:
    out = [Event(EventKind.REP_STARTED, start, EX, rep=n), Event(EventKind.REP_COMPLETED, end, EX, rep=n)]
    out += [Event(EventKind.FAULT, fault_at if fault_at is not None else end, EX, rep=n, check=c) for c in faults]
    return out


def _item(labels: dict, events: list[Event]) -> dict:
    return {"exercise": EX, **score_item(labels, events, CHECKS)}


TRANSITIONS = [{"kind": "get_down", "start_ms": 0, "end_ms": 5000},
               {"kind": "get_up", "start_ms": 30000, "end_ms": 36000}]


def test_reps_started_and_faults_flagged_while_getting_down_or_up_are_counted():
    labels = _labels([(6000, 10000, []), (12000, 16000, ["hips_grounded"])], {"get_in_out": "yes"}, TRANSITIONS)
    events = (_rep(1, 4000, 10000)  # started while still getting down
              + _rep(2, 12000, 16000, ("hips_grounded",))
              + _rep(3, 31000, 33000, ("head_down",))  # a rep and a fault while getting up
              + [Event(EventKind.REP_STARTED, 34000, EX, rep=4)])  # started, then dropped as they left
    item = _item(labels, events)
    assert item["transitions"] == {"intervals": 2, "reps_started": 3, "reps_counted": 2, "faults": 1}
    assert item["factors"] == {"get_in_out": "yes"}
    report = figures([item, _item(_labels([(1000, 2000, [])], {"get_in_out": "no"}), _rep(1, 1000, 2000))])
    assert report["overall"]["transitions"] == {"sets": 1, "reps_started": 3, "reps_counted": 2, "faults": 1}
    assert report["factors"]["get_in_out"]["yes"]["transitions"]["reps_counted"] == 2
    assert "transitions" not in report["factors"]["get_in_out"]["no"]


def test_figures_are_grouped_by_each_factor_level():
    two_reps = [(1000, 3000, []), (4000, 6000, ["head_down"])]
    continuous_exact = _item(_labels(two_reps, {"rhythm": "continuous", "tempo": "fast"}),
                             _rep(1, 1000, 3000) + _rep(2, 4000, 6000, ("head_down",)))
    continuous_short = _item(_labels(two_reps, {"rhythm": "continuous", "tempo": "slow"}),
                             _rep(1, 1000, 6000, ("hips_grounded",)))  # one rep seen, a false alarm on it
    paused = _item(_labels(two_reps, {"rhythm": "paused", "tempo": "fast"}),
                   _rep(1, 1000, 3000) + _rep(2, 4000, 6000))  # counted, the fault missed
    plain = {"exercise": EX, **score_item(_labels(two_reps, {}) | {"factors": None}, [], CHECKS)}
    report = figures([continuous_exact, continuous_short, paused, plain])
    rhythm = report["factors"]["rhythm"]
    assert set(rhythm) == {"continuous", "paused"} and set(report["factors"]) == {"rhythm", "tempo"}
    assert rhythm["continuous"]["items"] == 2 and rhythm["paused"]["items"] == 1
    assert rhythm["continuous"]["rep_exact_rate"] == 0.5 and rhythm["paused"]["rep_exact_rate"] == 1.0
    # continuous: head_down found once, missed once (the short set's rep 2 unmatched); one false alarm on
    # the two correct reps. paused: head_down missed.
    assert rhythm["continuous"]["fault_precision"] == 0.5 and rhythm["continuous"]["fault_recall"] == 0.5
    assert rhythm["continuous"]["false_alarms_per_correct_rep"] == 0.5
    assert rhythm["paused"]["fault_recall"] == 0.0 and rhythm["paused"]["false_alarms_per_correct_rep"] == 0.0
    assert report["factors"]["tempo"]["fast"]["items"] == 2 and report["factors"]["tempo"]["slow"]["items"] == 1
    assert report["exercise_factors"][EX]["rhythm"]["paused"]["items"] == 1
    assert report["overall"]["items"] == 4


def test_a_set_with_no_rep_counted_and_nothing_said_is_silent():
    reps = [(1000, 3000, [])]
    silent = _item(_labels(reps, {"rests": "brief"}), [])
    explained = _item(_labels(reps, {"rests": "brief"}), [Event(EventKind.CANNOT_SEE_YOU, 500, EX)])
    counted = _item(_labels(reps, {"rests": "long"}), _rep(1, 1000, 3000))
    assert silent["silent"] and silent["no_rep_counted"]
    assert explained["no_rep_counted"] and not explained["silent"]
    assert not counted["no_rep_counted"] and not counted["silent"]
    report = figures([silent, explained, counted])
    assert report["overall"]["no_rep_counted_sets"] == 2 and report["overall"]["silent_sets"] == 1
    assert report["factors"]["rests"]["brief"]["silent_sets"] == 1
    assert report["factors"]["rests"]["long"]["silent_sets"] == 0


def test_breaths_per_hold_are_scored_where_the_labels_know_them():
    labels = {"exercise": "deep_abdominal", "rep_count": {"total": 3},
              "reps": [{"n": i + 1, "start_ms": a, "end_ms": b, "hold_ms": b - a, "faults": [], "breaths": n}
                       for i, (a, b, n) in enumerate([(0, 24000, 6), (30000, 54000, 6), (60000, 84000, 5)])]}
    events = []
    for n, (a, b, seen) in enumerate([(0, 24000, 6), (30000, 54000, 4), (60000, 84000, None)], start=1):
        events += [Event(EventKind.REP_STARTED, a, "deep_abdominal", rep=n),
                   Event(EventKind.REP_COMPLETED, b, "deep_abdominal", rep=n, breaths=seen)]
    item = {"exercise": "deep_abdominal", **score_item(labels, events, [])}
    assert item["breaths"] == [(6, 6), (6, 4), (5, None)]
    assert figures([item])["overall"]["breaths"] == {"holds": 3, "seen": 2, "exact": 1, "within_one": 1,
                                                     "mean_abs_error": 1.0}
    plain = {"exercise": EX, **score_item(_labels([(1000, 2000, [])], {}), _rep(1, 1000, 2000), CHECKS)}
    assert "breaths" not in plain and "breaths" not in figures([plain])["overall"]
