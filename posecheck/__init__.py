"""posecheck: checks your form in a lower-back routine, on your own machine.

The whole flow, for a video file::

    import exercise_rules
    from posecheck import pipeline

    header, poses = pipeline.poses("samples/video/knee_rolls__correct__left__b0.mp4")  # source -> pose
    run = exercise_rules.get("knee_rolls").run()                  # rules: one state object per run
    for pose in poses:                                            # a PoseFrame, maybe empty
        for event in run.update(pose):                            # events: reps, holds, faults
            print(event.to_dict())
"""

__version__ = "0.1.0"
