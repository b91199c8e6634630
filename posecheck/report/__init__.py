"""The form-feedback report of a session: one self-contained HTML page and a JSON file with its content.

    from posecheck.report import make_report
    files = make_report("sessions/2026-11-25")       # writes report.html and report.json, adds to history

JSON schema (``report.json``; format ``"posecheck-report"``, version 1; times in seconds from the start
of each exercise's recording unless named ``*_at``, which are ISO times)::

    format, version, generated_at, posecheck_version
    title:     what was done, in words: the exercises with a rep ("Heels stretch and knee rolls")
    session:   id, folder, name, own_name (the name when someone gave it, not posecheck's list of exercises,
               or null), notes, started_at, ended_at, duration_s (recorded exercise time),
               wall_clock_s (started_at to ended_at), complete (bool),
               problems [str], has_pose (bool), profile {}
    pain:      {before, after (0-10, null when not rated), change (after - before, or null),
                advice (str when the pain went up by 2 or more, else null)}
    pain_previous: {started_at, before, after} (the latest earlier session with a rating, or null)
    pain_compare:  str, or null (this session's pain has no rating, or no history was looked in)
    compared_with_history (bool: a history was looked in for earlier sessions)
    compare_image_id (this session against the previous one per exercise, or null)
    summary:   [{index, exercise, title, target, reps_done, reps_status ("met"|"below"|"above"|"unknown"),
                 by_side {side: n}, mean_hold_s, faults, in_view (share of frames with a pose),
                 complete (false: the exercise was cut short or a file is damaged),
                 set_status ("done"|"empty"|"stopped"), set_text (str, or null)}]
    exercises: [{index, exercise, title, targets {reps [lo, hi], alternating_sides, hold_s, hold_breaths},
                 target_text, started_at, duration_s, source, video, frames, frames_with_pose, in_view,
                 calibrated, set_completed,
                 reps {done, started_not_finished, by_side, target, status},
                 set {status ("done"; "empty": no rep; "stopped": ended short of the target or for pain),
                      ended_by (the live trainer's word, or null), text (str, or null)},
                 compare {previous {started_at, folder, reps_done, target, target_text, mean_hold_s,
                                    faults_per_rep, set_status} (the latest earlier session with a rep of it,
                          or null), first (bool: a history was looked in and held none), lines [str]},
                 holds {values_s [], mean_s, min_s, max_s, target_s, target_breaths, short,
                        plain (the holds against the target in words, or null)},
                 rep_table [{rep (null: faults between reps), side, start_s, end_s, hold_s, breaths (seen), completed,
                             faults [{t_s, check, severity, cue, detail, label (plain words)}]}],
                 faults [{check, label, plain (a sentence with its reps, distances in cm), severity, cue,
                          count, reps [], reps_completed, details [{rep, detail}] (every time it was flagged),
                          worst {t_s, rep, side, detail, value, limit, unit (the check's), frame_index,
                                 snapshot ("video"|"drawing"|null), image_id}}],
                 notices {cannot_see_you, not_in_start_position, waiting, nothing_counted (why, or null),
                          abstained {check: n}, reminders [{check, cue, why}] (said, not judged)},
                 signal {name, label, unit, side, t_s [], values [] (null where unseen), rep_spans
                         [{rep, side, start_s, end_s}], fault_marks [{t_s, check}], image_id},
                 problems [str]}]
    focus:     [{text, why}]  (two or three things to focus on next time)

The pictures (snapshots and plots) are only in the HTML; ``image_id`` names them there, and the JSON keeps
the data they were drawn from. A version bump means a field changed meaning or was removed.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from posecheck.errors import PosecheckError
from posecheck.report.build import REPORT_FORMAT, REPORT_VERSION, Report, build_report
from posecheck.report.html import render_html
from posecheck.session import load_session

__all__ = ["REPORT_FORMAT", "REPORT_VERSION", "Report", "ReportFiles", "build_report", "make_report",
           "render_html", "write_report"]


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    json: Path
    report: Report


def _write_atomically(path: Path, text: str) -> None:
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}-",
                                         delete=False) as tmp:
            tmp.write(text)
        os.replace(tmp.name, path)
    except OSError as error:
        raise PosecheckError(f"cannot write the report {path}: {error.strerror}") from error


def write_report(report: Report, out_dir: str | Path, stem: str = "report") -> ReportFiles:
    """Write `<stem>.html` and `<stem>.json` into `out_dir`."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PosecheckError(f"cannot create the report folder {out}: {error.strerror}") from error
    html, data = out / f"{stem}.html", out / f"{stem}.json"
    _write_atomically(data, json.dumps(report.data, indent=1, ensure_ascii=False) + "\n")
    _write_atomically(html, render_html(report))
    return ReportFiles(html, data, report)


def make_report(
    session_path: str | Path,
    out_dir: str | Path | None = None,
    history: bool = True,
    signal_choices: dict | None = None,
) -> ReportFiles:
    """Load a session, write its report (into the session folder unless `out_dir`) and add it to the history,
    comparing each exercise with the previous session there; `history=False` neither reads nor adds."""
    session = load_session(session_path)
    if not history:
        return write_report(build_report(session, signal_choices), out_dir or session.path)
    from posecheck.history import open_history

    with open_history() as store:
        files = write_report(build_report(session, signal_choices, store), out_dir or session.path)
        store.add_report(files.report.data, str(session.path.resolve()), str(files.html.resolve()))
    return files
