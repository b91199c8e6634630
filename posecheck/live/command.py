"""`posecheck live --exercise NAME` and `posecheck routine`: the live trainer from the command line."""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from posecheck.auto_variant import AUTO, present_models, resolve_auto
from posecheck.desktop import has_display, open_report
from posecheck.errors import PosecheckError
from posecheck.live.loop import ClipWaits, LiveLoop, NewestFrame

if TYPE_CHECKING:
    from posecheck.live.listen import Listener
from posecheck.live.profile import default_path, load_profile, write_default_profile
from posecheck.live.routine import PHYSIO_NOTICE, ROUTINE_ORDER, Step, create_run, step
from posecheck.live.trainer import INSTRUCTIONS_S, Trainer
from posecheck.live.voice import Voice
from posecheck.models import VARIANTS, resolve_model
from posecheck.pain import parse_rating, rise_advice
from posecheck.pipeline import header_for, needs_mask, search_every_ms
from posecheck.plan import Plan, plan_for, step_on, steps_on
from posecheck.pose import PoseEstimator
from posecheck.session import SessionWriter, new_session_dir
from posecheck.sources import ImagesSource, open_sources
from posecheck.words import count

# Exit statuses besides 0 (done, quit or --max-seconds reached) and 2 (bad input).
EXIT_CAMERA_LOST = 1  # the camera stopped (unplugged, or the video ended) before the session was done
EXIT_INTERRUPTED = 130


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", action="append", metavar="SOURCE",
                        help="webcam index (default 0) or device path, or a video file played in real time as a "
                        "camera: it waits at its first frame until the exercise starts, and the session ends when "
                        "it does; give --source once per exercise to play several clips in the routine's order")
    parser.add_argument("--every-frame", action="store_true",
                        help="with a video file as the camera: infer every frame, as fast as the model goes, not in "
                        "real time (the same session on any machine)")
    parser.add_argument("--variant", choices=(AUTO, *VARIANTS), default=AUTO,
                        help="pose model variant; auto (default): the most accurate one that keeps up with "
                        "the camera, timed on this machine at start")
    parser.add_argument("--model", help="an explicit .task model file (overrides --variant)")
    parser.add_argument("--headless", action="store_true", help="no window: cues are printed")
    parser.add_argument("--windowed", action="store_true",
                        help="a 1280x720 window instead of full screen (full screen, the default, draws everything "
                        "at the screen's size: the largest text to read from the mat)")
    parser.add_argument("--fullscreen", action="store_true", help=argparse.SUPPRESS)  # the default now
    parser.add_argument("--max-seconds", type=float, help="end the session after this many seconds")
    parser.add_argument("--session-dir", help="folder to record the session in (default: a new one in the data folder)")
    parser.add_argument("--profile", help=f"the profile TOML file (default {default_path()})")
    parser.add_argument("--plan", help="the plan file: exercises, targets, notes (default: plan.toml in the config "
                        "folder if there is one, else the routine sheet)")
    parser.add_argument("--record-video", action="store_true",
                        help="keep the camera's video too (also a profile setting)")
    parser.add_argument("--no-voice", action="store_true", help="no spoken cues")
    parser.add_argument("--voice-commands", action=argparse.BooleanOptionalAction, default=False,
                        help="listen on the default microphone for \"pause\", \"go on\", \"next\", \"stop\" and "
                        "\"pain\" (offline; off by default: it listens to the room, and a word that sounds like a "
                        "command is sometimes taken for one)")
    parser.add_argument("--gestures", action=argparse.BooleanOptionalAction, default=True,
                        help="one arm raised and held 1.5 s pauses and goes on, both arms stop for pain (default on)")
    parser.add_argument("--instructions-seconds", type=float, default=INSTRUCTIONS_S,
                        help="seconds the routine's instructions show before each exercise "
                        f"(default {INSTRUCTIONS_S:g})")
    parser.add_argument("--skip-setup-check", action="store_true",
                        help="start each exercise without waiting for the camera set-up check")
    parser.add_argument("--pain-before", metavar="N",
                        help="pain now, 0-10, before the session (the window asks when this is not given)")
    parser.add_argument("--pain-after", metavar="N",
                        help="pain, 0-10, after the session (the window asks at the end when this is not given)")
    parser.add_argument("--no-history", action="store_true", help="do not add the session's report to the history")
    parser.add_argument("--no-open", action="store_true",
                        help="do not open the report in the browser at the end (never opened with --headless)")
    parser.set_defaults(func=run)


EPILOG = (
    "Keys in the window: space pause, n next exercise, r redo, p pain (stop, record it, advice), q quit and save; "
    "asked for pain (0-10): 0-9, t for 10, s skip. Hands-free: one arm raised straight and held 1.5 s pauses "
    "(again: go on), both arms stop for pain; with --voice-commands say pause, go on, next, stop or pain. "
    "A finished set's summary stays up (5 s before the next "
    "exercise, until a key after the last). "
    "Every session is recorded in its folder and ends with its report. Exit status: 0 done, quit or --max-seconds "
    f"reached; {EXIT_CAMERA_LOST} the camera stopped (unplugged, or the video ended) before the end, the session "
    f"is saved; 2 bad input; {EXIT_INTERRUPTED} interrupted (Ctrl-C), the session is saved."
)


def register(sub: argparse._SubParsersAction) -> None:
    live = sub.add_parser("live", help="one exercise with live cues from a webcam", epilog=EPILOG,
                          description="One exercise of the lower-back routine with a live window, cues and counts.")
    live.add_argument("--exercise", required=True, choices=ROUTINE_ORDER, metavar="NAME",
                      help=f"the exercise to do: {', '.join(ROUTINE_ORDER)}")
    _common(live)
    guided = sub.add_parser("routine", help="the whole lower-back routine, guided, in order", epilog=EPILOG,
                            description="The lower-back routine, guided, with live cues: the plan's exercises "
                            "in its order (without a plan, the sheet's five).")
    _common(guided)


def _stdout_announcer(t_ms: int, text: str) -> None:
    print(f"[{t_ms / 1000:7.1f} s] {text}", flush=True)


def _voice_failed(why: str) -> None:
    """The voice stopped working mid-session (said once; the window shows it too)."""
    # stdout: stderr is silenced while MediaPipe starts up, and this may come then.
    print(f"posecheck: voice unavailable: {why}; cues are shown, not spoken", flush=True)


def _listener(voice: Voice) -> Listener | None:
    """The microphone's voice commands, or None (said once) when there is no listening on this machine."""
    from posecheck.live.listen import Listener

    listener = Listener(echo=lambda: voice.speaking)  # the trainer's own words are not commands
    problem = listener.start()
    if problem is not None:
        print(f"posecheck: voice commands unavailable: {problem}; use the keys or the gestures", flush=True)
        return None
    print('voice commands on: say "pause", "go on", "next", "stop" or "pain"', flush=True)
    return listener


def planned_steps(plan: Plan, exercise: str | None, day: date) -> list[Step]:
    """The plan's exercises for `day` (`routine`), or the one asked for (`live`) with the plan's targets and
    note; an exercise the plan leaves out gets the sheet's."""
    if exercise is None:
        return steps_on(plan, day)
    planned = step_on(plan, exercise, day)
    if planned is None:
        print(f"{exercise} is not in the plan: the sheet's targets", flush=True)
    return [planned or step(exercise)]


def run(args: argparse.Namespace) -> int:
    pain = {when: None if text is None else parse_rating(text, f"--pain-{when}")
            for when, text in (("before", args.pain_before), ("after", args.pain_after))}
    today = date.today()
    plan = plan_for(args.plan)
    steps = planned_steps(plan, args.exercise if args.command == "live" else None, today)
    if plan.source is not None:
        day = "" if plan.is_planned_day(today) else f"; today is not a planned day ({plan.schedule_text()})"
        print(f"plan: {plan.source}{day}", flush=True)
    profile, first_run = load_profile(args.profile)
    settings = plan.settings(profile.settings())
    for s in steps:
        create_run(s.exercise, settings)  # every exercise's rules load before the camera opens
    if args.max_seconds is not None and args.max_seconds <= 0:
        raise PosecheckError("--max-seconds must be above 0")
    if not args.headless and not has_display():
        raise PosecheckError("no screen to show the window on (DISPLAY is not set): use --headless")
    # Before opening a camera: fail fast without a model.
    present = present_models() if args.variant == AUTO and args.model is None else None
    resolved = None if present is not None else resolve_model(args.variant, args.model)
    specs = args.source or ["0"]
    source = open_sources(specs)
    if isinstance(source, ImagesSource):
        source.close()
        raise PosecheckError(f"{specs[0]} is a still image or a folder: a live session needs a webcam or a video")
    if args.every_frame and source.live:
        source.close()
        raise PosecheckError("--every-frame needs a video file as the --source: a camera does not wait")
    if first_run and args.headless:
        for line in PHYSIO_NOTICE:
            print(line)
        write_default_profile(args.profile)
    model_info: dict[str, object] = {"variant": resolved.variant if resolved else None, "chosen_by": "--variant"}
    if present is not None:
        print("timing the pose models on this machine ...", flush=True)
        resolved, choice = resolve_auto(present, source.fps, source.size,
                                        any(needs_mask(s.exercise) for s in steps),
                                        any(search_every_ms(s.exercise) == 0 for s in steps))
        print(f"model: {choice.variant}, {choice.why}", flush=True)
        model_info = choice.to_dict()
    session = SessionWriter(new_session_dir(args.session_dir), name=" ".join(s.title for s in steps), profile=settings)
    session.data["model"] = model_info  # saved with the first exercise
    session.data["plan"] = plan.record(today)  # each exercise keeps the targets it was set
    voice = Voice(enabled=profile.voice and not args.no_voice, on_problem=_voice_failed)
    print(voice.status(), flush=True)  # every run, the first included, says whether cues will be heard
    listener = _listener(voice) if args.voice_commands else None
    trainer = Trainer(
        steps, session, header_for(source, resolved), settings=settings, voice=voice,
        announce=_stdout_announcer if args.headless else (lambda t, text: None),
        first_run=first_run and not args.headless, instructions_s=args.instructions_seconds,
        setup_check=not args.skip_setup_check, record_video=args.record_video or profile.record_video,
        on_notice_done=lambda: write_default_profile(args.profile),
        ask_pain=not args.headless, pain_before=pain["before"], pain_after=pain["after"],
        end_screen=not args.headless, gestures=args.gestures, commands=listener,
    )
    status = 0
    window = None
    reader = None
    try:
        with PoseEstimator(resolved.path, mode="live", needs_mask=needs_mask(steps[0].exercise),
                           search_every_ms=search_every_ms(steps[0].exercise)) as estimator:
            if not args.headless:
                from posecheck.live.window import Window

                window = Window(f"posecheck ({resolved.variant or 'own'} model)", fullscreen=not args.windowed)
            # A video stands in for someone on the mat: it waits for the notices and instructions (ClipWaits).
            reader = NewestFrame(source, realtime=not source.live, every_frame=args.every_frame,
                                 pace=None if source.live else ClipWaits(trainer))
            loop = LiveLoop(reader, estimator, trainer, window, args.max_seconds)
            try:
                reason = loop.run()
            except KeyboardInterrupt:
                trainer.finish("interrupted")
                reason, status = "interrupted", EXIT_INTERRUPTED
    finally:
        # Each is closed even if one before it fails (a full disk fails the set's last save too): a camera
        # thread left inside OpenCV aborts the process at exit.
        with contextlib.ExitStack() as closing:
            closing.callback(session.close)
            closing.callback(voice.close)
            if listener is not None:
                closing.callback(listener.close)
            if window is not None:
                closing.callback(window.close)
            closing.callback(reader.close if reader is not None else source.close)
            trainer.finish("error")  # a no-op unless something above failed: the set is still recorded
    if reason == "camera_lost" and not source.live:
        print(f"posecheck: the clip ended before the session was done (the stand-in camera stopped sending frames: "
              f"{source.description}); the session is saved with what was recorded", file=sys.stderr)
        status = EXIT_CAMERA_LOST
    elif reason == "camera_lost":
        print(f"posecheck: the camera stopped sending frames ({source.description}); "
              "the session is saved with what was recorded", file=sys.stderr)
        status = EXIT_CAMERA_LOST
    html = _finish(session, trainer, args.no_history, clip=not source.live)
    rates = loop.stats.rates()
    print(f"camera {rates['camera_fps']:.1f} fps, window {rates['window_fps']:.1f} fps, "
          f"pose {rates['inference_fps']:.1f} fps, frame-to-cue {rates['latency_median_ms']:.0f} ms (median)")
    if html is not None:
        open_report(html, no_open=args.no_open, headless=args.headless)
    return status


def _finish(session: SessionWriter, trainer: Trainer, no_history: bool, clip: bool = False) -> Path | None:
    """A short text summary, then the session's report; returns its HTML file's path if it was written."""
    print(f"session: {session.path}")
    for done in trainer.sets:
        ended_by = "the clip ended" if clip and done["ended_by"] == "camera_lost" else done["ended_by"]
        sides = ", ".join(f"{k} {v}" for k, v in sorted(done["by_side"].items()))
        sides = f" ({sides})" if sides else ""
        focus = f"; work on: {', '.join(done['focus'])}" if done.get("focus") else ""
        print(f"  {done['title']}: {count(done['reps'], 'rep')}{sides}; target {done['target']}; "
              f"ended: {ended_by}{focus}")
    if not trainer.sets:
        print("  no exercise was started (the set-up check never passed or the session ended first)")
    if any(done["ended_by"] == "pain" for done in trainer.sets):
        print("  You stopped for pain: speak to a physiotherapist before doing these exercises again.")
    advice = rise_advice(trainer.pain["before"], trainer.pain["after"])
    if advice is not None:
        print(f"  {advice}.")
    try:
        from posecheck.report import make_report

        files = make_report(session.path, history=not no_history)
    except Exception as error:  # the recording is safe; the report can be made again later
        print(f"posecheck: the report could not be written ({error}); "
              f"run `posecheck report {session.path}` later", file=sys.stderr)
        return None
    print(f"report: {files.html}")
    return files.html
