"""Special functions NumPy lacks: erf and erfc on arrays, to about 1 ulp in float64.

We follow fdlibm's s_erf.c (Sun, 1993; still FreeBSD's and glibc's erf): split
|x| into four intervals, fit a rational function in each, and for the tails
write erfc(x) = exp(-x*x - 0.5625 + R/S) / x. Each interval is a boolean mask,
so a whole array goes through in a few NumPy calls. Read ops/elementwise.py
for the ops that use these.
"""

from __future__ import annotations

import math

import numpy as np

from minitorch.autograd.higher_order import TracedArray, traced

__all__ = ["erf_array", "erfc_array"]

# The coefficients are fdlibm's, digit for digit; each decimal string rounds to
# exactly the double whose bits s_erf.c gives next to it (checked when written).

# erf(1) rounded to 24 bits, so erx + P/Q carries the tail of erf(1) in P/Q.
ERX = 8.45062911510467529297e-01  # 0x3FEB0AC1 60000000
# 2/sqrt(pi) - 1, and 8 times it: erf(x) ~ x + EFX*x below 2**-28.
EFX = 1.28379167095512586316e-01  # 0x3FC06EBA 8214DB69
EFX8 = 1.02703333676410069053e00  # 0x3FF06EBA 8214DB69

# |x| < 0.84375:  erf(x) = x + x * PP(x*x) / QQ(x*x).  Lowest degree first.
PP = (
    1.28379167095512558561e-01,  # 0x3FC06EBA 8214DB68
    -3.25042107247001499370e-01,  # 0xBFD4CD7D 691CB913
    -2.84817495755985104766e-02,  # 0xBF9D2A51 DBD7194F
    -5.77027029648944159157e-03,  # 0xBF77A291 236668E4
    -2.37630166566501626084e-05,  # 0xBEF8EAD6 120016AC
)
QQ = (
    1.0,
    3.97917223959155352819e-01,  # 0x3FD97779 CDDADC09
    6.50222499887672944485e-02,  # 0x3FB0A54C 5536CEBA
    5.08130628187576562776e-03,  # 0x3F74D022 C4D36B0F
    1.32494738004321644526e-04,  # 0x3F215DC9 221C1A10
    -3.96022827877536812320e-06,  # 0xBED09C43 42A26120
)

# 0.84375 <= |x| < 1.25:  erf(|x|) = ERX + PA(s) / QA(s) with s = |x| - 1.
PA = (
    -2.36211856075265944077e-03,  # 0xBF6359B8 BEF77538
    4.14856118683748331666e-01,  # 0x3FDA8D00 AD92B34D
    -3.72207876035701323847e-01,  # 0xBFD7D240 FBB8C3F1
    3.18346619901161753674e-01,  # 0x3FD45FCA 805120E4
    -1.10894694282396677476e-01,  # 0xBFBC6398 3D3E28EC
    3.54783043256182359371e-02,  # 0x3FA22A36 599795EB
    -2.16637559486879084300e-03,  # 0xBF61BF38 0A96073F
)
QA = (
    1.0,
    1.06420880400844228286e-01,  # 0x3FBB3E66 18EEE323
    5.40397917702171048937e-01,  # 0x3FE14AF0 92EB6F33
    7.18286544141962662868e-02,  # 0x3FB2635C D99FE9A7
    1.26171219808761642112e-01,  # 0x3FC02660 E763351F
    1.36370839120290507362e-02,  # 0x3F8BEDC2 6B51DD1C
    1.19844998467991074170e-02,  # 0x3F888B54 5735151D
)

# 1.25 <= |x| < 1/0.35:  erfc(|x|) = exp(-x*x - 0.5625 + RA(s) / SA(s)) / |x|, s = 1/x**2.
RA = (
    -9.86494403484714822705e-03,  # 0xBF843412 600D6435
    -6.93858572707181764372e-01,  # 0xBFE63416 E4BA7360
    -1.05586262253232909814e01,  # 0xC0251E04 41B0E726
    -6.23753324503260060396e01,  # 0xC04F300A E4CBA38D
    -1.62396669462573470355e02,  # 0xC0644CB1 84282266
    -1.84605092906711035994e02,  # 0xC067135C EBCCABB2
    -8.12874355063065934246e01,  # 0xC0545265 57E4D2F2
    -9.81432934416914548592e00,  # 0xC023A0EF C69AC25C
)
SA = (
    1.0,
    1.96512716674392571292e01,  # 0x4033A6B9 BD707687
    1.37657754143519042600e02,  # 0x4061350C 526AE721
    4.34565877475229228821e02,  # 0x407B290D D58A1A71
    6.45387271733267880336e02,  # 0x40842B19 21EC2868
    4.29008140027567833386e02,  # 0x407AD021 57700314
    1.08635005541779435134e02,  # 0x405B28A3 EE48AE2C
    6.57024977031928170135e00,  # 0x401A47EF 8E484A93
    -6.04244152148580987438e-02,  # 0xBFAEEFF2 EE749A62
)

# 1/0.35 <= |x| < 28:  the same form with RB / SB.
RB = (
    -9.86494292470009928597e-03,  # 0xBF843412 39E86F4A
    -7.99283237680523006574e-01,  # 0xBFE993BA 70C285DE
    -1.77579549177547519889e01,  # 0xC031C209 555F995A
    -1.60636384855821916062e02,  # 0xC064145D 43C5ED98
    -6.37566443368389627722e02,  # 0xC083EC88 1375F228
    -1.02509513161107724954e03,  # 0xC0900461 6A2E5992
    -4.83519191608651397019e02,  # 0xC07E384E 9BDC383F
)
SB = (
    1.0,
    3.03380607434824582924e01,  # 0x403E568B 261D5190
    3.25792512996573918826e02,  # 0x40745CAE 221B9F0A
    1.53672958608443695994e03,  # 0x409802EB 189D5118
    3.19985821950859553908e03,  # 0x40A8FFB7 688C246A
    2.55305040643316442583e03,  # 0x40A3F219 CEDF3BE6
    4.74528541206955367215e02,  # 0x407DA874 E79FE763
    -2.24409524465858183362e01,  # 0xC03670E2 42712D62
)

# Interval edges as the high 32 bits of |x|, compared the way s_erf.c compares them.
_HI_TINY = 0x00800000  # 2**-1015: below it x + EFX*x would lose bits to underflow
_HI_2M56 = 0x3C700000  # 2**-56: erfc(x) rounds to 1 - x
_HI_2M28 = 0x3E300000  # 2**-28: erf(x) = x + EFX*x to full precision
_HI_QUARTER = 0x3FD00000  # 0.25
_HI_084375 = 0x3FEB0000  # 0.84375
_HI_125 = 0x3FF40000  # 1.25
_HI_ERF_RB = 0x4006DB6E  # ~1/0.35 for erf; erfc switches one step earlier (as in fdlibm)
_HI_ERFC_RB = 0x4006DB6D
_HI_6 = 0x40180000  # 6: erf rounds to +-1, erfc(-x) to 2
_HI_28 = 0x403C0000  # 28: erfc(x) underflows to 0
_HI_INF = 0x7FF00000  # inf or nan

_LOW_WORD_MASK = np.uint64(0xFFFFFFFF00000000)


def _poly(t: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    """Horner's rule, c0 + t*(c1 + t*(c2 + ...)), in fdlibm's order of operations."""
    acc = np.full_like(t, coeffs[-1])
    for c in coeffs[-2::-1]:
        acc = c + t * acc
    return acc


def _prepare(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A flat float64 copy of x, the high word of |x| (an int64) and the sign bits."""
    x64 = np.ascontiguousarray(x, dtype=np.float64).reshape(-1)
    hi = (x64.view(np.uint64) >> np.uint64(32)).astype(np.int64) & 0x7FFFFFFF
    return x64, hi, np.signbit(x64)


def _finish(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Back to x's shape, and to x's dtype when x is floating (float64 otherwise)."""
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    return out.reshape(x.shape).astype(dtype, copy=False)


def _exp_tail(a: np.ndarray, r: np.ndarray, s: np.ndarray) -> np.ndarray:
    """exp(-a*a - 0.5625 + r/s) / a, for 1.25 <= a < 28, without losing a*a's low bits.

    a*a is not exact in a double; with z = a cut to its high 32 bits, z*z is
    exact and -a*a = -z*z + (z - a)*(z + a), so the error stays in a small term.
    """
    z = (a.view(np.uint64) & _LOW_WORD_MASK).view(np.float64)
    return np.exp(-z * z - 0.5625) * np.exp((z - a) * (z + a) + r / s) / a


def _tail_ratio(a: np.ndarray, use_rb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R(1/a**2) and S(1/a**2): RA/SA where use_rb is False, RB/SB where it is True."""
    s = 1.0 / (a * a)
    r = np.empty_like(a)
    q = np.empty_like(a)
    ra = ~use_rb
    r[ra], q[ra] = _poly(s[ra], RA), _poly(s[ra], SA)
    r[use_rb], q[use_rb] = _poly(s[use_rb], RB), _poly(s[use_rb], SB)
    return r, q


_SMALL = 64  # below this many elements, erf_array asks libm (math.erf), which is as exact


def _edge(hi_word: int) -> float:
    """The double whose high word is hi_word and low word 0: |x| >= it is s_erf.c's hi >= hi_word
    (non-negative doubles order as their bit patterns do)."""
    return float(np.array([hi_word << 32], np.uint64).view(np.float64)[0])


# erf's pieces, in |x|: the piece of a is the number of these edges <= a (nan and inf: 7).
_ERF_EDGES = np.array([_edge(h) for h in (_HI_TINY, _HI_2M28, _HI_084375, _HI_125, _HI_ERF_RB,
                                          _HI_6, _HI_INF)])


def _horner(t: np.ndarray, coeffs: tuple[float, ...]) -> np.ndarray:
    """_poly's exact operations (c0 + t*(c1 + ...)) done in place, with one allocation."""
    acc = t * coeffs[-1]
    for c in coeffs[-2:0:-1]:
        acc += c
        acc *= t
    acc += coeffs[0]
    return acc


def _erf_tail(a: np.ndarray, ratio: tuple[tuple[float, ...], tuple[float, ...]]) -> np.ndarray:
    s = 1.0 / (a * a)
    return 1.0 - _exp_tail(a, _horner(s, ratio[0]), _horner(s, ratio[1]))


def _erf_small(a: np.ndarray) -> np.ndarray:
    zz = a * a
    return a + a * (_horner(zz, PP) / _horner(zz, QQ))


def _erf_special(a: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(a), a, 1.0)  # erf(+-inf) = +-1; nan stays nan


# erf(|x|) on each piece, the formulas of s_erf.c (erf is odd: the sign is put back last).
_ERF_PIECES = (
    lambda a: 0.125 * (8.0 * a + EFX8 * a),  # below 2**-1015: scaled so subnormals keep bits
    lambda a: a + EFX * a,
    _erf_small,
    lambda a: ERX + _horner(a - 1.0, PA) / _horner(a - 1.0, QA),
    lambda a: _erf_tail(a, (RA, SA)),
    lambda a: _erf_tail(a, (RB, SB)),
    lambda a: np.ones_like(a),  # 1 - erfc(6) rounds to 1
    _erf_special,
)


_BLOCK = 32768  # float64 elements per block: a few of its temporaries fit in L2


def _erf_block(xf: np.ndarray, out: np.ndarray) -> None:
    """out = erf(xf) for one block (float64, 1-d), piece by piece."""
    a = np.abs(xf)
    piece = np.zeros(a.shape, np.uint8)
    for edge in _ERF_EDGES:
        piece += a >= edge  # nan compares False: caught below with inf
    piece[np.isnan(a)] = len(_ERF_PIECES) - 1
    counts = np.bincount(piece, minlength=len(_ERF_PIECES))
    for k, formula in enumerate(_ERF_PIECES):
        if counts[k] == a.size:  # one piece only: no gather, no scatter
            out[:] = formula(a)
        elif counts[k]:
            where = np.flatnonzero(piece == k)
            out[where] = formula(a[where])
    np.copysign(out, xf, out=out)


def erf_array(x: np.ndarray) -> np.ndarray:
    """erf(x) elementwise, computed in float64 and returned in x's float dtype.

    float32 comes back as the correctly rounded float64 result cast to float32;
    torch computes float32 erf in float32, so we agree within its tolerance, not
    bit for bit. Non-floating input gives float64: the op picks torch's dtype.
    nan stays nan, erf(+-inf) = +-1, erf(-0.0) = -0.0.

    Speed: x goes through in blocks that stay in cache (about twice as fast as whole-array
    passes); in a block, each element's piece is counted from one compare per edge, and
    each non-empty piece is computed on a gathered contiguous copy and put back.

    On a TracedArray (a backward under create_graph=True, e.g. gelu's) it is the recorded
    op minitorch.erf, whose own backward is erf's derivative.
    """
    if type(x) is TracedArray:
        from minitorch.ops.elementwise import erf  # (elementwise imports this module)

        return traced(erf(x.tensor))
    x = np.asarray(x)
    if x.size <= _SMALL:  # a dozen masked passes cost more than libm's erf element by element
        dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        flat = [math.erf(v) for v in x.astype(np.float64).ravel().tolist()]
        return np.asarray(flat, dtype=np.float64).reshape(x.shape).astype(dt)
    xf = np.asarray(x, dtype=np.float64).reshape(-1)
    out = np.empty_like(xf)
    with np.errstate(under="ignore", over="ignore", invalid="ignore", divide="ignore"):
        for start in range(0, xf.size, _BLOCK):
            _erf_block(xf[start:start + _BLOCK], out[start:start + _BLOCK])
    return _finish(out, x)


def erfc_array(x: np.ndarray) -> np.ndarray:
    """erfc(x) = 1 - erf(x) elementwise, without the cancellation, in x's float dtype.

    Same dtype rule as erf_array. nan stays nan, erfc(+inf) = 0, erfc(-inf) = 2;
    erfc(x) underflows to 0 for x >= 28 (through subnormals from about 26.5).
    """
    x = np.asarray(x)
    xf, hi, neg = _prepare(x)
    a = np.abs(xf)
    out = np.empty_like(xf)

    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        special = hi >= _HI_INF
        xs = xf[special]
        out[special] = np.where(np.isnan(xs), xs, np.where(xs > 0, 0.0, 2.0))

        m = hi < _HI_2M56
        out[m] = 1.0 - xf[m]

        m = (hi >= _HI_2M56) & (hi < _HI_084375)
        xm = xf[m]
        zz = xm * xm
        y = _poly(zz, PP) / _poly(zz, QQ)
        # Below 1/4 (and for every negative x) 1 - erf(x) loses nothing; above it
        # fdlibm writes 0.5 - (x*y + (x - 0.5)) to keep the cancellation exact.
        low = neg[m] | (hi[m] < _HI_QUARTER)
        out[m] = np.where(low, 1.0 - (xm + xm * y), 0.5 - (xm * y + (xm - 0.5)))

        m = (hi >= _HI_084375) & (hi < _HI_125)
        s = a[m] - 1.0
        pq = _poly(s, PA) / _poly(s, QA)
        out[m] = np.where(neg[m], 1.0 + (ERX + pq), (1.0 - ERX) - pq)

        m = (hi >= _HI_125) & (hi < _HI_28) & ~(neg & (hi >= _HI_6))
        am = a[m]
        r, q = _tail_ratio(am, hi[m] >= _HI_ERFC_RB)
        t = _exp_tail(am, r, q)
        out[m] = np.where(neg[m], 2.0 - t, t)

        m = (hi >= _HI_6) & (hi < _HI_INF) & neg  # 2 - erfc(6) rounds to 2
        out[m] = 2.0

        m = (hi >= _HI_28) & (hi < _HI_INF) & ~neg
        out[m] = 0.0

    return _finish(out, x)
