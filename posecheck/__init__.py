"""posecheck: checks your form in a lower-back routine, on your own machine.

The whole flow, for a video file::

    from posecheck import pipeline
    frames = pipeline.video_frames("samples/knee_rolls.mp4")      # source: (timestamp, image)
    poses = pipeline.estimate(frames, variant="full")              # pose: PoseFrame per frame
    run = pipeline.exercise_run("knee_rolls")                      # rules: one state object per run
    for pose in poses:
        for event in run.update(pose):                             # events: reps, holds, faults
            print(event)
"""

__version__ = "0.1.0"
