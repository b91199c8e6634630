"""The history as a table for the terminal and a progress plot: reps, faults per rep and holds over days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, DateFormatter, DayLocator
from matplotlib.figure import Figure

from posecheck.errors import PosecheckError
from posecheck.report.targets import title

COLUMNS = ("date", "exercise", "reps", "target", "faults/rep", "avg hold", "in view")


def _when(iso: str | None) -> datetime | None:
    if not iso:
        return None
    try:
        return datetime.fromisoformat(iso).astimezone()
    except ValueError:
        return None


def table(rows: Sequence[dict[str, Any]]) -> str:
    """The history as aligned text columns."""
    lines = [COLUMNS]
    for row in rows:
        when = _when(row["started_at"])
        lo, hi = row["target_reps_min"], row["target_reps_max"]
        lines.append((
            when.strftime("%Y-%m-%d %H:%M") if when else "undated",
            title(row["exercise"]) + ("" if row["complete"] else " *"),
            str(row["reps_done"]),
            "" if lo is None else (f"{lo}" if lo == hi else f"{lo}-{hi}"),
            "" if row["faults_per_rep"] is None else f"{row['faults_per_rep']:.2f}",
            "" if row["mean_hold_s"] is None else f"{row['mean_hold_s']:.1f} s",
            "" if row["in_view"] is None else f"{100 * row['in_view']:.0f}%",
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
            for line in lines]
    if any(not row["complete"] for row in rows):
        text.append("* from an incomplete session")
    return "\n".join(text)


def _date_axis(ax: Any, dates: list[datetime]) -> None:
    """Whole days on the axis once the history spans days; times within a single day."""
    if not dates:
        return
    days = (max(dates) - min(dates)).days
    ax.set_xlim(min(dates) - timedelta(hours=12), max(dates) + timedelta(hours=12))
    if days >= 2:
        ax.xaxis.set_major_locator(DayLocator(interval=max(1, days // 6)))
        ax.xaxis.set_major_formatter(DateFormatter("%-d %b"))
    else:
        locator = AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def plot(rows: Sequence[dict[str, Any]], path: Path) -> Path:
    """A PNG with one row per exercise: reps done, faults per rep, average hold (target bands), by date."""
    exercises = list(dict.fromkeys(row["exercise"] for row in rows))
    figure = Figure(figsize=(11, 2.3 * max(1, len(exercises)) + 0.6), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(max(1, len(exercises)), 3, squeeze=False)
    for line, exercise in enumerate(exercises):
        mine = [r for r in rows if r["exercise"] == exercise and _when(r["started_at"])]
        dates = [_when(r["started_at"]) for r in mine]
        reps_ax, faults_ax, hold_ax = axes[line]
        if mine and mine[-1]["target_reps_min"] is not None:
            reps_ax.axhspan(mine[-1]["target_reps_min"], mine[-1]["target_reps_max"], color="#cfe8d8",
                            label="target")
        reps_ax.plot(dates, [r["reps_done"] for r in mine], "o-", color="#1f5f99")
        faults_ax.plot(dates, [r["faults_per_rep"] for r in mine], "o-", color="#d55e00")
        if mine and mine[-1]["target_hold_min_s"] is not None:
            hold_ax.axhspan(mine[-1]["target_hold_min_s"], mine[-1]["target_hold_max_s"], color="#cfe8d8")
        hold_ax.plot(dates, [r["mean_hold_s"] for r in mine], "o-", color="#009e73")
        faults_ax.set_ylim(0, max([0.5] + [1.1 * (r["faults_per_rep"] or 0) for r in mine]))
        reps_ax.set_ylabel(title(exercise), fontsize=10, fontweight="bold")
        for ax, name in ((reps_ax, "reps done"), (faults_ax, "faults per rep"), (hold_ax, "average hold (s)")):
            if line == 0:
                ax.set_title(name, fontsize=10)
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.spines[["top", "right"]].set_visible(False)
            _date_axis(ax, dates)
            ax.tick_params(labelsize=8)
    figure.suptitle("posecheck: progress per exercise", fontsize=12)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format="png")
    except OSError as error:
        raise PosecheckError(f"cannot write the progress plot {path}: {error.strerror}") from error
    return path
