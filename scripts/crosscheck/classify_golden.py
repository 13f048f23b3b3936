#!/usr/bin/env python3
"""Golden values for the classification engine from fairlearn, AIF360 and
scikit-learn themselves.

Two random data sets, written as fixtures/golden/classify_{weighted,plain}.csv:
* weighted: 4 races x 2 sexes (one tiny race), sample weights, a score; every
  rate defined. Per-group rates (fairlearn/scikit-learn), AUC
  (roc_auc_score), all fairlearn parity metrics (both methods, both
  equalized-odds aggregations, MetricFrame difference/ratio of each rate) and
  AIF360's reference-group forms (instance weights).
* plain: no weights, one group without negatives; fairlearn's values plus a
  flag where biasbench must report the rate as undefined instead (fairlearn
  counts it as 0); AIF360's Theil and generalized entropy indices (AIF360
  ignores weights there), over all rows and per group.
Results go to fixtures/golden/classify_golden.json; tests/crosscheck.rs
compares biasbench with them.
"""
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
from aif360.datasets import BinaryLabelDataset
from aif360.metrics import ClassificationMetric
from fairlearn.metrics import (
    MetricFrame, demographic_parity_difference, demographic_parity_ratio,
    equal_opportunity_difference, equal_opportunity_ratio,
    equalized_odds_difference, equalized_odds_ratio, false_negative_rate,
    false_positive_rate, selection_rate, true_negative_rate, true_positive_rate)
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, f1_score,
                             precision_score, roc_auc_score)

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden"


def f(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def make(rng, sizes, weighted, no_negatives=None):
    rows = []
    for race, n in sizes.items():
        base = {"A": 0.3, "B": 0.5, "C": 0.6, "D": 0.4}[race]
        for _ in range(n):
            sex = "F" if rng.random() < 0.45 else "M"
            y = int(rng.random() < base) if race != no_negatives else 1
            score = round(float(rng.normal(0.35 + 0.3 * y + (0.05 if sex == "F" else 0), 0.2)), 3)
            pred = int(score >= 0.5)
            w = round(float(rng.uniform(0.5, 3.0)), 3) if weighted else 1.0
            rows.append((y, pred, score, race, sex, w))
    return pd.DataFrame(rows, columns=["y_true", "y_pred", "score", "race", "sex", "w"])


RATES = {
    "selection_rate": lambda y, p, w=None: selection_rate(y, p, sample_weight=w),
    "tpr": lambda y, p, w=None: true_positive_rate(y, p, sample_weight=w),
    "fpr": lambda y, p, w=None: false_positive_rate(y, p, sample_weight=w),
    "tnr": lambda y, p, w=None: true_negative_rate(y, p, sample_weight=w),
    "fnr": lambda y, p, w=None: false_negative_rate(y, p, sample_weight=w),
    "accuracy": lambda y, p, w=None: accuracy_score(y, p, sample_weight=w),
    "ppv": lambda y, p, w=None: precision_score(y, p, sample_weight=w, zero_division=0),
}


def undefined(y, p, metric):
    """Where biasbench reports the rate as undefined (empty denominator)."""
    den = {"tpr": y == 1, "fnr": y == 1, "fpr": y == 0, "tnr": y == 0, "ppv": p == 1}
    return metric in den and not np.any(den[metric])


def analyse(df, features, weighted, with_aif):
    y, p = df["y_true"].to_numpy(), df["y_pred"].to_numpy()
    w = df["w"].to_numpy() if weighted else None
    sf = df[features] if len(features) > 1 else df[features[0]]
    keys = df[features].astype(str).agg("+".join, axis=1)
    out = {"groups": {}, "parity": {}, "undefined": {}}
    for g in sorted(keys.unique()):
        m = (keys == g).to_numpy()
        gw = w[m] if weighted else None
        vals = {k: f(fn(y[m], p[m], gw)) for k, fn in RATES.items()}
        vals["f1"] = f(f1_score(y[m], p[m], sample_weight=gw, zero_division=0))
        if len(set(y[m])) == 2:
            vals["balanced_accuracy"] = f(balanced_accuracy_score(y[m], p[m], sample_weight=gw))
            vals["auc"] = f(roc_auc_score(y[m], df["score"].to_numpy()[m], sample_weight=gw))
        out["groups"][g] = vals
        out["undefined"][g] = [k for k in RATES if undefined(y[m], p[m], k)]
    for method in ("between_groups", "to_overall"):
        suffix = "" if method == "between_groups" else ".to_overall"
        kw = dict(sensitive_features=sf, method=method, sample_weight=w)
        par = out["parity"]
        par["demographic_parity_difference" + suffix] = f(demographic_parity_difference(y, p, **kw))
        par["demographic_parity_ratio" + suffix] = f(demographic_parity_ratio(y, p, **kw))
        par["equal_opportunity_difference" + suffix] = f(equal_opportunity_difference(y, p, **kw))
        par["equal_opportunity_ratio" + suffix] = f(equal_opportunity_ratio(y, p, **kw))
        for agg, tag in (("worst_case", ""), ("mean", ".mean")):
            par["equalized_odds_difference" + tag + suffix] = f(equalized_odds_difference(y, p, agg=agg, **kw))
            par["equalized_odds_ratio" + tag + suffix] = f(equalized_odds_ratio(y, p, agg=agg, **kw))
        mf = MetricFrame(
            metrics=RATES,
            y_true=y, y_pred=p, sensitive_features=sf,
            sample_params={k: {"w": w} for k in RATES},
        )
        for k in RATES:
            par[f"{k}.difference{suffix}"] = f(mf.difference(method=method)[k])
            par[f"{k}.ratio{suffix}"] = f(mf.ratio(method=method)[k])
    if with_aif:
        code = {g: i for i, g in enumerate(sorted(keys.unique()))}
        weights = df["w"] if weighted else pd.Series(np.ones(len(df)))
        totals = weights.groupby(keys).sum()
        ref = max(sorted(code), key=lambda g: (totals[g], -code[g]))
        frame = pd.DataFrame({"label": y.astype(float), "prot": keys.map(code).astype(float), "w": weights.to_numpy()})
        truth = BinaryLabelDataset(df=frame, label_names=["label"], protected_attribute_names=["prot"],
                                   instance_weights_name="w", favorable_label=1.0, unfavorable_label=0.0)
        pred = truth.copy(deepcopy=True)
        pred.labels = p.astype(float).reshape(-1, 1)
        out["reference"] = ref
        out["versus"] = {}
        for g in sorted(code):
            if g == ref:
                continue
            cm = ClassificationMetric(truth, pred, unprivileged_groups=[{"prot": code[g]}],
                                      privileged_groups=[{"prot": code[ref]}])
            out["versus"][g] = {
                "disparate_impact": f(cm.disparate_impact()),
                "statistical_parity_difference": f(cm.statistical_parity_difference()),
                "average_odds_difference": f(cm.average_odds_difference()),
                "average_abs_odds_difference": f(cm.average_abs_odds_difference()),
                "error_rate_ratio": f(cm.error_rate_ratio()),
            }
        if not weighted:
            out["entropy"] = {}
            for g in ["*"] + sorted(code):
                m = np.ones(len(df), bool) if g == "*" else (keys == g).to_numpy()
                fr = frame[m].reset_index(drop=True)
                t = BinaryLabelDataset(df=fr, label_names=["label"], protected_attribute_names=["prot"],
                                       favorable_label=1.0, unfavorable_label=0.0)
                pr = t.copy(deepcopy=True)
                pr.labels = p[m].astype(float).reshape(-1, 1)
                cm = ClassificationMetric(t, pr, unprivileged_groups=[{"prot": 0.0}], privileged_groups=[{"prot": 1.0}])
                out["entropy"][g] = {"theil_index": f(cm.theil_index()),
                                     "generalized_entropy_index": f(cm.generalized_entropy_index(alpha=2))}
    return out


def main():
    rng = np.random.default_rng(20261128)
    result = {}
    sets = {
        "weighted": (make(rng, {"A": 400, "B": 250, "C": 150, "D": 12}, True), True),
        "plain": (make(rng, {"A": 300, "B": 200, "C": 100, "D": 7}, False, no_negatives="D"), False),
    }
    for name, (df, weighted) in sets.items():
        df.to_csv(OUT / f"classify_{name}.csv", index=False)
        result[name] = {
            "race": analyse(df, ["race"], weighted, True),
            "race+sex": analyse(df, ["race", "sex"], weighted, True),
        }
    with open(OUT / "classify_golden.json", "w") as fh:
        json.dump(result, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", OUT / "classify_golden.json")


if __name__ == "__main__":
    main()
