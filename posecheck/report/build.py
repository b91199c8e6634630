"""From a loaded session to the report's content: the JSON-ready dict and the pictures it refers to."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

import posecheck
from posecheck.events import Event, EventKind, Severity
from posecheck.landmarks import PoseFrame
from posecheck.pain import rise, rise_advice
from posecheck.report import compare, focus, images, plain, signals
from posecheck.report.sets import set_status
from posecheck.report.targets import Targets, targets_for, title
from posecheck.session import SESSION_FILE, ExerciseRecord, Session

REPORT_FORMAT = "posecheck-report"
REPORT_VERSION = 1
SNAPSHOT_SEARCH_MS = 1000  # look this far around a fault for a frame with a pose to show
PLOT_MAX_POINTS = 1500  # the JSON keeps the plotted signal, thinned to this many points

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.STOP: 2, None: 1}

SignalChoice = str | signals.Signal | Callable[[PoseFrame, str], float] | None


@dataclass
class Report:
    """`data` is the JSON content; `images` maps the ids it names to data URIs for the HTML."""

    data: dict[str, Any]
    images: dict[str, str] = field(default_factory=dict)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _seconds(ms: float) -> float:
    return round(ms / 1000.0, 2)


def build_report(
    session: Session,
    signal_choices: Mapping[str, SignalChoice] | None = None,
    history: compare.EarlierSessions | None = None,
) -> Report:
    """The report of `session`; `signal_choices` maps an exercise to the signal to plot for it; with a
    `history`, each exercise is compared with the previous session that did it."""
    report = Report(data={})
    ended_by = _ended_by(session)
    exercises = [
        _exercise(record, report, (signal_choices or {}).get(record.exercise), session.profile,
                  ended_by.get(record.index))
        for record in session.exercises
    ]
    report.data.update(
        {
            "format": REPORT_FORMAT,
            "version": REPORT_VERSION,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "posecheck_version": posecheck.__version__,
            "title": plain.title(exercises),
            "session": {
                "id": session.id,
                "folder": session.path.name,
                "name": session.name,
                "own_name": plain.own_name(session.name),
                "notes": session.notes,
                "started_at": _iso(session.started_at),
                "ended_at": _iso(session.ended_at),
                "duration_s": _duration(exercises),
                "wall_clock_s": _wall_clock(session),
                "complete": session.complete,
                "problems": session.problems
                + [f"{e['title']}: {p}" for e in exercises for p in e["problems"]],
                "has_pose": session.has_pose,
                "profile": session.profile,
            },
            "pain": _pain(session),
            "summary": [_summary_row(e) for e in exercises],
            "exercises": exercises,
            "focus": focus.things_to_focus_on(exercises, session.has_pose),
        }
    )
    key = session.id or f"path:{session.path.resolve()}"  # as `HistoryStore.add_report` keys it
    compare.add_comparisons(report.data, key, session.started_at, history)
    report.data["compare_image_id"] = None
    if exercises:
        report.images["compare"] = images.comparison_plot(_comparison_panels(exercises))
        report.data["compare_image_id"] = "compare"
    return report


def _comparison_panels(exercises: list[dict[str, Any]]) -> dict[str, list[images.Bars]]:
    """The bars of the comparison plot: reps, average hold and faults per rep, now and last time."""
    reps, holds, faults = [], [], []
    for e in exercises:
        before, first = e["compare"]["previous"] or {}, e["compare"]["first"]
        target, hold_target = e["reps"]["target"], e["holds"]["target_s"]
        reps.append(images.Bars(e["title"], e["reps"]["done"], before.get("reps_done"),
                                tuple(target) if target else None, first))
        holds.append(images.Bars(e["title"], e["holds"]["mean_s"], before.get("mean_hold_s"),
                                 tuple(hold_target) if hold_target else None, first))
        faults.append(images.Bars(e["title"], compare.faults_per_rep(e), before.get("faults_per_rep"), None, first))
    return {"reps": reps, "average hold (s)": holds, "faults per rep": faults}


def _ended_by(session: Session) -> dict[int, str]:
    """How each live set ended, by exercise index (session.json's "ended_by"; a video analysed has none)."""
    try:
        data = json.loads((session.path / SESSION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("exercises") if isinstance(data, dict) else None
    return {e["index"]: e["ended_by"] for e in entries or []
            if isinstance(e, dict) and isinstance(e.get("index"), int) and isinstance(e.get("ended_by"), str)}


def _pain(session: Session) -> dict[str, Any]:
    """The 0-10 ratings before and after (null: not rated), the change, and the advice a rise brings."""
    before, after = session.pain["before"], session.pain["after"]
    return {"before": before, "after": after, "change": rise(before, after), "advice": rise_advice(before, after)}


def _duration(exercises: list[dict[str, Any]]) -> float | None:
    """The time recorded across the exercises (the pauses between them are not exercise)."""
    seen = [e["duration_s"] for e in exercises if e["duration_s"] is not None]
    return round(sum(seen), 1) if seen else None


def _wall_clock(session: Session) -> float | None:
    if session.started_at and session.ended_at:
        return round((session.ended_at - session.started_at).total_seconds(), 1)
    return None


def _summary_row(exercise: dict[str, Any]) -> dict[str, Any]:
    return {
        "index": exercise["index"],
        "exercise": exercise["exercise"],
        "title": exercise["title"],
        "target": exercise["target_text"],
        "reps_done": exercise["reps"]["done"],
        "reps_status": exercise["reps"]["status"],
        "by_side": exercise["reps"]["by_side"],
        "mean_hold_s": exercise["holds"]["mean_s"],
        "faults": sum(f["count"] for f in exercise["faults"]),
        "in_view": exercise["in_view"],
        "complete": not exercise["problems"],
        "set_status": exercise["set"]["status"],
        "set_text": exercise["set"]["text"],
    }


def _t0(record: ExerciseRecord) -> int:
    stamps = [f.timestamp_ms for f in record.frames[:1]] + [e.timestamp_ms for e in record.events[:1]]
    return min(stamps) if stamps else 0


def _exercise(record: ExerciseRecord, report: Report, choice: SignalChoice, profile: dict,
              ended_by: str | None = None) -> dict[str, Any]:
    t0 = _t0(record)
    targets = targets_for(record.exercise, record.targets)
    events = sorted(record.events, key=lambda e: e.timestamp_ms)
    rows = _rep_rows(events, t0)
    faults = _faults(record, events, rows, t0, report)
    frames = record.frames
    with_pose = sum(f.has_pose for f in frames)
    # Recorded time, not wall-clock time: analysing a video file takes longer or shorter than the video.
    duration = _seconds(frames[-1].timestamp_ms - frames[0].timestamp_ms) if len(frames) > 1 else None
    result = {
        "index": record.index,
        "exercise": record.exercise,
        "title": title(record.exercise),
        "targets": targets.to_dict() if targets else None,
        "target_text": targets.describe() if targets else "no target known",
        "started_at": _iso(record.started_at),
        "duration_s": duration,
        "source": record.header.source if record.header else None,
        "video": record.files.get("video") if record.video_path else None,
        "frames": len(frames),
        "frames_with_pose": with_pose,
        "in_view": round(with_pose / len(frames), 3) if frames else None,
        "calibrated": any(e.kind == EventKind.CALIBRATED for e in events),
        "set_completed": any(e.kind == EventKind.SET_COMPLETED for e in events),
        "reps": (reps := _reps(rows, targets)),
        "set": set_status(reps, ended_by, bool(record.problems)),
        "holds": _holds(rows, targets),
        "rep_table": rows,
        "faults": faults,
        "notices": _notices(events),
        "signal": _signal(record, rows, events, t0, choice, report, profile),
        "problems": list(record.problems),
    }
    _say_plainly(result)
    return result


def _say_plainly(exercise: dict[str, Any]) -> None:
    """Add the patient's words to an exercise entry: each fault's label and sentence, the holds' verdict."""
    for row in exercise["rep_table"]:
        for fault in row["faults"]:
            fault["label"] = plain.phrase(exercise["exercise"], fault["check"]).label
    for fault in exercise["faults"]:
        fault["label"] = plain.phrase(exercise["exercise"], fault["check"]).label
        fault["plain"] = plain.fault_sentence(exercise, fault)
    exercise["holds"]["plain"] = plain.hold_sentence(exercise["exercise"], exercise["holds"])


def _rep_rows(events: list[Event], t0: int) -> list[dict[str, Any]]:
    """One row per rep, in order, with its faults; faults outside any rep get a row with rep None."""
    rows: dict[int | None, dict[str, Any]] = {}

    def row(rep: int | None) -> dict[str, Any]:
        if rep not in rows:
            rows[rep] = {"rep": rep, "side": None, "start_s": None, "end_s": None, "hold_s": None,
                         "breaths": None, "completed": False, "paced": False, "faults": []}
        return rows[rep]

    for event in events:
        t = _seconds(event.timestamp_ms - t0)
        if event.kind == EventKind.REP_STARTED and event.rep is not None:
            r = row(event.rep)
            r["start_s"] = t
            r["side"] = event.side or r["side"]
        elif event.kind == EventKind.REP_COMPLETED and event.rep is not None:
            r = row(event.rep)
            r.update(end_s=t, completed=True, side=event.side or r["side"], paced=bool(event.paced),
                     breaths=event.breaths)
            if event.hold_ms is not None:
                r["hold_s"] = _seconds(event.hold_ms)
        elif event.kind == EventKind.SIDE_READ_AGAIN and event.rep is not None:
            row(event.rep)["side"] = event.side
        elif event.kind == EventKind.FAULT:
            row(event.rep)["faults"].append(
                {"t_s": t, "check": event.check or "unnamed check", "severity": str(event.severity or "warning"),
                 "cue": event.cue, "detail": event.detail}
            )
    numbered = sorted((r for k, r in rows.items() if k is not None), key=lambda r: r["rep"])
    return numbered + ([rows[None]] if None in rows else [])


def _range_status(value: int, lo: float, hi: float) -> str:
    return "below" if value < lo else "above" if value > hi else "met"


def _reps(rows: list[dict[str, Any]], targets: Targets | None) -> dict[str, Any]:
    done = [r for r in rows if r["completed"]]
    by_side = dict(Counter(r["side"] for r in done if r["side"]))
    return {
        "done": len(done),
        "paced": sum(1 for r in done if r["paced"]),  # counted by the app's pace, not seen by the camera
        "started_not_finished": sum(1 for r in rows if r["rep"] is not None and not r["completed"]),
        "by_side": by_side,
        "target": list(targets.reps) if targets else None,
        "status": _range_status(len(done), *targets.reps) if targets else "unknown",
    }


def _holds(rows: list[dict[str, Any]], targets: Targets | None) -> dict[str, Any]:
    values = [r["hold_s"] for r in rows if r["completed"] and r["hold_s"] is not None]
    target_s = list(targets.hold_s) if targets and targets.hold_s else None
    return {
        "values_s": values,
        "mean_s": round(float(np.mean(values)), 1) if values else None,
        "min_s": min(values) if values else None,
        "max_s": max(values) if values else None,
        "target_s": target_s,
        "target_breaths": list(targets.hold_breaths) if targets and targets.hold_breaths else None,
        "short": sum(v < target_s[0] for v in values) if target_s else None,
    }


def _notices(events: list[Event]) -> dict[str, Any]:
    return {
        "cannot_see_you": sum(e.kind == EventKind.CANNOT_SEE_YOU for e in events),
        "not_in_start_position": sum(e.kind == EventKind.NOT_IN_START_POSITION for e in events),
        "waiting": sum(e.kind == EventKind.WAITING for e in events),
        # Why a set ended with no rep (the engine says it; the report must not be silent about it).
        "nothing_counted": next((e.detail for e in events if e.kind == EventKind.NOTHING_COUNTED), None),
        # Why the app paced reps the camera could not see (the first time it began to).
        "pacing": next((e.detail for e in events if e.kind == EventKind.PACING and e.cue), None),
        "abstained": dict(Counter(e.check or "unnamed check" for e in events if e.kind == EventKind.ABSTAINED)),
        # Points of form said at the start, not judged (posecheck.exercise.Reminder): the report says so.
        "reminders": list({e.check: {"check": e.check, "cue": e.cue, "why": e.detail}
                           for e in events if e.kind == EventKind.REMINDER}.values()),
    }


def _nearest_frame(frames: list[PoseFrame], timestamp_ms: int) -> int | None:
    """Index of the frame with a pose nearest `timestamp_ms` (within SNAPSHOT_SEARCH_MS), else None."""
    best: tuple[int, int] | None = None
    for index, frame in enumerate(frames):
        gap = abs(frame.timestamp_ms - timestamp_ms)
        if frame.has_pose and gap <= SNAPSHOT_SEARCH_MS and (best is None or gap < best[0]):
            best = (gap, index)
    return None if best is None else best[1]


# The engine's fault detail reads "14.20 deg, above the limit of 10"; until events carry the measured value
# as a number, the report reads it back from there (and ranks by the other keys when it cannot).
_DETAIL = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\b.*\blimit of (-?\d+(?:\.\d+)?)")


def _excess(detail: str | None) -> float:
    match = _DETAIL.match(detail or "")
    return abs(float(match[1]) - float(match[2])) if match else 0.0


def _value(event: Event) -> float | None:
    """A fault's reading, in its check's unit: the event's, else read back from its detail (older sessions)."""
    match = _DETAIL.match(event.detail or "")
    return event.value if event.value is not None else float(match[1]) if match else None


def _limit(event: Event) -> float | None:
    match = _DETAIL.match(event.detail or "")
    return event.limit if event.limit is not None else float(match[2]) if match else None


def _faults(
    record: ExerciseRecord, events: list[Event], rows: list[dict[str, Any]], t0: int, report: Report
) -> list[dict[str, Any]]:
    """One entry per kind of fault (check), most frequent first, each with its worst moment's snapshot."""
    faults_in_rep = Counter(e.rep for e in events if e.kind == EventKind.FAULT)
    by_check: dict[str, list[Event]] = {}
    for event in events:
        if event.kind == EventKind.FAULT:
            by_check.setdefault(event.check or "unnamed check", []).append(event)
    completed = sum(r["completed"] for r in rows) or None
    calibrated = next((e for e in events if e.kind == EventKind.CALIBRATED), None)
    start_index = _nearest_frame(record.frames, calibrated.timestamp_ms) if calibrated else None
    start = record.frames[start_index] if start_index is not None else None
    out = []
    for check, found in by_check.items():
        # Worst: the most severe; among equals, the furthest past its limit, then the one in the rep with
        # most faults at once, then the first.
        worst = max(found, key=lambda e: (_SEVERITY_RANK[e.severity], _excess(e.detail), faults_in_rep[e.rep],
                                          -e.timestamp_ms))
        cues = Counter(e.cue for e in found if e.cue)
        entry = {
            "check": check,
            "severity": str(max((e.severity for e in found), key=lambda s: _SEVERITY_RANK[s]) or "warning"),
            "cue": cues.most_common(1)[0][0] if cues else None,
            "count": len(found),
            "reps": sorted({e.rep for e in found if e.rep is not None}),
            "reps_completed": completed,
            "worst": {"t_s": _seconds(worst.timestamp_ms - t0), "rep": worst.rep, "side": worst.side,
                      "detail": worst.detail, "value": _value(worst), "limit": _limit(worst),
                      "unit": plain.unit_of(worst.detail), "frame_index": None, "snapshot": None,
                      "image_id": None},
            "details": [{"rep": e.rep, "detail": e.detail} for e in found if e.detail],
        }
        index = _nearest_frame(record.frames, worst.timestamp_ms)
        if index is not None:
            image_id = f"ex{record.index}-fault-{len(out) + 1}"
            report.images[image_id], source = images.snapshot(record.frames[index], index, record.video_path,
                                                              start)
            entry["worst"].update(frame_index=index, snapshot=source, image_id=image_id)
        out.append(entry)
    return sorted(out, key=lambda f: (-_SEVERITY_RANK.get(Severity(f["severity"]), 1), -f["count"]))


def _thin(values: np.ndarray, step: int) -> list[float | None]:
    return [None if not np.isfinite(v) else round(float(v), 3) for v in values[::step]]


def _signal(
    record: ExerciseRecord,
    rows: list[dict[str, Any]],
    events: list[Event],
    t0: int,
    choice: SignalChoice,
    report: Report,
    profile: dict,
) -> dict[str, Any]:
    frames = record.frames
    side = signals.near_side(frames)
    t_s = np.array([(f.timestamp_ms - t0) / 1000.0 for f in frames])
    replay = choice is None and len(frames) <= signals.REPLAY_MAX_FRAMES
    counted = signals.rules_series(record.exercise, frames, profile) if replay else None
    if counted is not None:
        values, label, unit = counted
        signal = signals.Signal("rules", f"{label}: the movement counted as reps", unit, lambda f, s: np.nan)
    else:
        signal = signals.resolve_signal(record.exercise, choice)
        values = signals.series(frames, signal, side)
    reps = [(r["start_s"] if r["start_s"] is not None else r["end_s"], r["end_s"], r["rep"], r["side"])
            for r in rows if r["rep"] is not None and (r["start_s"] is not None or r["end_s"] is not None)]
    fault_marks = [(_seconds(e.timestamp_ms - t0), e.check or "unnamed check")
                   for e in events if e.kind == EventKind.FAULT]
    result: dict[str, Any] = {
        "name": signal.name,
        "label": signal.label,
        "unit": signal.unit,
        "side": side,
        "rep_spans": [{"rep": rep, "side": s, "start_s": a, "end_s": b} for a, b, rep, s in reps],
        "fault_marks": [{"t_s": t, "check": c} for t, c in fault_marks],
        "image_id": None,
    }
    step = max(1, -(-len(frames) // PLOT_MAX_POINTS))
    result["t_s"] = [round(float(t), 3) for t in t_s[::step]]
    result["values"] = _thin(values, step)
    if np.isfinite(values).any():
        image_id = f"ex{record.index}-signal"
        # The picture in the patient's words: distances in cm, faults by their plain labels (the JSON keeps
        # the rules' units and check names).
        shown, unit = (values * plain.CM_PER_TORSO_LENGTH, "cm (about)") if signal.unit == plain.TORSO_LENGTHS \
            else (values, signal.unit)
        marks = [(t, plain.phrase(record.exercise, check).label) for t, check in fault_marks]
        report.images[image_id] = images.signal_plot(t_s, shown, f"{signal.label}, {side} side", unit, reps, marks)
        result["image_id"] = image_id
    return result
