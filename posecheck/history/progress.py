"""The history for the terminal (text tables) and as a progress plot: the programme over weeks (days per week
against the plan, streak), pain before and after, and per exercise reps, faults per rep and holds over days."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, DayLocator, MonthLocator, YearLocator
from matplotlib.figure import Figure

from posecheck.errors import PosecheckError
from posecheck.history.programme import Week
from posecheck.pain import PAIN_MAX
from posecheck.report.sets import mark
from posecheck.report.targets import title

COLUMNS = ("date", "exercise", "reps", "target", "faults/rep", "avg hold", "in view")
WEEKS_SHOWN = 8  # the text shows the last weeks; the plot shows them all
MIN_SPAN_DAYS = 8  # a plot's date axis spans at least this: one day of data still reads as days, not hours
MAX_TICKS = 5  # date labels on a third of the figure's width without overlapping
NO_REPORT = "no report (posecheck report FOLDER makes one)"
BLUE, ORANGE, GREEN, GREY, TARGET = "#1f5f99", "#d55e00", "#009e73", "#9aa5b1", "#cfe8d8"


def when(iso: str | None) -> datetime | None:
    """Local time of a stored ISO time, without a zone (what the plot's date axis and the tables show)."""
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone().replace(tzinfo=None)
    except ValueError:
        return None


def exercised_days(rows: Sequence[dict[str, Any]]) -> set[date]:
    """Local days with at least one rep counted (an empty set does not make a day)."""
    return {moment.date() for row in rows if row["reps_done"] and (moment := when(row["started_at"]))}


def _columns(lines: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in lines]


def _stamp(iso: str | None) -> str:
    moment = when(iso)
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "undated"


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The history as aligned text columns, one line per set; empty and stopped sets say so."""
    lines = [COLUMNS]
    for row in rows:
        lo, hi = row["target_reps_min"], row["target_reps_max"]
        words = mark(row.get("set_status"), row.get("ended_by"))
        lines.append((
            _stamp(row["started_at"]),
            title(row["exercise"]) + ("" if row["complete"] else " *") + (f" [{words}]" if words else ""),
            str(row["reps_done"]),
            "" if lo is None else (f"{lo}" if lo == hi else f"{lo}-{hi}"),
            "" if row["faults_per_rep"] is None else f"{row['faults_per_rep']:.2f}",
            "" if row["mean_hold_s"] is None else f"{row['mean_hold_s']:.1f} s",
            "" if row["in_view"] is None else f"{100 * row['in_view']:.0f}%",
        ))
    text = _columns(lines)
    if any(not row["complete"] for row in rows):
        text.append("* from an incomplete session")
    if any(row.get("set_status") in ("empty", "stopped") for row in rows):
        text.append("[empty set]: no rep counted (not a day exercised); [stopped: ...]: ended short of its "
                    "target, or for pain")
    return "\n".join(text)


def sessions_table(sessions: Sequence[dict[str, Any]]) -> str:
    """One line per session: its pain ratings (0-10) and where its report is."""
    lines = [("date", "pain before", "after", "report")]
    for session in sessions:
        before, after = session["pain_before"], session["pain_after"]
        lines.append((
            _stamp(session["started_at"]),
            "-" if before is None else str(before),
            "-" if after is None else str(after),
            str(session["report"]) if session["report"] else NO_REPORT,
        ))
    return "\n".join(_columns(lines))


def weeks_table(weeks: Sequence[Week], schedule: str) -> str:
    """Days exercised in each of the last weeks against the plan's days a week."""
    lines = [("week of", "days", "plan", "")]
    for week in weeks[-WEEKS_SHOWN:]:
        lines.append((week.start.isoformat(), str(week.days), str(week.planned), week.verdict()))
    head = f"Days exercised per week (plan: {schedule}; a day with at least one rep counted):"
    return "\n".join([head, *_columns(lines)])


def streak_line(days: int, every_day: bool) -> str:
    unit = "day" if every_day else "planned day"
    plural = unit if days == 1 else unit + "s"
    how = ("consecutive days with a session" if every_day else
           "the plan's days with a session in a row; days off the plan neither add nor break it")
    return f"Current streak: {days} {plural} ({how}; today does not break it before you have exercised)."


# -- the plot --------------------------------------------------------------------------------------------
def date_range(moments: Sequence[datetime], today: date) -> tuple[datetime, datetime]:
    """From the day before the first moment to the day after the last (or today), at least MIN_SPAN_DAYS."""
    end = datetime.combine(max([m.date() for m in moments] + [today]), datetime.min.time()) + timedelta(days=1)
    start = datetime.combine(min([m.date() for m in moments] + [today]), datetime.min.time()) - timedelta(days=1)
    return min(start, end - timedelta(days=MIN_SPAN_DAYS)), end


def _date_axis(ax: Axes, span: tuple[datetime, datetime]) -> None:
    """Days (or months, years) on the axis, whatever the span: never hours within one day."""
    start, end = span
    ax.set_xlim(start, end)
    days = (end - start).days
    if days <= 62:
        ax.xaxis.set_major_locator(DayLocator(interval=max(1, math.ceil(days / MAX_TICKS))))
        ax.xaxis.set_major_formatter(DateFormatter("%-d %b"))
    elif days <= 3 * 365:
        ax.xaxis.set_major_locator(MonthLocator(interval=max(1, math.ceil(days / 30 / MAX_TICKS))))
        ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
    else:
        ax.xaxis.set_major_locator(YearLocator())
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))


def _finish(ax: Axes, name: str | None, span: tuple[datetime, datetime]) -> None:
    if name:
        ax.set_title(name, fontsize=10)
    ax.grid(alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    _date_axis(ax, span)
    ax.tick_params(labelsize=8)


def _noon(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), datetime.min.time()) + timedelta(hours=12)


def _daily(ax: Axes, points: Sequence[tuple[datetime, float]], style: str, colour: str, label: str | None = None
           ) -> None:
    """One point a day, at noon (the day's mean), joined by a line; when a day had several sessions, each one's
    value as a small dot on that day: sessions a few hours apart do not draw a vertical line."""
    by_day: dict[datetime, list[float]] = {}
    for moment, value in points:
        by_day.setdefault(_noon(moment), []).append(value)
    if not by_day:
        return
    days = sorted(by_day)
    ax.plot(days, [sum(by_day[d]) / len(by_day[d]) for d in days], style, color=colour, markersize=5, label=label)
    several = [(d, v) for d in days if len(by_day[d]) > 1 for v in by_day[d]]
    if several:
        ax.plot(*zip(*several, strict=True), ".", color=colour, alpha=0.45, markersize=4)


def _weeks_panel(ax: Axes, weeks: Sequence[Week]) -> None:
    starts = [datetime.combine(w.start, datetime.min.time()) for w in weeks]
    ax.bar([s + timedelta(days=3.5) for s in starts], [w.days for w in weeks], width=6, color=BLUE, alpha=0.85,
           label="days exercised")
    if weeks:
        ax.hlines([w.planned for w in weeks], starts, [s + timedelta(days=7) for s in starts], colors=GREEN,
                  linestyles="--", label="plan")
        ax.legend(fontsize=7, loc="upper left", ncols=2, frameon=False)
    ax.set_ylim(0, 9)  # room above a week of seven for the legend


def _pain_panel(ax: Axes, sessions: Sequence[dict[str, Any]]) -> None:
    for key, style, colour, label in (("pain_before", "o-", BLUE, "before"), ("pain_after", "s--", ORANGE, "after")):
        _daily(ax, [(m, s[key]) for s in sessions if s[key] is not None and (m := when(s["started_at"]))], style,
               colour, label)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize=7, loc="upper left", frameon=False)
    else:
        ax.text(0.5, 0.5, "no pain ratings yet", transform=ax.transAxes, ha="center", color=GREY, fontsize=9)
    ax.set_ylim(0, PAIN_MAX + 0.5)


def _faults_panel(ax: Axes, rows: Sequence[dict[str, Any]]) -> float:
    """Faults per rep across all the exercises of a day, day by day; returns the highest."""
    per_day: dict[datetime, list[int]] = {}
    for row in rows:
        if row["reps_done"] and (moment := when(row["started_at"])):
            totals = per_day.setdefault(_noon(moment), [0, 0])
            totals[0] += row["faults"]
            totals[1] += row["reps_done"]
    points = sorted((day, faults / reps) for day, (faults, reps) in per_day.items())
    _daily(ax, points, "o-", ORANGE)
    return max([y for _, y in points], default=0.0)


def _series(ax: Axes, mine: Sequence[dict[str, Any]], key: str, colour: str, label_marked: bool) -> None:
    """Finished sets as a daily line; empty and stopped sets as hollow grey points on their day, not part of it."""
    _daily(ax, [(m, r[key]) for r in mine if r["set_status"] == "done" and r[key] is not None
                and (m := when(r["started_at"]))], "o-", colour)
    marked = [(_noon(m), r[key] or 0) for r in mine if r["set_status"] != "done" and (m := when(r["started_at"]))]
    if marked:
        ax.plot(*zip(*marked, strict=True), "o", markerfacecolor="none", markeredgecolor=GREY, markersize=7,
                label="empty or stopped set" if label_marked else None)


def _targets(ax: Axes, mine: Sequence[dict[str, Any]], low: str, high: str) -> None:
    """The plan's range on each day, so a change of plan shows where it happened."""
    ranged = [(_noon(m), r[low], r[high]) for r in mine if r[low] is not None and (m := when(r["started_at"]))]
    if ranged:
        moments, lows, highs = zip(*ranged, strict=True)
        ax.vlines(moments, lows, highs, colors=TARGET, linewidth=8, label="plan", zorder=0)


def figure(rows: Sequence[dict[str, Any]], sessions: Sequence[dict[str, Any]], weeks: Sequence[Week],
           today: date) -> Figure:
    """The progress figure: the programme's row (days per week, pain, faults per rep), then one row per exercise
    (reps done, faults per rep, average hold), all on the same date axis."""
    exercises = list(dict.fromkeys(row["exercise"] for row in rows))
    moments = [m for r in rows if (m := when(r["started_at"]))]
    moments += [m for s in sessions if (m := when(s["started_at"]))]
    moments += [datetime.combine(w.start + timedelta(days=6), datetime.min.time()) for w in weeks]
    span = date_range(moments, today)
    figure = Figure(figsize=(11, 2.4 * (1 + len(exercises)) + 0.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1 + len(exercises), 3, squeeze=False)
    weeks_ax, pain_ax, faults_ax = axes[0]
    _weeks_panel(weeks_ax, weeks)
    _pain_panel(pain_ax, sessions)
    faults_ax.set_ylim(0, max(0.5, 1.1 * _faults_panel(faults_ax, rows)))
    weeks_ax.set_ylabel("Programme", fontsize=10, fontweight="bold")
    for ax, name in ((weeks_ax, "days exercised per week"), (pain_ax, "pain 0-10 (before, after)"),
                     (faults_ax, "faults per rep, all exercises")):
        _finish(ax, name, span)
    for line, exercise in enumerate(exercises, start=1):
        mine = [r for r in rows if r["exercise"] == exercise and when(r["started_at"])]
        reps_ax, fpr_ax, hold_ax = axes[line]
        _targets(reps_ax, mine, "target_reps_min", "target_reps_max")
        _series(reps_ax, mine, "reps_done", BLUE, label_marked=True)
        _series(fpr_ax, mine, "faults_per_rep", ORANGE, label_marked=False)
        _targets(hold_ax, mine, "target_hold_min_s", "target_hold_max_s")
        _series(hold_ax, mine, "mean_hold_s", GREEN, label_marked=False)
        fpr_ax.set_ylim(0, max([0.5] + [1.1 * (r["faults_per_rep"] or 0) for r in mine]))
        reps_ax.set_ylabel(title(exercise), fontsize=10, fontweight="bold")
        if reps_ax.get_legend_handles_labels()[0]:
            reps_ax.legend(fontsize=7, loc="lower left", frameon=False)
        for ax, name in ((reps_ax, "reps done"), (fpr_ax, "faults per rep"), (hold_ax, "average hold (s)")):
            ax.set_ylim(0, max(ax.get_ylim()[1], 0.5 if ax is fpr_ax else 1))  # an empty panel still has a scale
            _finish(ax, name if line == 1 else None, span)
    figure.suptitle("posecheck: the programme and progress per exercise", fontsize=12)
    return figure


def plot(rows: Sequence[dict[str, Any]], sessions: Sequence[dict[str, Any]], weeks: Sequence[Week], path: Path,
         today: date) -> Path:
    """Write `figure(...)` as a PNG."""
    picture = figure(rows, sessions, weeks, today)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        picture.savefig(path, format="png")
    except OSError as error:
        raise PosecheckError(f"cannot write the progress plot {path}: {error.strerror}") from error
    return path
