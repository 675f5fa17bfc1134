"""Release harness: runs the stages against a target and judges them with one budget file."""

__version__ = "0.1.0"
