"""Native libraries (MediaPipe, OpenCV, FFmpeg) log to stderr themselves; keep that off the user's screen."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

# FFmpeg inside OpenCV reads this when it first loads: AV_LOG_QUIET.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "OFF")
os.environ.setdefault("GLOG_minloglevel", "2")

_REPLAY_BYTES = 4000


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence native stderr output inside the block; replay its tail if the block raises."""
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            os.write(2, log.read()[-_REPLAY_BYTES:])
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
