"""bench: how much does minitorch's readability cost? Timed against torch and NumPy by hand.

Read in this order: timing.py (the interleaved timer and the per-round ratios), floor.py
(the NumPy floor), inputs.py and cases.py (what is timed -- the selection rule -- and the
check against torch), workloads.py, measure.py (one case start to end), scaling.py,
hotspots.py, notes.py (why a large case is over 3x torch), report.py, and __main__.py,
which strings them together for `make bench`. Beside them: count.py (`make bench-count`,
instructions per call under cachegrind) and test_bench_pytest.py (`pytest bench
--benchmark-only`, pytest-benchmark as a front end for minitorch's own times).
"""
