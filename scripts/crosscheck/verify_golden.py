#!/usr/bin/env python3
"""Golden values for the verification engine, computed independently.

Generates a random comparisons table (ties, a tiny group, missing attribute
values, cross-group pairs), then computes every per-group value and summary
with numpy, scikit-learn (roc_auc_score), statsmodels (Wilson intervals, at
the cluster-robust effective number of trials: subject ids are known) and
plain brute force (thresholds with k = floor(alpha N) exact for the decimal alpha;
EER by bob.measure's algorithm, eer_golden.bob_eer). Writes
fixtures/golden/verify_random.{csv,json}; tests/crosscheck.rs compares
biasbench against them, so CI needs no Python.

Run: scripts/crosscheck/run.sh   (makes a venv and installs the packages)
"""
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
from eer_golden import bob_eer
from sklearn.metrics import roc_auc_score
from statsmodels.stats.proportion import proportion_confint

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden"
POLICIES = ["fixed:0.5", "global-fmr:0.01", "global-fmr:0.1", "group-fmr:0.05"]
ALPHA = 0.5
MIN_GROUP_SIZE = 1


def make_data(rng):
    races = ["A", "B", "C", "D"]
    sizes = {"A": 60, "B": 40, "C": 30, "D": 3}  # D is tiny
    sexes = ["F", "M"]
    subjects = []
    for r in races:
        for i in range(sizes[r]):
            subjects.append((f"{r}{i:03d}", r, sexes[int(rng.integers(2))]))
    shift = {"A": 0.0, "B": 0.15, "C": 0.3, "D": 0.1}
    rows = []
    for sid, r, s in subjects:
        for _ in range(int(rng.integers(1, 4))):
            score = round(float(rng.normal(0.75 - shift[r] / 2, 0.12)), 2)
            rows.append((sid, sid, 1, score, r, r, s, s))
    by_race = {r: [x for x in subjects if x[1] == r] for r in races}
    for _ in range(2500):
        a = subjects[int(rng.integers(len(subjects)))]
        if rng.random() < 0.7:  # mostly same-race impostors
            pool = by_race[a[1]]
        else:
            pool = subjects
        b = pool[int(rng.integers(len(pool)))]
        if a[0] == b[0]:
            continue
        mean = 0.3 + (shift[a[1]] if a[1] == b[1] else -0.1)
        score = round(float(rng.normal(mean, 0.12)), 2)
        rows.append((a[0], b[0], 0, score, a[1], b[1], a[2], b[2]))
    rows = [list(r) for r in rows]
    # Missing attribute values: a few race_b on non-mated rows, a few sex_a.
    for i in rng.choice(len(rows), 25, replace=False):
        if rows[i][2] == 0:
            rows[i][5] = ""
        else:
            rows[i][6] = ""  # mated row keeps its group from side b
    order = rng.permutation(len(rows))
    return [rows[i] for i in order]


def f(x):
    """JSON-safe float."""
    if isinstance(x, float) and math.isnan(x):
        return "NaN"
    if isinstance(x, float) and math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def threshold_for(scores, alpha):
    """Brute force: smallest observed value v with #{s >= v} <= floor(alpha N),
    alpha the decimal as written (text), so k is exact."""
    s = np.asarray(scores)
    if len(s) == 0:
        return None
    k = math.floor(Fraction(alpha) * len(s))
    for v in np.unique(s):  # ascending
        if np.sum(s >= v) <= k:
            return float(v)
    return float(np.nextafter(s.max(), np.inf))


def wilson(k, n):
    if n == 0:
        return None
    if k == 0:
        return [0.0, 1 - 0.05 ** (1 / n)]
    if k == n:
        return [0.05 ** (1 / n), 1.0]
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return [float(lo), float(hi)]


def design_effect(errors, subjects):
    """Dyadic cluster-robust design effect (src/stats/cluster.rs, written
    anew): errors[i] is 0/1, subjects[i] the subject ids of trial i (one for
    a mated comparison, two for a non-mated one)."""
    N, E = len(errors), sum(errors)
    p = E / N
    es, ns, ed, nd = {}, {}, {}, {}
    for e, ids in zip(errors, subjects):
        for s in set(ids):
            es[s] = es.get(s, 0) + e
            ns[s] = ns.get(s, 0) + 1
        if len(set(ids)) == 2:
            d = frozenset(ids)
            ed[d] = ed.get(d, 0) + e
            nd[d] = nd.get(d, 0) + 1
    m = len(ns)
    if 0 < E < N and m >= 2:
        r = sum((es[s] - p * ns[s]) ** 2 for s in ns) - sum((ed[d] - p * nd[d]) ** 2 for d in nd)
        deff = m / (m - 1) * r / (N * p * (1 - p))
    else:
        deff = (sum(v * v for v in ns.values()) - sum(v * v for v in nd.values())) / N
    return min(max(deff, 1.0), max(N, 1))


def wilson_clustered(errors, deff):
    """Wilson at n_eff = N/deff with p-hat n_eff events (exact one-sided at
    0 or all events)."""
    N = len(errors)
    if N == 0:
        return None
    k = sum(errors)
    if deff == 1.0:
        return wilson(k, N)
    n = N / deff
    if k == 0:
        return [0.0, 1 - 0.05 ** (1 / n)]
    if k == N:
        return [0.05 ** (1 / n), 1.0]
    lo, hi = proportion_confint(k / N * n, n, alpha=0.05, method="wilson")
    return [float(lo), float(hi)]


def eer(mated, nonmated):
    """bob.measure's EER; the threshold reported is the observed score just
    above bob.measure's (a midpoint between two scores)."""
    if len(mated) == 0 or len(nonmated) == 0:
        return None
    m, n = [float(x) for x in mated], [float(x) for x in nonmated]
    value, _, _, t = bob_eer(n, m)
    return {"eer": value, "threshold": min(s for s in m + n if s >= t)}


def summaries(values, counts, is_error):
    g = len(values)
    v = np.asarray(values, dtype=float)
    out = {}
    mx, mn, mean = v.max(), v.min(), v.mean()
    out["max_minus_min"] = mx - mn
    out["max_over_min"] = (math.inf if mx > 0 else math.nan) if mn == 0 else mx / mn
    geo_in = []
    for x, (k, n) in zip(values, counts):
        geo_in.append(1 - 0.05 ** (1 / n) if is_error and k == 0 and n > 0 else x)
    geo = float(np.exp(np.mean(np.log(geo_in)))) if min(geo_in) > 0 else 0.0
    out["max_over_geomean"] = mx / geo if geo > 0 else math.inf
    out["max_over_mean"] = mx / mean if mean > 0 else math.nan
    dsum = float(np.abs(v[:, None] - v[None, :]).sum())
    out["gini"] = dsum / (2 * g * (g - 1) * mean) if g > 1 and mean > 0 else math.nan
    out["std"] = float(np.std(v, ddof=0))
    out["std_sample"] = float(np.std(v, ddof=1)) if g > 1 else math.nan
    return out


def main():
    rng = np.random.default_rng(20261128)
    rows = make_data(rng)
    header = ["subject_a", "subject_b", "mated", "score", "race_a", "race_b", "sex_a", "sex_b"]
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "verify_random.csv", "w") as fh:
        fh.write(",".join(header) + "\n")
        for r in rows:
            fh.write(",".join(str(x) for x in r) + "\n")

    score = np.array([r[3] for r in rows], dtype=float)
    mated = np.array([r[2] == 1 for r in rows])

    def side(attr_idx):
        if len(attr_idx) == 0:
            return ["*"] * len(rows), ["*"] * len(rows)
        a, b = [], []
        for r in rows:
            va = [r[4 + 2 * j] for j in attr_idx]
            vb = [r[5 + 2 * j] for j in attr_idx]
            a.append(None if "" in va else "+".join(va))
            b.append(None if "" in vb else "+".join(vb))
        return a, b

    views = {"*": [], "race": [0], "sex": [1], "race+sex": [0, 1]}
    pool = score[~mated]
    global_t = {}
    for p in POLICIES:
        kind, val = p.split(":")
        if kind == "fixed":
            global_t[p] = float(val)
        elif kind == "global-fmr":
            global_t[p] = threshold_for(pool, val)
    result = {"policies": {p: global_t.get(p) for p in POLICIES}, "views": {}}
    for name, idx in views.items():
        a, b = side(idx)
        groups = sorted({x for x in a + b if x is not None})
        vres = {"groups": {}, "summaries": {}}
        per = {}
        for g in groups:
            mi = [i for i in range(len(rows)) if mated[i] and (a[i] if a[i] is not None else b[i]) == g]
            ni = [i for i in range(len(rows)) if not mated[i] and a[i] == g and b[i] == g]
            m, n = score[mi], score[ni]
            subj = set()
            for i in range(len(rows)):
                if mated[i] and (a[i] if a[i] is not None else b[i]) == g:
                    subj.add(rows[i][0])
                if not mated[i] and a[i] is not None and b[i] is not None:
                    if a[i] == g:
                        subj.add(rows[i][0])
                    if b[i] == g:
                        subj.add(rows[i][1])
            gr = {"mated": len(m), "nonmated": len(n), "subjects": len(subj), "at": {}}
            e = eer(m, n)
            gr["eer"] = e["eer"] if e else "NaN"
            gr["eer_threshold"] = e["threshold"] if e else None
            if len(m) and len(n):
                y = np.concatenate([np.ones(len(m)), np.zeros(len(n))])
                gr["auc"] = float(roc_auc_score(y, np.concatenate([m, n])))
                pooled_sd = math.sqrt((np.var(m) + np.var(n)) / 2)
                gr["dprime"] = f(float((m.mean() - n.mean()) / pooled_sd) if pooled_sd > 0 else math.nan)
            for p in POLICIES:
                kind, val = p.split(":")
                t = threshold_for(n, val) if kind == "group-fmr" else global_t[p]
                if t is None:  # no non-mated comparisons to set a group threshold
                    gr["at"][p] = None
                    continue
                fa, ta = int(np.sum(n >= t)), int(np.sum(m >= t))
                # Subject ids are known: intervals are cluster-robust;
                # accuracy takes the larger design effect of FMR and FNMR.
                fe = [int(score[i] >= t) for i in ni]
                me = [int(score[i] < t) for i in mi]
                fd = design_effect(fe, [rows[i][:2] for i in ni]) if ni else 1.0
                md = design_effect(me, [rows[i][:2] for i in mi]) if mi else 1.0
                acc = [1 - e for e in fe + me]
                gr["at"][p] = {
                    "threshold": t,
                    "fmr": [fa, len(n), wilson_clustered(fe, fd)],
                    "fnmr": [len(m) - ta, len(m), wilson_clustered(me, md)],
                    "accuracy": [ta + len(n) - fa, len(m) + len(n), wilson_clustered(acc, max(fd, md))],
                }
            vres["groups"][g] = gr
            per[g] = gr
        if name != "*":
            inc = [g for g in groups if min(per[g]["mated"], per[g]["nonmated"]) >= MIN_GROUP_SIZE]
            for p in POLICIES:
                s = {}
                rate = lambda g, r: (per[g]["at"][p][r][0] / per[g]["at"][p][r][1]) if per[g]["at"][p][r][1] else math.nan
                cnt = lambda g, r: (per[g]["at"][p][r][0], per[g]["at"][p][r][1])
                for r, is_err in (("fmr", True), ("fnmr", True), ("accuracy", False)):
                    for k, v in summaries([rate(g, r) for g in inc], [cnt(g, r) for g in inc], is_err).items():
                        s[f"{r}.{k}"] = f(v)
                fm = summaries([rate(g, "fmr") for g in inc], [cnt(g, "fmr") for g in inc], True)
                fn = summaries([rate(g, "fnmr") for g in inc], [cnt(g, "fnmr") for g in inc], True)
                s["fdr"] = 1 - (ALPHA * fm["max_minus_min"] + (1 - ALPHA) * fn["max_minus_min"])
                s["ir"] = f(fm["max_over_min"] ** ALPHA * fn["max_over_min"] ** (1 - ALPHA))
                s["garbe"] = f(ALPHA * fm["gini"] + (1 - ALPHA) * fn["gini"])
                s["werm"] = f(fm["max_over_geomean"] ** ALPHA * fn["max_over_geomean"] ** (1 - ALPHA))
                err = [1 - rate(g, "accuracy") for g in inc]
                s["ser"] = f(max(err) / min(err) if min(err) > 0 else math.inf)
                vres["summaries"][p] = s
        result["views"][name] = vres
    with open(OUT / "verify_random.json", "w") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print(f"wrote {OUT / 'verify_random.csv'} ({len(rows)} rows) and verify_random.json")


if __name__ == "__main__":
    main()
