"""bench: how much does minitorch's readability cost? Timed against torch and NumPy by hand.

Read in this order: timing.py (the interleaved timer), floor.py (the NumPy
floor), inputs.py and cases.py (what is timed, and the check against torch),
workloads.py, measure.py (one case start to end), scaling.py, hotspots.py,
report.py, and __main__.py, which strings them together for `make bench`.
"""
