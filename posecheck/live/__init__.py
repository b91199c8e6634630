"""The live trainer: a webcam (or a video standing in for one), the pose, the rules, a window and cues.

    posecheck routine                          # the five exercises in the routine's order
    posecheck live --exercise knee_rolls       # one exercise
    posecheck live --exercise knee_rolls --source clip.mp4 --headless --max-seconds 30

Flow per exercise: the routine's instructions -> the set-up check -> the exercise (rules on every new
pose) -> the next exercise. The camera is read on its own thread that keeps only the newest frame;
inference runs in MediaPipe's live-stream mode one frame at a time, so a slow model drops frames
instead of queueing them, and the window redraws at the camera's rate. Every session is recorded
(posecheck.session) and ends with its report.
"""
