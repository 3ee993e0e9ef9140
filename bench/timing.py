"""The interleaved timer: every engine of a case takes turns, round after round.

Why not pytest-benchmark's timer: it measures one callable at a time, so a
machine that slows down halfway (a noisy neighbour, a thermal step) would
hit whichever engine happened to be running then. Here each round runs
every engine once, in an order shuffled by a seeded generator, so drift
hits all engines alike; the seed is recorded in the report. A round times
`number` back-to-back calls with `perf_counter_ns` and keeps the mean per
call; the statistics are over rounds (median, quartiles, IQR).

The ratios the report is about (minitorch / torch, minitorch / floor) are
taken round by round: in one round both engines ran within milliseconds of
each other, so a machine that is 20% slower for a while slows both and the
round's ratio stays put. `ratio_stats` gives the median of those per-round
ratios and their quartiles: the ratio's own noise, which the baseline
comparison uses to decide whether a case changed.

A call that never ends must not end the bench: `hard_limit` stops whatever
runs inside it after a number of seconds, by a SIGALRM timer whose handler
raises `CaseTimeout` in the main thread. Python delivers it between two
bytecodes, so a Python loop, a sleep or a sequence of NumPy calls stops
within one NumPy call of the limit (a single C call that never returns is
out of its reach; none of the engines has one).

Read cases.py next: it builds the bodies this module times.
"""

from __future__ import annotations

import contextlib
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np

Body = Callable[[], object]


@dataclass(frozen=True)
class Budget:
    """How long to spend on one case: seconds per engine, and the bounds on rounds."""

    seconds: float = 0.3
    min_rounds: int = 5
    max_rounds: int = 31
    warmup_seconds: float = 0.02
    # A slow case (a 1024 x 1024 decomposition: a second a call) would spend min_rounds
    # calls per engine; past slow_seconds per engine it gets fewer rounds, never under
    # SLOW_MIN_ROUNDS (the quartiles of the per-round ratios need a few rounds).
    slow_seconds: float = 1.5


@dataclass(frozen=True)
class Stats:
    """Per-call times of one engine on one case, in nanoseconds, over `rounds` rounds."""

    median_ns: float
    q1_ns: float
    q3_ns: float
    rounds: int
    number: int  # calls per round

    @property
    def iqr_pct(self) -> float:
        """Interquartile range as a percentage of the median (the report's noise measure)."""
        return 100.0 * (self.q3_ns - self.q1_ns) / self.median_ns if self.median_ns else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "iqr_pct": self.iqr_pct}


@dataclass(frozen=True)
class RatioStats:
    """A ratio of two engines' times, one value per round: median and quartiles."""

    median: float
    q1: float
    q3: float
    rounds: int

    @property
    def iqr_pct(self) -> float:
        """The ratio's interquartile range as a percentage of its median."""
        return 100.0 * (self.q3 - self.q1) / self.median if self.median else 0.0

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "iqr_pct": self.iqr_pct}


class CaseTimeout(Exception):
    """A call ran past its hard limit (raised by hard_limit's timer)."""


@contextlib.contextmanager
def hard_limit(seconds: float | None) -> Iterator[None]:
    """Raise CaseTimeout in the body once `seconds` have passed (None or 0: no limit).

    Only the main thread receives signals; elsewhere (a test runner's thread) the body runs
    unlimited. Limits nest: an inner limit never outlives the outer one's deadline.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    if outer_left and outer_left < seconds:  # the outer limit comes first: it stays in charge
        yield
        return
    started = time.monotonic()

    def expire(signum: int, frame: object) -> None:
        raise CaseTimeout(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        try:  # the timer fires once: past this line no CaseTimeout can interrupt the restore
            signal.setitimer(signal.ITIMER_REAL, 0)
        finally:
            signal.signal(signal.SIGALRM, previous)
            if outer_left:  # re-arm the outer limit with what is left of it
                left = outer_left - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def ratio_stats(num_ns: list[float], den_ns: list[float]) -> RatioStats:
    """Median and quartiles of num/den taken round by round (the lists are aligned by round)."""
    if len(num_ns) != len(den_ns) or not num_ns:
        raise ValueError(f"ratio_stats: {len(num_ns)} rounds against {len(den_ns)}")
    r = np.asarray(num_ns, dtype=np.float64) / np.maximum(np.asarray(den_ns, np.float64), 1e-9)
    q1, med, q3 = np.percentile(r, [25, 50, 75])
    return RatioStats(float(med), float(q1), float(q3), len(r))


def stats_from_samples(per_call_ns: list[float], number: int) -> Stats:
    """Median and quartiles of per-call times (one sample per round)."""
    a = np.asarray(per_call_ns, dtype=np.float64)
    q1, med, q3 = np.percentile(a, [25, 50, 75])
    return Stats(float(med), float(q1), float(q3), len(a), number)


def warm_up(body: Body, seconds: float, warmed: bool = False) -> float:
    """Run body until warm (at least 3 calls and `seconds`; 2 calls for a body slower than
    `seconds`); return its typical ns per call.

    Typical is the median of the calls after the first (which pays for caches and lazy
    set-up), so that one lucky or unlucky call does not set the plan. warmed: the op already
    ran once in this process (the check's call), so a body slower than `seconds` needs one
    call here, not two (its time is what sets the plan).
    """
    min_calls = 1 if warmed else 2
    end = time.perf_counter() + seconds
    times: list[int] = []
    while (len(times) < min_calls or (len(times) < 3 and times[-1] < seconds * 1e9)
           or (time.perf_counter() < end and len(times) < 200)):
        t0 = time.perf_counter_ns()
        body()
        times.append(time.perf_counter_ns() - t0)
    return float(max(np.median(times[1:] if len(times) > 1 else times), 1))


SLOW_MIN_ROUNDS = 5
TRUSTED_FIRST_CALL = 0.25  # seconds: a check's call this slow plans the rounds by itself


def plan(per_call_ns: float, budget: Budget) -> tuple[int, int]:
    """(rounds, number): spend about budget.seconds per engine, at least min_rounds rounds
    (fewer, down to SLOW_MIN_ROUNDS, when min_rounds calls would pass budget.slow_seconds)."""
    total_calls = max(1.0, budget.seconds * 1e9 / per_call_ns)
    min_rounds = budget.min_rounds
    if per_call_ns * min_rounds > budget.slow_seconds * 1e9:
        affordable = int(budget.slow_seconds * 1e9 // per_call_ns)
        min_rounds = max(min(SLOW_MIN_ROUNDS, min_rounds), affordable)
    rounds = int(min(budget.max_rounds, max(min_rounds, total_calls)))
    number = max(1, math.floor(total_calls / rounds))
    return rounds, number


def time_interleaved(
    bodies: dict[str, Body], budget: Budget, rng: np.random.Generator
) -> dict[str, Stats]:
    """Time every body in `bodies`, interleaved round by round; the statistics per engine."""
    samples, numbers = time_rounds(bodies, budget, rng)
    return {n: stats_from_samples(samples[n], numbers[n]) for n in bodies}


def time_rounds(
    bodies: dict[str, Body], budget: Budget, rng: np.random.Generator,
    first_calls: dict[str, float | None] | None = None,
) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Per engine, the per-call time of every round (aligned by round), and calls per round.

    All engines get the same number of rounds (set by the slowest engine), and
    each its own `number` of calls per round so that a round of a 2 us op is not
    a single clock reading. first_calls: seconds of each engine's untimed first call
    (the check's), if it made one: its warm-up then starts warm, and a call of
    TRUSTED_FIRST_CALL or more, confirmed by one more such call, is its own estimate (no
    warm-up): a cold call's extra milliseconds are then a few percent of it, while a cold
    first call can be many times the steady one and would plan too few calls per round.
    """
    names = list(bodies)
    first_calls = first_calls or {}

    def estimate(n: str) -> float:
        first = first_calls.get(n)
        if first is not None and first >= TRUSTED_FIRST_CALL:
            # one more call confirms it: a cold first call of 0.25 s can be a 0.2 ms body
            # (torch's first backward), which planned at 1 call a round measured torch's
            # call between minitorch's rounds at 4-5x its time in a loop
            t0 = time.perf_counter_ns()
            bodies[n]()
            second = time.perf_counter_ns() - t0
            if second >= TRUSTED_FIRST_CALL * 1e9:
                return float(second)
        return warm_up(bodies[n], budget.warmup_seconds, first is not None)

    estimates = {n: estimate(n) for n in names}
    rounds = min(plan(estimates[n], budget)[0] for n in names)
    numbers = {
        n: max(1, math.floor(budget.seconds * 1e9 / estimates[n] / rounds)) for n in names
    }
    samples: dict[str, list[float]] = {n: [] for n in names}
    order = list(names)
    perf = time.perf_counter_ns
    for _ in range(rounds):
        rng.shuffle(order)
        for n in order:
            body, number = bodies[n], numbers[n]
            t0 = perf()
            for _ in range(number):
                body()
            samples[n].append((perf() - t0) / number)
    return samples, numbers
