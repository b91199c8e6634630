"""Fuzzing the recording loader: whatever the bytes, a recording loads or is refused with a message."""

from __future__ import annotations

import contextlib
import json
import math
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from posecheck.landmarks import PoseFrame
from posecheck.recording import RecordingError, RecordingHeader, load_recording, write_recording

HEADER = RecordingHeader(source="fuzz", fps=30.0, image_size=(640, 480))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=40) | st.dictionaries(st.sampled_from(
        ["t", "image", "visibility", "presence", "world", "pose", "x"]), inner, max_size=6),
    max_leaves=80,
)


def _load_or_refuse(path) -> None:
    with warnings.catch_warnings(), contextlib.suppress(RecordingError):
        warnings.simplefilter("ignore")
        load_recording(path)


@SETTINGS
@given(lines=st.lists(json_values, max_size=6))
def test_any_json_lines_after_a_good_header_load_or_are_refused(tmp_path, lines):
    path = tmp_path / "fuzz.jsonl"
    body = "".join(json.dumps(line) + "\n" for line in lines)
    path.write_text(json.dumps(HEADER.to_dict()) + "\n" + body)
    _load_or_refuse(path)


@SETTINGS
@given(data=st.binary(max_size=400))
def test_any_bytes_load_or_are_refused(tmp_path, data):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(data)
    _load_or_refuse(path)


@SETTINGS
@given(data=st.binary(max_size=200), cut=st.integers(min_value=0, max_value=2000))
def test_a_good_recording_cut_anywhere_or_with_garbage_appended_never_crashes(tmp_path, data, cut):
    path = tmp_path / "fuzz.jsonl"
    frames = [PoseFrame(i * 33, (640, 480), np.full((33, 3), 0.5), np.ones(33), np.ones(33), np.zeros((33, 3)))
              for i in range(3)]
    write_recording(path, HEADER, frames)
    raw = path.read_bytes()
    path.write_bytes(raw[: min(cut, len(raw))] + data)
    _load_or_refuse(path)


finite_or_not = st.floats(allow_nan=True, allow_infinity=True, width=32)


@SETTINGS
@given(values=st.lists(finite_or_not, min_size=33 * 8, max_size=33 * 8))
def test_nan_and_infinite_landmarks_round_trip_without_error(tmp_path, values):
    v = np.array(values, dtype=np.float32).reshape(33, 8)
    frame = PoseFrame(0, (640, 480), v[:, :3], v[:, 3], v[:, 4], v[:, 5:8])
    path = tmp_path / "nan.jsonl"
    write_recording(path, HEADER, [frame])
    got = load_recording(path).frames[0]
    for sent, back in ((frame.image, got.image), (frame.world, got.world)):
        same = np.isclose(sent, back, atol=1e-4, equal_nan=True) | (np.isinf(sent) & (sent == back))
        assert same.all()
    # A score that is not a number is read back as "not seen".
    assert all(math.isfinite(s) for s in got.visibility)
