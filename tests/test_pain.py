"""Pain on the 0-10 scale before and after a session: the command line's options, the window's question
(keys, skip, timeout), the advice a rise of 2 or more brings, in the report and the export."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import run_cli
from session_builders import ExercisePlan, record_session
from test_live_loop import live, rendered_clip
from test_live_trainer import blank, feed, trainer_for

from posecheck.live.trainer import ADVICE_S, PAIN_ASK_S, Action, Stage
from posecheck.live.window import KEYS
from posecheck.pain import QUESTION
from posecheck.report import build_report, render_html
from posecheck.session import SESSION_FILE, load_session

RISE = "Your pain went up by 3: speak to your physiotherapist before the next session"


def session_json(folder: Path) -> dict:
    return json.loads((folder / SESSION_FILE).read_text())


@pytest.fixture(scope="module")
def rated_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A short headless session from a sample clip, rated 2 before and 5 after on the command line."""
    root = tmp_path_factory.mktemp("pain")
    video, labels = rendered_clip()
    done = live(root, "--exercise", labels["exercise"], "--source", str(video), "--instructions-seconds", "0",
                "--skip-setup-check", "--max-seconds", "3", "--pain-before", "2", "--pain-after", "5")
    return root, done


# -- the command line --------------------------------------------------------------------------------
def test_the_pain_options_are_kept_in_session_json_and_a_rise_is_said_at_the_end(rated_run):
    root, done = rated_run
    assert done.returncode == 0, done.stderr
    assert session_json(root / "session")["pain"] == {"before": 2, "after": 5}
    assert RISE in done.stdout


def test_one_option_alone_is_kept_and_the_other_is_null(tmp_path):
    video, labels = rendered_clip()
    done = live(tmp_path, "--exercise", labels["exercise"], "--source", str(video), "--instructions-seconds", "0",
                "--skip-setup-check", "--max-seconds", "1", "--pain-after", "4")
    assert done.returncode == 0, done.stderr
    assert session_json(tmp_path / "session")["pain"] == {"before": None, "after": 4}
    assert "went up" not in done.stdout


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--pain-before", "11", "--pain-before must be from 0 to 10"),
    ("--pain-after", "-1", "--pain-after must be from 0 to 10"),
    ("--pain-after", "lots", "--pain-after must be a whole number from 0 to 10"),
])
def test_a_rating_off_the_scale_is_refused_in_one_line_with_exit_status_2(tmp_path, option, value, message):
    done = live(tmp_path, "--exercise", "knee_rolls", f"{option}={value}")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "session").exists()  # refused before anything was recorded


# -- the window's question -----------------------------------------------------------------------------
def test_the_keys_are_the_pain_scale_t_for_ten_and_s_to_skip():
    assert Action(KEYS[ord("0")]).rating == 0 and Action(KEYS[ord("9")]).rating == 9
    assert Action(KEYS[ord("t")]).rating == 10
    assert Action(KEYS[ord("s")]) is Action.SKIP and Action.SKIP.rating is None


def test_the_trainer_asks_before_and_after_records_the_keys_and_shows_a_rise(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls"], ask_pain=True)
    trainer.on_pose(*blank(0), people=0)
    assert trainer.stage is Stage.PAIN_BEFORE
    assert trainer.hud().cue == QUESTION
    trainer.on_key(Action.PAIN)  # not a rating: the question stays
    assert trainer.stage is Stage.PAIN_BEFORE
    trainer.on_key(Action.RATE_3)
    assert trainer.stage is Stage.INSTRUCTIONS
    assert session_json(tmp_path / "session")["pain"] == {"before": 3, "after": None}  # saved at once
    t = feed(trainer, 67, 1.0)
    assert trainer.stage is Stage.EXERCISE
    trainer.on_key(Action.QUIT)
    assert trainer.stage is Stage.PAIN_AFTER and not trainer.done
    trainer.on_key(Action.RATE_6)
    assert trainer.stage is Stage.ADVICE
    hud = trainer.hud()
    assert hud.cue == RISE and hud.cue_severity == "stop"
    feed(trainer, t, ADVICE_S + 0.5)  # the advice stays a while, then the session ends on its own
    assert trainer.done and trainer.ended_by == "quit"
    trainer.session.close()
    assert load_session(tmp_path / "session").pain == {"before": 3, "after": 6}


def test_the_question_skips_itself_so_nobody_on_the_mat_is_stuck(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls"], ask_pain=True)
    t = feed(trainer, 0, PAIN_ASK_S - 1)
    assert trainer.stage is Stage.PAIN_BEFORE and trainer.hud().countdown_s == pytest.approx(1, abs=0.2)
    t = feed(trainer, t, 1.5)
    assert trainer.stage is Stage.EXERCISE  # skipped, then the exercise began
    trainer.finish("completed")
    assert trainer.stage is Stage.PAIN_AFTER
    feed(trainer, t, PAIN_ASK_S + 0.5)
    assert trainer.done
    assert session_json(tmp_path / "session")["pain"] == {"before": None, "after": None}


def test_s_skips_and_a_session_cut_short_or_rated_on_the_command_line_is_not_asked(tmp_path):
    trainer = trainer_for(tmp_path / "a", ["knee_rolls"], ask_pain=True)
    trainer.on_pose(*blank(0), people=0)
    trainer.on_key(Action.SKIP)
    feed(trainer, 67, 1.0)
    trainer.finish("time_up")  # the time is up: no one is asked anything more
    assert trainer.done
    given = trainer_for(tmp_path / "b", ["knee_rolls"], ask_pain=True, pain_before=5, pain_after=4)
    given.on_pose(*blank(0), people=0)
    assert given.stage is Stage.EXERCISE
    given.on_key(Action.QUIT)
    assert given.done and given.advice is None


def test_after_stopping_for_pain_the_rating_is_kept_with_the_exercise(tmp_path):
    trainer = trainer_for(tmp_path, ["knee_rolls", "pelvic_tilts"])
    feed(trainer, 0, 1.0)
    trainer.on_key(Action.PAIN)
    trainer.on_key(Action.RATE_7)
    assert trainer.stage is Stage.PAIN and "Pain 7 recorded." in trainer.hud().lines
    assert session_json(tmp_path / "session")["exercises"][0]["pain"] == 7


# -- the report and the export -------------------------------------------------------------------------
def report_with_pain(folder: Path, pain: object) -> tuple[dict, str]:
    record_session(folder, [ExercisePlan("knee_rolls", 8)])
    data = session_json(folder)
    data["pain"] = pain
    (folder / SESSION_FILE).write_text(json.dumps(data))
    built = build_report(load_session(folder))
    return built.data, render_html(built)


def test_the_report_gives_the_advice_for_a_rise_of_two_or_more(tmp_path):
    data, html = report_with_pain(tmp_path / "up", {"before": 2, "after": 5})
    assert data["pain"] == {"before": 2, "after": 5, "change": 3, "advice": RISE}
    assert RISE in html and html.index(RISE) < html.index('id="summary"')  # near the top
    assert "before 2" in html and "after 5" in html


def test_the_report_gives_no_advice_when_the_pain_went_down_and_ignores_nonsense(tmp_path):
    data, html = report_with_pain(tmp_path / "down", {"before": 5, "after": 4})
    assert data["pain"]["advice"] is None and data["pain"]["change"] == -1
    assert "went up" not in html and "before 5" in html
    data, html = report_with_pain(tmp_path / "odd", {"before": "<script>", "after": 99})
    assert data["pain"] == {"before": None, "after": None, "change": None, "advice": None}
    assert "<script>" not in html and 'id="pain"' not in html


def test_the_run_s_report_and_the_export_carry_the_ratings(rated_run):
    root, done = rated_run
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "session" / "report.json").read_text())
    assert report["pain"]["advice"] == RISE
    assert RISE in (root / "session" / "report.html").read_text()
    out = root / "out.csv"
    exported = run_cli("export", "--since", date.today().isoformat(), "--to", str(out),
                       env={"POSECHECK_DATA_DIR": str(root / "data")})
    assert exported.returncode == 0, exported.stderr
    with out.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert rows and {(r["pain_before"], r["pain_after"]) for r in rows} == {("2", "5")}
