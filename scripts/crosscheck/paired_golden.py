#!/usr/bin/env python3
"""Golden values for biasbench's paired comparison of two models: McNemar's
exact test from scipy (binomtest on the discordant trials) and statsmodels
(mcnemar, exact), written to fixtures/golden/paired.json and compared by
tests/golden_paired.rs.
"""
import json
from pathlib import Path

from scipy.stats import binomtest
from statsmodels.stats.contingency_tables import mcnemar

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "paired.json"

# (both, only_a, only_b, neither): small, tied, lopsided and large tables.
TABLES = [
    (59, 6, 16, 80), (0, 0, 5, 95), (3, 4, 4, 39), (10, 1, 0, 89), (0, 0, 0, 10),
    (120, 37, 61, 9782), (5, 250, 213, 100000), (0, 1000, 1100, 10**6),
    (2, 30, 3, 400), (7, 12, 12, 50), (1, 0, 40, 1000), (900, 4000, 3000, 10**7),
]

rows = []
for both, only_a, only_b, neither in TABLES:
    m = only_a + only_b
    p_scipy = binomtest(only_a, m, 0.5).pvalue if m else 1.0
    p_sm = mcnemar([[both, only_a], [only_b, neither]], exact=True).pvalue if m else 1.0
    assert abs(p_scipy - p_sm) <= 1e-12 * max(p_scipy, 1e-300), (both, only_a, only_b)
    rows.append({
        "trials": both + only_a + only_b + neither,
        "both": both,
        "only_a": only_a,
        "only_b": only_b,
        "p": p_scipy,
    })
OUT.write_text(json.dumps({"source": "scipy.stats.binomtest, statsmodels mcnemar(exact=True)",
                           "mcnemar": rows}, indent=1) + "\n")
print(f"wrote {OUT}")
