"""The report's pictures: fault snapshots with the skeleton drawn, and the driving-signal plot."""

from __future__ import annotations

import base64
import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from posecheck.landmarks import PoseFrame
from posecheck.overlay import MIN_VISIBILITY, draw_skeleton

SNAPSHOT_WIDTH = 560  # pixels: big enough to see the posture, small enough to inline several
CROP_MARGIN = 0.25  # of the person's larger extent, so the floor and the nearby space show
MIN_ASPECT = 0.45  # height / width of a snapshot at least this: a lying person still gets some room
BACKGROUND_BGR = (246, 243, 240)
FLOOR_BGR = (190, 184, 178)
DRAWING_BONE_BGR = (153, 95, 31)  # the report's dark blue: clear on the pale background
DRAWING_JOINT_BGR = (60, 40, 20)
START_BGR = (200, 190, 180)  # the start position, faint behind the fault


def data_uri(payload: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def video_frame(path: Path, index: int) -> np.ndarray | None:
    """Frame `index` of a video (BGR), or None when the video cannot give it (e.g. cut off by a crash)."""
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            return None
        capture.set(cv2.CAP_PROP_POS_FRAMES, index)
        ok, image = capture.read()
        return image if ok else None
    finally:
        capture.release()


def person_box(frame: PoseFrame, clamp: bool) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) in pixels of the frame's image: the person with some room around them."""
    width, height = frame.image_size
    seen = frame.image[frame.visibility >= MIN_VISIBILITY][:, :2]
    if len(seen) < 2:
        seen = frame.image[:, :2]
    lo = seen.min(axis=0) * (width, height)
    hi = seen.max(axis=0) * (width, height)
    margin = CROP_MARGIN * float(max(hi - lo)) + 0.03 * max(width, height)
    x0, y0, x1, y1 = lo[0] - margin, lo[1] - margin, hi[0] + margin, hi[1] + margin
    grow = MIN_ASPECT * (x1 - x0) - (y1 - y0)
    if grow > 0:
        y0, y1 = y0 - grow * 0.75, y1 + grow * 0.25  # the room goes above: the floor is below
    if clamp:
        x0, y0, x1, y1 = max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)
    return round(x0), round(y0), round(x1), round(y1)


def reframe(frame: PoseFrame, box: tuple[int, int, int, int]) -> PoseFrame:
    """The same pose in the coordinates of a crop `box` of its image."""
    x0, y0, x1, y1 = box
    width, height = frame.image_size
    if not frame.has_pose:
        return frame
    image = frame.image.copy()
    image[:, 0] = (image[:, 0] * width - x0) / (x1 - x0)
    image[:, 1] = (image[:, 1] * height - y0) / (y1 - y0)
    return PoseFrame(frame.timestamp_ms, (x1 - x0, y1 - y0), image, frame.visibility, frame.presence, frame.world)


def _drawing(frame: PoseFrame, size: tuple[int, int], start: PoseFrame | None = None) -> np.ndarray:
    canvas = np.empty((size[1], size[0], 3), np.uint8)
    canvas[:] = BACKGROUND_BGR
    if start is not None and start.has_pose:
        draw_skeleton(canvas, start, color=START_BGR, joint_color=START_BGR, thickness=2)
    # The floor under the person: below the lowest seen landmark, so lying and kneeling poses read right.
    seen = frame.image[frame.visibility >= MIN_VISIBILITY]
    if len(seen):
        floor_y = round(float(seen[:, 1].max()) * size[1]) + 6
        cv2.line(canvas, (0, floor_y), (size[0], floor_y), FLOOR_BGR, 2, cv2.LINE_AA)
    return draw_skeleton(canvas, frame, color=DRAWING_BONE_BGR, joint_color=DRAWING_JOINT_BGR, thickness=3)


def snapshot(
    frame: PoseFrame, frame_index: int, video: Path | None, start: PoseFrame | None = None
) -> tuple[str, str]:
    """(data URI, source) of `frame` with its skeleton, cropped to the person: on the recorded video
    frame when there is one ("video"), else drawn on a plain background ("drawing"), where the `start`
    position (the calibrated rest pose) is drawn faintly behind it for comparison."""
    image = video_frame(video, frame_index) if video is not None else None
    if image is not None:
        height, width = image.shape[:2]
        frame = PoseFrame(frame.timestamp_ms, (width, height), frame.image, frame.visibility, frame.presence,
                          frame.world)  # the video's own size, whatever the recording header said
        box = person_box(frame, clamp=True)
        if box[2] - box[0] < 8 or box[3] - box[1] < 8:  # the person is off the picture: show all of it
            box = (0, 0, width, height)
        crop = image[box[1]:box[3], box[0]:box[2]]
        out_size = (SNAPSHOT_WIDTH, max(1, round(crop.shape[0] * SNAPSHOT_WIDTH / max(1, crop.shape[1]))))
        picture = cv2.resize(crop, out_size, interpolation=cv2.INTER_AREA)
        draw_skeleton(picture, reframe(frame, box))
        ok, encoded = cv2.imencode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, 85])
        mime, source = "image/jpeg", "video"
    else:
        box = person_box(frame, clamp=False)
        out_size = (SNAPSHOT_WIDTH, max(1, round((box[3] - box[1]) * SNAPSHOT_WIDTH / max(1, box[2] - box[0]))))
        picture = _drawing(reframe(frame, box), out_size, reframe(start, box) if start is not None else None)
        ok, encoded = cv2.imencode(".png", picture)
        mime, source = "image/png", "drawing"
    if not ok:
        raise RuntimeError("OpenCV could not encode a snapshot")
    return data_uri(encoded.tobytes(), mime), source


# Fault markers cycle through these (colour-blind-safe, from Okabe & Ito).
FAULT_COLOURS = ("#D55E00", "#CC79A7", "#E69F00", "#0072B2", "#009E73", "#56B4E9")


MIN_UNSEEN_S = 0.5  # shorter gaps in the signal are just flicker, not worth marking


def unseen_spans(t_s: np.ndarray, values: np.ndarray) -> list[tuple[float, float]]:
    """(start, end) times of runs where the signal could not be measured."""
    spans, start = [], None
    for t, value in zip(t_s, values, strict=True):
        if not np.isfinite(value) and start is None:
            start = t
        elif np.isfinite(value) and start is not None:
            spans.append((float(start), float(t)))
            start = None
    if start is not None and len(t_s):
        spans.append((float(start), float(t_s[-1])))
    return [(a, b) for a, b in spans if b - a >= MIN_UNSEEN_S]


def signal_plot(
    t_s: np.ndarray,
    values: np.ndarray,
    label: str,
    unit: str,
    reps: Sequence[tuple[float, float | None, int, str | None]],
    faults: Sequence[tuple[float, str]],
) -> str:
    """PNG data URI: the signal over time, reps shaded and numbered, faults marked by check."""
    figure = Figure(figsize=(9.0, 2.9), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(t_s, values, color="#1f3a5f", linewidth=1.4)
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if len(finite) else 1.0
    end = float(t_s[-1]) if len(t_s) else 0.0
    for start, stop, rep, side in reps:
        stop = end if stop is None else stop
        axes.axvspan(start, stop, color="#7fa7c9" if rep % 2 else "#b7cde0", alpha=0.35, linewidth=0)
        text = f"{rep}{(side or '')[:1].upper()}"
        if len(t_s) and not float(t_s[0]) <= (start + stop) / 2 <= end:
            continue  # a rep outside the recording (a damaged event log): a label there would blow up the figure
        axes.annotate(text, ((start + stop) / 2, 1.0), xycoords=("data", "axes fraction"),
                      ha="center", va="bottom", fontsize=8, color="#3b4a5a")
    for number, (start, stop) in enumerate(unseen_spans(t_s, values)):
        axes.axvspan(start, stop, facecolor="none", edgecolor="#9aa5b1", hatch="///", linewidth=0,
                     label="not seen" if number == 0 else None)
    checks = list(dict.fromkeys(check for _, check in faults))
    for number, check in enumerate(checks):
        times = np.array([t for t, c in faults if c == check])
        y = np.interp(times, t_s[np.isfinite(values)], finite) if len(finite) else np.full(len(times), top)
        colour = FAULT_COLOURS[number % len(FAULT_COLOURS)]
        axes.scatter(times, y, marker="v", s=60, color=colour, edgecolor="white", linewidth=0.6,
                     zorder=3, label=f"fault: {check.replace('_', ' ')}")
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    axes.set_xlabel("time (s)", fontsize=9)
    axes.set_ylabel({"°": "degrees"}.get(unit, unit) or "value", fontsize=9)
    axes.set_title(label, fontsize=10, loc="left", pad=16)
    axes.tick_params(labelsize=8)
    axes.spines[["top", "right"]].set_visible(False)
    if len(t_s):
        axes.set_xlim(float(t_s[0]), max(end, float(t_s[0]) + 1.0))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return data_uri(buffer.getvalue(), "image/png")


@dataclass(frozen=True)
class Bars:
    """One exercise's pair of bars in a comparison panel: this session, the previous one, the plan's range."""

    label: str
    now: float | None
    before: float | None
    target: tuple[float, float] | None = None
    first: bool = False  # the history holds no earlier session of it (not merely: no history looked in)


NOW_COLOUR, BEFORE_COLOUR, TARGET_COLOUR = "#1f5f99", "#b7c2cc", "#1e7b4f"


def comparison_plot(panels: dict[str, list[Bars]]) -> str:
    """PNG data URI: per panel (reps, hold, faults per rep) this session's bar beside the previous one's,
    with the plan's range as a green bracket; an exercise with no previous session says "first"."""
    figure = Figure(figsize=(9.0, 2.6), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, bars) in zip(axes, panels.items(), strict=True):
        x = np.arange(len(bars))
        ax.bar(x - 0.2, [b.before or 0 for b in bars], 0.38, color=BEFORE_COLOUR, label="last time")
        ax.bar(x + 0.2, [b.now or 0 for b in bars], 0.38, color=NOW_COLOUR, label="this session")
        for i, bar in enumerate(bars):
            if bar.target is not None:  # the plan's range behind the pair: a bar inside it met the plan
                lo, hi = bar.target
                ax.fill_between([i - 0.45, i + 0.45], lo, max(hi, lo + 0.02 * max(hi, 1)), color=TARGET_COLOUR,
                                alpha=0.22, linewidth=0, zorder=0, label="plan")
            if bar.first:
                ax.annotate("first", (i - 0.2, 0), xytext=(0, 2), textcoords="offset points", ha="center",
                            va="bottom", fontsize=7, color="#5b6876", rotation=90)
        ax.set_xticks(x, [textwrap.fill(b.label, 16) for b in bars], fontsize=7, rotation=30, ha="right",
                      rotation_mode="anchor")
        ax.set_xlim(-0.6, max(len(bars), 2) - 0.4)  # one exercise: bars of a sensible width, not the whole panel
        ax.set_title(name, fontsize=9, loc="left")
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylim(bottom=0)
        ax.spines[["top", "right"]].set_visible(False)
    legend: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    figure.legend(legend.values(), legend.keys(), loc="outside upper right", ncols=3, fontsize=7, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return data_uri(buffer.getvalue(), "image/png")
