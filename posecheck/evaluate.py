"""`posecheck evaluate DIR --json OUT`: run every labelled item in DIR and score reps and faults.

An item is a labels file (`*.labels.json`, see samples/kinematic/README.md) naming its source: a
landmark recording (`"kind": "recording"`) or a video (`"kind": "video"`, run through MediaPipe).
Rendered clips' labels (`samples/video/*.json`, format `posecheck-sample-video/1`) are read as video
items. Every item reports `detection_rate` (frames with a pose).

Scores are per rep: a labelled rep is matched to the detected rep that overlaps it most in time; a
fault is right when flagged on the matched rep for the same check. A rep's side (knee rolls) is scored
the same way, against the matched rep's (`sides_per_rep`): counts by side alone can be right with every
side wrong (two rolls each way read the other way round).
Abstentions are counted apart, never as a pass or a fault.

Labels may carry `factors` ({name: level}: how the person moved, e.g. the kinematic habit sets'
rhythm or tempo) and `transitions` (getting down onto the mat and up again, where no rep may start and
no fault may be flagged). The figures are also given per factor level, overall and per exercise; and
"silent" sets are counted: a set with reps that ends with no rep counted and nothing said about why.
Video items also say what the live set-up check would have advised about the picture before the set
(`setup_warned`): a weak condition the person was warned about first shows apart from a silent one.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import exercise_rules
from posecheck.errors import PosecheckError
from posecheck.events import Event, EventKind, rep_sides
from posecheck.landmarks import PoseFrame
from posecheck.progress import progress
from posecheck.recording import iter_recording

LABELS_SUFFIX = ".labels.json"


def _detected_reps(events: list[Event]) -> list[dict[str, Any]]:
    starts: dict[int, int] = {}
    reps = []
    for e in events:
        if e.kind is EventKind.REP_STARTED and e.rep is not None:
            starts[e.rep] = e.timestamp_ms
        elif e.kind is EventKind.REP_COMPLETED and e.rep is not None:
            reps.append({"n": e.rep, "start_ms": starts.get(e.rep, e.timestamp_ms), "end_ms": e.timestamp_ms,
                         "side": e.side, "hold_ms": e.hold_ms, "breaths": e.breaths,
                         "faults": set(), "abstained": set()})
    by_n = {r["n"]: r for r in reps}
    for n, side in rep_sides(events).items():
        if n in by_n:
            by_n[n]["side"] = side
    for e in events:
        if e.rep in by_n and e.check:
            if e.kind is EventKind.FAULT:
                by_n[e.rep]["faults"].add(e.check)
            elif e.kind is EventKind.ABSTAINED:
                by_n[e.rep]["abstained"].add(e.check)
    return reps


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> int:
    return min(a["end_ms"], b["end_ms"]) - max(a["start_ms"], b["start_ms"])


# Events that tell the person why nothing is being counted (a set with none of them and no rep is silent).
EXPLAINING = frozenset({"cannot_see_you", "not_in_start_position", "waiting", "nothing_counted"})


def _inside(t: int, intervals: list[dict[str, Any]]) -> bool:
    return any(iv["start_ms"] <= t <= iv["end_ms"] for iv in intervals)


def score_transitions(labels: dict[str, Any], events: list[Event]) -> dict[str, int] | None:
    """Reps started, reps counted (completed after starting there) and faults flagged while the person was
    getting down or up. A rep started there and dropped when the person left is no rep; the goal is 0 reps
    counted and 0 faults."""
    intervals = labels.get("transitions")
    if not intervals:
        return None
    counted = [d for d in _detected_reps(events) if _inside(d["start_ms"], intervals)]
    return {"intervals": len(intervals),
            "reps_started": sum(e.kind is EventKind.REP_STARTED and _inside(e.timestamp_ms, intervals) for e in events),
            "reps_counted": len(counted),
            "faults": sum(e.kind is EventKind.FAULT and _inside(e.timestamp_ms, intervals) for e in events)}


def score_item(labels: dict[str, Any], events: list[Event], checks: list[str]) -> dict[str, Any]:
    """Counts for one item: reps, and per check tp/fp/fn/abstained over matched reps."""
    truth = labels["reps"]
    found = _detected_reps(events)
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    free = list(found)
    for t in truth:
        best = max(free, key=lambda d: _overlap(t, d), default=None)
        if best is not None and _overlap(t, best) > 0:
            free.remove(best)
            pairs.append((t, best))
        else:
            pairs.append((t, None))
    pairs += [(None, d) for d in free]
    per_check = {c: {"tp": 0, "fp": 0, "fn": 0, "abstained": 0, "judged": 0} for c in checks}
    false_alarms = correct_reps = 0
    for t, d in pairs:
        want = set(t["faults"]) if t else set()
        got = d["faults"] if d else set()
        abstained = d["abstained"] if d else set()
        if t is not None and not want:
            correct_reps += 1
            false_alarms += len(got & set(checks))
        for c in checks:
            if c in abstained and c not in got:
                per_check[c]["abstained"] += 1
                continue
            per_check[c]["judged"] += 1
            if c in want and c in got:
                per_check[c]["tp"] += 1
            elif c in got:
                per_check[c]["fp"] += 1
            elif c in want:
                per_check[c]["fn"] += 1
    expected = labels["rep_count"]
    sides = {k: v for k, v in expected.items() if k != "total"}
    detected_sides: dict[str, int] = {}
    for d in found:
        if d["side"]:
            detected_sides[d["side"]] = detected_sides.get(d["side"], 0) + 1
    exact = len(found) == expected["total"] and all(detected_sides.get(k, 0) == v for k, v in sides.items())
    sided = [(t["side"], d["side"] if d else None) for t, d in pairs if t and t.get("side")]
    # Breaths in a hold (labels that know them: rendered deep abdominal holds): seen None is not seen.
    breaths = [(t["breaths"], d["breaths"] if d else None) for t, d in pairs if t and t.get("breaths") is not None]
    nothing = expected["total"] > 0 and not found
    return {
        "factors": dict(labels.get("factors") or {}), "transitions": score_transitions(labels, events),
        "no_rep_counted": nothing, "silent": nothing and not any(e.kind in EXPLAINING for e in events),
        "reps_expected": expected["total"], "reps_detected": len(found),
        "reps_by_side_expected": sides or None, "reps_by_side_detected": detected_sides or None,
        "rep_exact": exact, "rep_error": abs(len(found) - expected["total"]),
        "correct_reps": correct_reps, "false_alarms": false_alarms, "checks": per_check,
        **({"breaths": breaths} if breaths else {}),
        **({"sides_per_rep": {"reps": len(sided), "right": sum(a == b for a, b in sided),
                              "wrong": sum(b is not None and a != b for a, b in sided)}} if sided else {}),
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 4) if b else None


def _f1(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    p = _ratio(tp, tp + fp)
    r = _ratio(tp, tp + fn)
    f = round(2 * p * r / (p + r), 4) if p is not None and r is not None and p + r > 0 else (
        0.0 if (p == 0 or r == 0) else None)
    return {"fault_precision": p, "fault_recall": r, "fault_f1": f}


def aggregate(items: list[dict[str, Any]]) -> dict[str, Any]:
    """The metrics over a group of scored items."""
    if not items:
        return {}
    checks: dict[str, dict[str, int]] = {}
    for it in items:
        for c, k in it["checks"].items():
            acc = checks.setdefault(c, {"tp": 0, "fp": 0, "fn": 0, "abstained": 0, "judged": 0})
            for key in acc:
                acc[key] += k[key]
    tot = {key: sum(c[key] for c in checks.values()) for key in ("tp", "fp", "fn", "abstained", "judged")}
    correct = sum(it["correct_reps"] for it in items)
    out: dict[str, Any] = {
        "items": len(items),
        "rep_exact_rate": _ratio(sum(it["rep_exact"] for it in items), len(items)),
        "rep_mae": _ratio(sum(it["rep_error"] for it in items), len(items)),
        **_f1(tot["tp"], tot["fp"], tot["fn"]),
        "false_alarms_per_correct_rep": _ratio(sum(it["false_alarms"] for it in items), correct),
        "correct_reps": correct,
        "abstention_rate": _ratio(tot["abstained"], tot["abstained"] + tot["judged"]),
    }
    out["no_rep_counted_sets"] = sum(bool(it.get("no_rep_counted")) for it in items)
    out["silent_sets"] = sum(bool(it.get("silent")) for it in items)
    if any("setup_warned" in it for it in items):
        out["setup_warned_sets"] = sum(bool(it.get("setup_warned")) for it in items)
    paceable = [it for it in items if "pacing_live" in it]
    if paceable:
        out["pacing_live_sets"] = sum(it["pacing_live"] for it in paceable)
        out["paced_live_reps"] = sum(it["paced_live"] for it in paceable)
    moved = [it["transitions"] for it in items if it.get("transitions")]
    if moved:
        out["transitions"] = {"sets": len(moved), "reps_started": sum(m["reps_started"] for m in moved),
                              "reps_counted": sum(m.get("reps_counted", 0) for m in moved),
                              "faults": sum(m["faults"] for m in moved)}
    holds = [pair for it in items for pair in it.get("breaths", [])]
    if holds:
        seen = [(t, s) for t, s in holds if s is not None]
        out["breaths"] = {"holds": len(holds), "seen": len(seen), "exact": sum(t == s for t, s in seen),
                          "within_one": sum(abs(t - s) <= 1 for t, s in seen),
                          "mean_abs_error": _ratio(sum(abs(t - s) for t, s in seen), len(seen))}
    sided = [it["sides_per_rep"] for it in items if it.get("sides_per_rep")]
    if sided:
        # Per labelled rep with a side: read to that side, to the other, or not counted (no rep, or no side).
        out["sides_per_rep"] = {k: sum(s[k] for s in sided) for k in ("reps", "right", "wrong")}
        out["sides_per_rep"]["sets_all_right"] = sum(s["right"] == s["reps"] for s in sided)
        out["sides_per_rep"]["sets"] = len(sided)
    with_detection = [it for it in items if it.get("detection_rate") is not None]
    if with_detection:
        out["detection_rate"] = _ratio(sum(it["detection_rate"] for it in with_detection), len(with_detection))
    reminded: dict[str, int] = {}
    for it in items:
        for name, n in it.get("reminded", {}).items():
            reminded[name] = reminded.get(name, 0) + n
    if reminded:
        out["reminders"] = reminded  # labelled faulty reps of checks that are reminders (not judged)
    out["per_check"] = {
        c: {**_f1(k["tp"], k["fp"], k["fn"]), "tp": k["tp"], "fp": k["fp"], "fn": k["fn"],
            "abstention_rate": _ratio(k["abstained"], k["abstained"] + k["judged"])}
        for c, k in sorted(checks.items())
    }
    return out


RENDERED_VIDEO_FORMAT = "posecheck-sample-video/1"  # tools/render's clips (samples/video/README.md)


def from_rendered_video(data: dict[str, Any]) -> dict[str, Any]:
    """A rendered clip's labels (samples/video) in this module's labels format."""
    reps = [{"n": r["index"], "start_ms": r["start_ms"], "end_ms": r["end_ms"],
             "hold_ms": round(1000 * r.get("hold_s", 0.0)), "faults": list(r.get("faults", [])),
             **({"side": r["side"]} if r.get("side") else {}),
             **({"breaths": r["breaths"]} if r.get("breaths") is not None else {})} for r in data["reps"]]
    count: dict[str, int] = {"total": len(reps)}
    for r in reps:
        if "side" in r:
            count[r["side"]] = count.get(r["side"], 0) + 1
    return {"kind": "video", "source": data["video"], "exercise": data["exercise"], "profile": {},
            "set_kind": data.get("variant"), "split": "rendered", "rep_count": count, "reps": reps,
            "facing": data.get("facing"), "near_side": data.get("near_side"), "factors": data.get("factors") or {}}


def _labelled_paths(folder: Path) -> list[Path]:
    paths = set(folder.rglob(f"*{LABELS_SUFFIX}"))
    for path in folder.rglob("*.json"):
        if path in paths or path.name.endswith(LABELS_SUFFIX):
            continue
        try:
            with open(path, encoding="utf-8") as file:
                head = file.read(200)
        except OSError:
            continue
        if RENDERED_VIDEO_FORMAT in head:
            paths.add(path)
    return sorted(paths)


def evaluate_item(labels_path: Path) -> dict[str, Any]:
    try:
        labels = json.loads(labels_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PosecheckError(f"{labels_path}: not a readable labels file ({error})") from error
    if not isinstance(labels, dict):
        raise PosecheckError(f"{labels_path}: not a labels file (a JSON object is expected)")
    try:
        if labels.get("format") == RENDERED_VIDEO_FORMAT:
            labels = from_rendered_video(labels)
        source = labels_path.parent / labels["source"]
        exercise_rules.get(str(labels["exercise"]))  # an unknown exercise is said before any work
    except (KeyError, TypeError) as error:
        raise PosecheckError(f"{labels_path}: the labels lack {error} (see samples/kinematic/README.md)") from error
    kind = labels.get("kind", "recording")
    if kind == "recording":
        _, frames = iter_recording(source)
        return {"path": str(source), "kind": kind, **score_labelled(labels, frames)}
    if kind != "video":
        raise PosecheckError(f"{labels_path}: unknown item kind {kind!r} (recording or video)")
    from posecheck.pipeline import poses  # MediaPipe is loaded only when a video needs it

    _, stream = poses(str(source), show_progress=False, exercise=str(labels["exercise"]))
    frames = list(stream)
    lead_in_ms = min([SETUP_LEAD_IN_MS, *(r["start_ms"] for r in labels["reps"])])
    return {"path": str(source), "kind": kind, **score_labelled(labels, frames),
            **setup_advice(source, frames, lead_in_ms)}


SETUP_LEAD_IN_MS = 4000  # the set-up check's part of a clip: before its first rep, at most this long
SETUP_WARNED_SHARE = 0.5  # advice on at least this share of those frames: the person would have been told


def setup_advice(video: Path, frames: list[PoseFrame], until_ms: float) -> dict[str, Any]:
    """What the live set-up check would have said about the picture before the set (the start position
    left out: a fault clip may begin with it): its most frequent advice over the frames before
    `until_ms`, and whether it held on SETUP_WARNED_SHARE of them (`setup_warned`)."""
    import cv2

    from posecheck.live.setup_check import assess

    said: dict[str, int] = {}
    seen = 0
    capture = cv2.VideoCapture(str(video))
    try:
        for frame in frames:
            ok, image = capture.read()
            if not ok or frame.timestamp_ms >= until_ms:
                break
            seen += 1
            advice = assess(image, frame, 1)
            if advice is not None:
                said[advice.check] = said.get(advice.check, 0) + 1
    finally:
        capture.release()
    kind = max(said, key=lambda k: said[k], default=None)
    share = said[kind] / seen if kind is not None and seen else 0.0
    return {"setup_advice": kind, "setup_advice_share": round(share, 3),
            "setup_warned": kind is not None and share >= SETUP_WARNED_SHARE}


def score_labelled(labels: dict[str, Any], frames: Iterable[PoseFrame]) -> dict[str, Any]:
    """Run the labels' exercise over the frames and score the events against the labels."""
    exercise = labels["exercise"]
    module = exercise_rules.get(exercise)
    profile = labels.get("profile") or {}
    run = module.run(**profile)
    frames = list(frames)
    events = [e for frame in frames for e in run.update(frame)] + run.finish()
    item = {"exercise": exercise, "split": labels.get("split"), "set_kind": labels.get("set_kind"),
            "detection_rate": _ratio(sum(f.has_pose for f in frames), len(frames)),
            **score_item(labels, events, [c.name for c in run.checks])}
    # Reminders are said, not judged: their labelled faults are left out of the scores, and counted here.
    item["reminded"] = {r.name: sum(r.name in rep["faults"] for rep in labels["reps"])
                        for r in module.EXERCISE.reminders}
    if module.EXERCISE.paced is not None:
        # The figures are what the camera saw; live, the app would have paced a set it saw nothing of.
        live = module.run(live=True, **profile)
        live_events = [e for frame in frames for e in live.update(frame)] + live.finish()
        item["paced_live"] = sum(bool(e.paced) for e in live_events if e.kind is EventKind.REP_COMPLETED)
        item["pacing_live"] = any(e.kind is EventKind.PACING for e in live_events)
    return item


def evaluate_dir(folder: Path, jobs: int = 1) -> dict[str, Any]:
    """Every labelled item in `folder` scored, `jobs` at a time (each in its own process)."""
    paths = _labelled_paths(folder)
    if not paths:
        raise PosecheckError(f"no labelled items (*{LABELS_SUFFIX} or rendered-clip labels) in {folder}")
    label = f"evaluate {folder.name}"
    if jobs <= 1:
        return figures([evaluate_item(p) for p in progress(paths, len(paths), label, unit="item")])
    # spawn: a forked MediaPipe graph is not safe; each worker loads its own model.
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:  # on an error, leaving it terminates them
        items = list(progress(pool.imap(evaluate_item, paths), len(paths), label, unit="item"))
        pool.close()  # workers that end on their own release their locks (terminated ones leak a semaphore)
        pool.join()
    return figures(items)


def by_factor(items: list[dict[str, Any]]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Items grouped by each factor's level: {name: {level: items}} (items without the factor left out)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for it in items:
        for name, level in (it.get("factors") or {}).items():
            out.setdefault(name, {}).setdefault(str(level), []).append(it)
    return {name: dict(sorted(levels.items())) for name, levels in sorted(out.items())}


FACTOR_FIGURES = ("items", "rep_exact_rate", "fault_f1", "false_alarms_per_correct_rep", "correct_reps",
                  "no_rep_counted_sets", "silent_sets", "setup_warned_sets")


def figures(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Scored items with their figures overall, per exercise and per factor level (overall, and per
    exercise in brief)."""
    by_ex: dict[str, list[dict[str, Any]]] = {}
    for it in items:
        by_ex.setdefault(it["exercise"], []).append(it)
    factors = {name: {level: aggregate(group) for level, group in levels.items()}
               for name, levels in by_factor(items).items()}
    exercise_factors = {
        ex: {name: {level: {k: v for k, v in aggregate(group).items() if k in FACTOR_FIGURES}
                    for level, group in levels.items()}
             for name, levels in by_factor(group_items).items()}
        for ex, group_items in sorted(by_ex.items())}
    return {"overall": aggregate(items), "exercises": {k: aggregate(v) for k, v in sorted(by_ex.items())},
            "factors": factors, "exercise_factors": {k: v for k, v in exercise_factors.items() if v},
            "items": items}


def _fmt(v: Any) -> str:
    return "-" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)


def print_table(report: dict[str, Any]) -> None:
    keys = ("items", "rep_exact_rate", "rep_mae", "fault_precision", "fault_recall", "fault_f1",
            "false_alarms_per_correct_rep", "abstention_rate")
    print(f"{'':18}" + "".join(f"{k[:14]:>15}" for k in keys))
    for name, m in [*report["exercises"].items(), ("overall", report["overall"])]:
        print(f"{name:18}" + "".join(f"{_fmt(m.get(k)):>15}" for k in keys))
    for name, m in report["exercises"].items():
        for check, c in m["per_check"].items():
            print(f"  {name}.{check}: P {_fmt(c['fault_precision'])} R {_fmt(c['fault_recall'])} "
                  f"F1 {_fmt(c['fault_f1'])} (tp {c['tp']} fp {c['fp']} fn {c['fn']}, "
                  f"abstained {_fmt(c['abstention_rate'])})")
        for check, n in m.get("reminders", {}).items():
            print(f"  {name}.{check}: a reminder, said and not judged ({n} labelled faulty reps not scored)")
    if report.get("factors"):
        print_factors(report)
    overall = report["overall"]
    moved = overall.get("transitions")
    if moved:
        print(f"getting down/up: {moved['sets']} sets, reps started inside {moved['reps_started']} "
              f"(counted {moved.get('reps_counted', 0)}), faults inside {moved['faults']}")
    if "setup_warned_sets" in overall:
        warned = [it for it in report["items"] if it.get("setup_warned")]
        print(f"set-up check would have warned before {len(warned)} of {overall['items']} sets"
              + "".join(f"; {Path(it['path']).name}: {it['setup_advice']}" for it in warned))
    print(f"sets with no rep counted: {overall.get('no_rep_counted_sets', 0)}, "
          f"silent (nothing said why): {overall.get('silent_sets', 0)}")
    for name, m in report["exercises"].items():
        if "breaths" in m:
            b = m["breaths"]
            print(f"{name}, breaths per hold: {b['holds']} holds, seen in {b['seen']}, exact {b['exact']}, "
                  f"within one {b['within_one']}, mean error {_fmt(b['mean_abs_error'])}")
        if "sides_per_rep" in m:
            s = m["sides_per_rep"]
            print(f"{name}, sides per rep: {s['right']} of {s['reps']} reps read to their side, {s['wrong']} to the "
                  f"other, {s['reps'] - s['right'] - s['wrong']} not counted; every rep's side right in "
                  f"{s['sets_all_right']} of {s['sets']} sets")
        if "pacing_live_sets" in m:
            print(f"{name}, live: the app would have paced {m['pacing_live_sets']} of {m['items']} sets "
                  f"({m['paced_live_reps']} paced reps)")


def print_factors(report: dict[str, Any]) -> None:
    """Per factor level: sets, rep exact, fault F1, false alarms per correct rep; then rep exact per exercise."""
    exercises = list(report["exercises"])
    short = [e.split("_")[0][:7] for e in exercises]
    print(f"\n{'factor':16}{'level':13}{'sets':>5}{'exact':>7}{'F1':>7}{'FA/rep':>8}{'warned':>7}  |  rep exact: "
          + " ".join(f"{s:>7}" for s in short))
    for name, levels in report["factors"].items():
        for level, m in levels.items():
            per_ex = [report.get("exercise_factors", {}).get(e, {}).get(name, {}).get(level, {}) for e in exercises]
            cells = " ".join(f"{_fmt(x.get('rep_exact_rate')) + ('/' + str(x['items']) if x else ''):>7}"
                             for x in per_ex)
            print(f"{name[:15]:16}{level[:12]:13}{m['items']:>5}{_fmt(m['rep_exact_rate']):>7}"
                  f"{_fmt(m['fault_f1']):>7}{_fmt(m['false_alarms_per_correct_rep']):>8}"
                  f"{_fmt(m.get('setup_warned_sets')):>7}  |  {cells}")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("evaluate", help="score the exercise rules on labelled recordings",
                              description=__doc__.splitlines()[0])
    p.add_argument("folder", type=Path, metavar="DIR", help="folder with *.labels.json items")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the full report here")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="items scored at once (one process each)")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        raise PosecheckError(f"{args.folder} is not a folder")
    report = evaluate_dir(args.folder, max(1, args.jobs))
    print_table(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0
