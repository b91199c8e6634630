"""Sample-video generator: a rendered person doing the routine on a mat, with exact ground truth.

A development tool with its own heavy dependencies (the `samples` extra); posecheck never imports it.
"""
