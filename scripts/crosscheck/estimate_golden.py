#!/usr/bin/env python3
"""Golden values for the age-estimation audit (`biasbench estimate`),
computed independently with numpy/pandas, MAE also by fairlearn.

Writes the fixture fixtures/estimate/ages.csv (generated here, seeded) and
the golden file fixtures/golden/estimate.json; tests/golden_estimate.rs runs
the binary on the fixture, weighted (--weight w --subject subject_id) and
unweighted, and compares every value.

The fixture: 2 sexes x 3 regions (region C small), subjects with 1-4 images,
integer true ages 0-91 (most around the legal ages), estimates on a
quarter-year grid with
* estimates exactly at the challenge thresholds (18, 20.5, 25: a tie admits),
* errors exactly at the cumulative-score tolerances (|e| = 1, 2.5, 5, 10),
* estimates outside [0, 130] (-2, -0.25, 130.25, 140) and at its ends (0, 130),
* weights on a 1/8 grid, some 0 (every sum of the fixture is exact in binary
  floating point, so the order of summation cannot matter and the values
  must agree to the last bit),
* a hand-made group (region D) whose weighted median AE falls exactly at
  half the weight with a zero-weight row between the two middle values,
* a hand-made group (region E) of weight 0 (undefined when weighted).

Per group of every view (pooled "*", sex, region, sex+region):
rows, weight (Σw), out_of_range, MAE, bias, RMSE, median AE (weighted
median: drop rows of weight 0, sort |e|, the first value whose cumulative
weight reaches half the total; the midpoint of it and the next value when
the cumulative weight equals half exactly — numpy.median for unit weights,
checked), MAE and bias by true-age band (rows and weight of rows with w > 0),
CS(θ) and, per challenge, the false-admit and false-refusal rates with their
weighted events and trials. Intervals are not computed here.

MAE per group is also computed with fairlearn's MetricFrame(mean_absolute_error,
sample_params for the weights; groups of weight 0 left out, np.average
refuses them) and must agree with numpy to 1e-12. And the fixture must tell
each convention (a tie at T admits, |e| = θ counts, zero weights stay out of
the median, the midpoint at exactly half, a-b ends before b+1, 0 and 130 are
in range) from its plausible mistake: the script recomputes everything with
each mistake and fails if no value changes.

Run: /work/venv-cc/bin/python scripts/crosscheck/estimate_golden.py
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from sklearn.metrics import mean_absolute_error

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "fixtures" / "estimate" / "ages.csv"
OUT = ROOT / "fixtures" / "golden" / "estimate.json"

ATTRS = ["sex", "region"]
CS = [1.0, 2.5, 5.0, 10.0]
# A gap (40-64): rows there belong to no band.
BANDS = "0-12,13-17,18-24,25-39,65-"
CHALLENGES = ["18:25", "18:25:13-17:18-30", "16:18", "21:25::21-24", "18:20.5:13-17"]
LOW, HIGH = 0.0, 130.0


def quarter(x):
    return float(np.round(x * 4.0) / 4.0)


def make_data(rng):
    """Subjects with 1-4 images each; columns subject_id, sex, region, age,
    predicted_age, w."""
    bias = {("F", "A"): -1.0, ("F", "B"): 0.5, ("F", "C"): 2.0,
            ("M", "A"): 1.0, ("M", "B"): -0.5, ("M", "C"): 3.0}
    spread = {"A": 3.0, "B": 4.5, "C": 6.0}
    rows = []
    n_subjects = {"A": 80, "B": 70, "C": 22}
    for region, n in n_subjects.items():
        for i in range(n):
            sid = f"{region}{i:03d}"
            sex = "F" if rng.random() < 0.5 else "M"
            u = rng.random()
            if u < 0.15:
                age = int(rng.integers(0, 13))
            elif u < 0.75:
                age = int(rng.integers(13, 31))
            else:
                age = int(rng.integers(31, 91))
            for _ in range(int(rng.integers(1, 5))):
                a = age + int(rng.random() < 0.2)  # photos a year apart
                est = quarter(a + bias[(sex, region)] + rng.normal(0.0, spread[region]))
                w = 0.0 if rng.random() < 0.08 else float(rng.integers(1, 33)) / 8.0
                rows.append([sid, sex, region, a, est, w])
    rng.shuffle(rows)
    # Ties and edges placed on chosen rows (by position, deterministic).
    n = len(rows)
    picks = iter(rng.permutation(n))

    def put(pred_fn, cond, k):
        done = 0
        for i in picks:
            if cond(rows[i][3]):
                rows[i][4] = pred_fn(rows[i][3])
                done += 1
                if done == k:
                    return
        raise RuntimeError("fixture: not enough rows")

    put(lambda a: 25.0, lambda a: a < 18, 6)       # under-age admitted by a tie at 25
    put(lambda a: 25.0, lambda a: a >= 18, 8)      # of age admitted by a tie at 25
    put(lambda a: 18.0, lambda a: a < 16, 5)       # tie at 18 (challenge 16:18)
    put(lambda a: 18.0, lambda a: a >= 16, 8)
    put(lambda a: 20.5, lambda a: 13 <= a <= 17, 4)  # tie at 20.5
    put(lambda a: 24.75, lambda a: 21 <= a <= 24, 3)  # just refused at 25
    for d in (1.0, -1.0, 2.5, -2.5, 5.0, -5.0, 10.0, -10.0):  # |e| = θ exactly
        put(lambda a, d=d: a + d, lambda a: a >= 11, 3)
    for est in (-2.0, -0.25, 130.25, 140.0):  # out of range, kept
        put(lambda a, est=est: est, lambda a: True, 2)
    for est in (0.0, 130.0):  # in range at the ends
        put(lambda a, est=est: est, lambda a: True, 1)
    df = pd.DataFrame(rows, columns=["subject_id", "sex", "region", "age", "predicted_age", "w"])
    # Region D, made by hand: |e| = 0, 0.5, 1, 2, 3, 4 with weights 0, 1, 0.5,
    # 0, 0.5, 1. Weighted median AE: half the weight (1.5 of 3) is reached at
    # 1 and the next value of positive weight is 3, so 2 (1.5 if the
    # zero-weight row at 2 counted as the next value). Unweighted: 1.5.
    hand = [("D000", "F", "D", 30, 30.5, 1.0), ("D000", "F", "D", 30, 29.0, 0.5),
            ("D001", "M", "D", 17, 19.0, 0.0), ("D001", "M", "D", 17, 14.0, 0.5),
            ("D002", "F", "D", 40, 44.0, 1.0), ("D002", "F", "D", 41, 41.0, 0.0),
            # Region E weighs nothing (every statistic undefined when weighted).
            ("E000", "F", "E", 16, 18.0, 0.0), ("E001", "M", "E", 70, 140.0, 0.0)]
    df = pd.concat([df, pd.DataFrame(hand, columns=df.columns)], ignore_index=True)
    return df


def jf(x):
    """JSON-safe float."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


# The documented conventions; the other settings are plausible mistakes the
# fixture must be able to tell apart from them (checked in main()).
CONVENTIONS = {
    "admit_tie": True,         # estimate == T admits
    "cs_tie": True,            # |e| == θ counts toward CS(θ)
    "median_drop_zero": True,  # zero-weight rows are out of the median
    "median_midpoint": True,   # exactly half: midpoint with the next value
    "band_end_open": True,     # a-b: age < b + 1
    "range_closed": True,      # 0 and 130 are in range
}
MISTAKES = {
    "admit_tie": False, "cs_tie": False, "median_drop_zero": False,
    "median_midpoint": False, "band_end_open": False, "range_closed": False,
}


def wmedian(values, weights, conv=CONVENTIONS):
    """Weighted median as documented (see the module docstring)."""
    keep = weights > 0 if conv["median_drop_zero"] else weights >= 0
    v, w = values[keep], weights[keep]
    if len(v) == 0:
        return math.nan
    order = np.argsort(v, kind="stable")
    v, w = v[order], w[order]
    cum = np.cumsum(w)
    half = cum[-1] / 2.0
    i = int(np.argmax(cum >= half))
    if conv["median_midpoint"] and cum[i] == half and i + 1 < len(v):
        return (v[i] + v[i + 1]) / 2.0
    return float(v[i])


def parse_band(s):
    lo, hi = s.split("-")
    return int(lo), (int(hi) if hi else None)


def in_band(age, band, conv=CONVENTIONS):
    lo, hi = band
    m = age >= lo
    if hi is not None:
        m &= (age < hi + 1) if conv["band_end_open"] else (age <= hi + 1)
    return m


def parse_challenge(s):
    f = s.split(":")
    age, t = float(f[0]), float(f[1])
    under = parse_band(f[2]) if len(f) > 2 and f[2] else None
    over = parse_band(f[3]) if len(f) > 3 and f[3] else None
    return age, t, under, over


def ratio(num, den):
    return num / den if den > 0 else math.nan


def group_values(g, w, conv=CONVENTIONS):
    """Every oracle value of one group (frame g, weights w aligned)."""
    t = g["age"].to_numpy(float)
    p = g["predicted_age"].to_numpy(float)
    e = p - t
    a = np.abs(e)
    sw = float(w.sum())
    outside = (p < LOW) | (p > HIGH) if conv["range_closed"] else (p <= LOW) | (p >= HIGH)
    out = {
        "rows": int(len(g)),
        "weight": jf(sw),
        "out_of_range": int(outside.sum()),
        "errors": {
            "mae": jf(ratio(float((w * a).sum()), sw)),
            "bias": jf(ratio(float((w * e).sum()), sw)),
            "rmse": jf(math.sqrt(ratio(float((w * e * e).sum()), sw))),
            "median_ae": jf(wmedian(a, w, conv)),
        },
        "bands": {},
        "rates": {},
    }
    for b in BANDS.split(","):
        m = in_band(t, parse_band(b), conv)
        bw = float(w[m].sum())
        out["bands"][b] = {
            "rows": int((m & (w > 0)).sum()),
            "weight": jf(bw),
            "mae": jf(ratio(float((w[m] * a[m]).sum()), bw)),
            "bias": jf(ratio(float((w[m] * e[m]).sum()), bw)),
        }
    for theta in CS:
        hit = a <= theta if conv["cs_tie"] else a < theta
        ev = float(w[hit].sum())
        out["rates"][f"none/cs@{theta:g}"] = {"value": jf(ratio(ev, sw)), "events": jf(ev), "trials": jf(sw)}
    for c in CHALLENGES:
        age, thr, under, over = parse_challenge(c)
        admit = p >= thr if conv["admit_tie"] else p > thr
        mu = t < age
        if under is not None:
            mu &= in_band(t, under, conv)
        mo = t >= age
        if over is not None:
            mo &= in_band(t, over, conv)
        for metric, m, ev_mask in (("false_admit", mu, admit), ("false_refusal", mo, ~admit)):
            trials = float(w[m].sum())
            ev = float(w[m & ev_mask].sum())
            out["rates"][f"challenge:{c}/{metric}"] = {
                "value": jf(ratio(ev, trials)), "events": jf(ev), "trials": jf(trials)}
    return out


def views_of(df):
    """(view name, group key per row) for the pooled view, each attribute and
    the intersection."""
    yield "*", pd.Series("*", index=df.index)
    for at in ATTRS:
        yield at, df[at].astype(str)
    yield "+".join(ATTRS), df[ATTRS].astype(str).agg("+".join, axis=1)


def weights(df, weighted):
    return df["w"].to_numpy(float) if weighted else np.ones(len(df))


def analyse(df, weighted, conv=CONVENTIONS):
    """{view: {group: values}} with numpy/pandas."""
    w_all = weights(df, weighted)
    result = {}
    for name, keys in views_of(df):
        result[name] = {g: group_values(df[(keys == g).to_numpy()], w_all[(keys == g).to_numpy()], conv)
                        for g in sorted(keys.unique())}
    return result


def second_oracles(df, weighted, views):
    """numpy.median (unit weights) and fairlearn's MetricFrame (MAE) agree
    with the values of analyse()."""
    w_all = weights(df, weighted)
    checked = 0
    for name, keys in views_of(df):
        groups = views[name]
        if not weighted:
            for g, vals in groups.items():
                m = (keys == g).to_numpy()
                med = float(np.median(np.abs(df["predicted_age"][m] - df["age"][m])))
                assert vals["errors"]["median_ae"] == med, (name, g, vals["errors"]["median_ae"], med)
                checked += 1
        # np.average (sklearn's weighted MAE) refuses groups of weight 0.
        pos = pd.Series(w_all, index=df.index).groupby(keys).transform("sum").to_numpy() > 0
        mf = MetricFrame(metrics={"mae": mean_absolute_error},
                         y_true=df["age"][pos], y_pred=df["predicted_age"][pos],
                         sensitive_features=keys[pos].rename(name.replace("*", "all")),
                         sample_params={"mae": {"sample_weight": w_all[pos]}})
        by = mf.by_group["mae"]
        want = {g for g, v in groups.items() if v["weight"] > 0}
        assert set(map(str, by.index)) == want, (name, list(by.index), want)
        for g, v in by.items():
            ours = groups[str(g)]["errors"]["mae"]
            assert abs(v - ours) <= 1e-12 * abs(ours), (name, g, v, ours)
            checked += 1
    return checked


def flatten(x, path=""):
    if isinstance(x, dict):
        for k, v in x.items():
            yield from flatten(v, f"{path}/{k}")
    else:
        yield path, x


def differences(a, b):
    fa, fb = dict(flatten(a)), dict(flatten(b))
    assert fa.keys() == fb.keys()
    return [k for k in fa if fa[k] != fb[k]]


def main():
    rng = np.random.default_rng(20261201)
    df = make_data(rng)
    DATA.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(DATA, index=False)
    df = pd.read_csv(DATA, dtype={"subject_id": str, "sex": str, "region": str})
    runs = {}
    for run, weighted, args in (("weighted", True, ["--weight", "w", "--subject", "subject_id"]),
                                ("unweighted", False, [])):
        views = analyse(df, weighted)
        n = second_oracles(df, weighted, views)
        # The fixture must tell every documented convention from its mistake.
        for switch in CONVENTIONS:
            if switch == "median_drop_zero" and not weighted:
                continue
            wrong = analyse(df, weighted, {**CONVENTIONS, switch: MISTAKES[switch]})
            diff = differences(views, wrong)
            assert diff, f"{run}: the fixture cannot tell {switch} from its mistake"
            print(f"{run}: {switch}: the mistake changes {len(diff)} values")
        print(f"{run}: {n} values agree with the second oracles")
        runs[run] = {"args": args, "views": views}
    golden = {
        "source": "numpy/pandas (every value), numpy.median and fairlearn MetricFrame(mean_absolute_error) "
                  "(checks); scripts/crosscheck/estimate_golden.py",
        "data": "fixtures/estimate/ages.csv",
        "attrs": ATTRS,
        "cs": CS,
        "age_bands": BANDS,
        "challenges": CHALLENGES,
        # The operating points and their thresholds T.
        "policies": {"none": None, **{f"challenge:{c}": parse_challenge(c)[1] for c in CHALLENGES}},
        "runs": runs,
    }
    OUT.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"wrote {DATA} ({len(df)} rows) and {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
