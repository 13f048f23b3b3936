#!/usr/bin/env python3
"""Golden values for biasbench's special functions, intervals and tests, from
scipy and statsmodels: fixtures/golden/special.json, compared by
tests/golden_special.rs.

Where few events meet huge counts (k or n - k <= 100, n >= 1e6) the Clopper-Pearson and
Jeffreys bounds are also computed with 50-digit mpmath, from the positive
series I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * sum (a+b)_n/(a+1)_n x^n, and that
value is the reference: scipy's beta.ppf (Boost) is off by up to 1e-8
relative there (e.g. k = 1..3, n = 1e9), which a 50-digit bisection confirms.
"""
import json
from pathlib import Path

import mpmath as mp
import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "special.json"

COUNTS = [
    (1, 10), (5, 10), (9, 10), (7, 20), (1, 1000), (500, 1000), (3, 10**9), (1, 10**9),
    (50, 10**8), (123456, 10**7), (5 * 10**5, 10**6), (3, 10**12), (10**6, 10**12),
    (5 * 10**11, 10**12), (10**12 - 3, 10**12), (29, 3000),
]
LEVELS = [0.9, 0.95, 0.99]


mp.mp.dps = 50


def inc_mp(a, b, x):
    """Regularised incomplete beta by the positive series, at 50 digits."""
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    term, total, n = mp.mpf(1), mp.mpf(1), 0
    while True:
        term *= (a + b + n) / (a + 1 + n) * x
        total += term
        n += 1
        if term < total * mp.mpf(10) ** -45:
            break
    return x**a * (1 - x) ** b / (a * mp.beta(a, b)) * total


def quantile_mp(a, b, p):
    """Beta(a, b) quantile by bisection in log space (a small, b possibly huge)."""
    p = mp.mpf(p)
    lo, hi = mp.mpf(10) ** -30, min(mp.mpf(1) / 2, 100 * (a + 10) / mp.mpf(a + b))
    for _ in range(200):
        mid = mp.sqrt(lo * hi)
        if inc_mp(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def bounds_mp(k, n, alpha, method):
    """Two-sided bounds at 50 digits, for few events (or few non-events)."""
    if n - k < k:  # mirror: bounds of the non-event rate
        lo, hi = bounds_mp(n - k, n, alpha, method)
        return 1 - hi, 1 - lo
    if method == "clopper-pearson":
        return quantile_mp(k, n - k + 1, alpha / 2), quantile_mp(k + 1, n - k, 1 - alpha / 2)
    return quantile_mp(k + 0.5, n - k + 0.5, alpha / 2), quantile_mp(k + 0.5, n - k + 0.5, 1 - alpha / 2)


def main():
    out = {"intervals": [], "one_sided_zero": [], "normal_quantile": [], "chi2_sf": [],
           "fisher": [], "two_proportion": [], "holm": []}
    for k, n in COUNTS:
        for level in LEVELS:
            a = 1 - level
            row = {"k": k, "n": n, "level": level}
            for method, name in (("beta", "clopper-pearson"), ("jeffreys", "jeffreys"), ("wilson", "wilson")):
                lo, hi = proportion_confint(k, n, alpha=a, method=method)
                row[name] = [float(lo), float(hi)]
            if min(k, n - k) <= 100 and n >= 10**6:
                for name in ("clopper-pearson", "jeffreys"):
                    row["scipy " + name] = row[name]
                    row[name] = [float(v) for v in bounds_mp(k, n, mp.mpf(1) - mp.mpf(str(level)), name)]
            out["intervals"].append(row)
    for n in [1, 2, 10, 1000, 10**9, 10**12]:
        for level in LEVELS:
            # Exact one-sided upper bound after 0 events: 1 - (1 - level)^(1/n).
            out["one_sided_zero"].append({"n": n, "level": level, "upper": float(-np.expm1(np.log(1 - level) / n))})
    for p in [1e-300, 1e-20, 1e-9, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.999, 1 - 1e-12]:
        out["normal_quantile"].append({"p": p, "x": float(stats.norm.ppf(p))})
    for x, df in [(0.5, 1), (3.84, 1), (10.0, 3), (50.0, 7), (1e-3, 2), (200.0, 5), (7.0, 7)]:
        out["chi2_sf"].append({"x": x, "df": df, "sf": float(stats.chi2.sf(x, df))})
    for table in [[[3, 7], [9, 1]], [[0, 10], [5, 5]], [[1, 30], [4, 20]], [[12, 188], [25, 175]], [[0, 5], [0, 7]]]:
        res = stats.fisher_exact(table)
        out["fisher"].append({"table": table, "p": float(res.pvalue)})
    for k1, n1, k2, n2 in [(30, 1000, 50, 1000), (380, 3000, 124, 3000), (5, 10**6, 9, 10**6)]:
        p = (k1 + k2) / (n1 + n2)
        z = (k1 / n1 - k2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
        out["two_proportion"].append({"k1": k1, "n1": n1, "k2": k2, "n2": n2, "z": float(z), "p": float(2 * stats.norm.sf(abs(z)))})
    for ps in [[0.01, 0.04, 0.03, 0.2], [0.5, 0.001], [0.02, 0.02, 0.02]]:
        out["holm"].append({"p": ps, "adjusted": [float(x) for x in multipletests(ps, method="holm")[1]]})
    # Chi-square homogeneity of a 2 x G table (errors, non-errors per group).
    out["homogeneity"] = []
    for k, n in [([10, 20, 30], [100, 100, 100]), ([380, 144, 124, 153], [3000] * 4), ([0, 3], [50, 60])]:
        table = np.array([k, np.array(n) - np.array(k)])
        chi2, p, dof, _ = stats.chi2_contingency(table, correction=False)
        out["homogeneity"].append({"errors": k, "trials": n, "chi2": float(chi2), "df": int(dof), "p": float(p)})
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
