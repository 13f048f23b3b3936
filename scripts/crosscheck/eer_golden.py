#!/usr/bin/env python3
"""Golden EERs with ties, by bob.measure's own algorithm: fixtures/golden/eer_ties.json,
compared by tests/exact_conventions.rs.

`bob_eer` is a line-by-line transcription of bob.measure 6.1's `eer`
(`eer_threshold` → `_minimizing_threshold(neg, pos, "absolute-difference")`, then
`farfrr`), floating-point accumulation of the rates included, since that decides
between exactly tied thresholds. Pure Python: when bob.measure itself is installed
(it is not in requirements.txt: it needs numba), every case is also checked against it.

Cases: the hand-worked ones of src/engine/verify/metrics.rs and random small sets
of integer scores (many ties).
"""
import json
import math
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "golden" / "eer_ties.json"


def bob_threshold(negatives, positives):
    """bob.measure's _minimizing_threshold with the |FAR - FRR| criterion."""
    neg, pos = sorted(negatives), sorted(positives)
    min_predicate = 1e8
    min_threshold = 1e8
    far, frr = 1.0, 0.0
    max_neg, max_pos = len(neg), len(pos)
    far_decrease, frr_increase = 1.0 / max_neg, 1.0 / max_pos
    pos_it = neg_it = 0
    current_threshold = min(neg[0], pos[0])
    while pos_it < max_pos and neg_it < max_neg:
        current_predicate = abs(far - frr)
        if current_predicate <= min_predicate:
            min_predicate, min_threshold = current_predicate, current_threshold
        if pos[pos_it] >= neg[neg_it]:
            current_threshold = neg[neg_it]
            neg_it += 1
            far -= far_decrease
        else:
            current_threshold = pos[pos_it]
            pos_it += 1
            frr += frr_increase
        while neg_it < max_neg and current_threshold == neg[neg_it]:
            neg_it += 1
            far -= far_decrease
        while pos_it < max_pos and current_threshold == pos[pos_it]:
            pos_it += 1
            frr += frr_increase
        if neg_it < max_neg or pos_it < max_pos:
            if neg_it < max_neg and pos_it < max_pos:
                current_threshold += min(neg[neg_it], pos[pos_it])
            elif neg_it < max_neg:
                current_threshold += neg[neg_it]
            else:
                current_threshold += pos[pos_it]
            current_threshold /= 2
    current_predicate = abs(far - frr)
    if current_predicate < min_predicate:
        min_predicate, min_threshold = current_predicate, current_threshold
    if neg_it < max_neg or pos_it < max_pos:
        last = neg[-1] if neg_it < max_neg else pos[-1]
        if abs(0.0 - 1.0) < min_predicate:
            min_threshold = math.nextafter(last, math.inf)
    return min_threshold


def bob_eer(negatives, positives):
    """bob.measure's eer(..., also_farfrr=True): (EER, FAR, FRR, threshold)."""
    t = bob_threshold(negatives, positives)
    far = sum(x >= t for x in negatives) / len(negatives)
    frr = sum(x < t for x in positives) / len(positives)
    return (far + frr) / 2.0, far, frr, t


def tied(negatives, positives):
    """Whether two thresholds share the least |FMR - FNMR| (exact fractions)."""
    from fractions import Fraction

    gaps = [
        abs(Fraction(sum(x >= t for x in negatives), len(negatives))
            - Fraction(sum(x < t for x in positives), len(positives)))
        for t in sorted(set(negatives) | set(positives))
    ]
    return gaps.count(min(gaps)) > 1


HAND = [  # (mated, non-mated), as in src/engine/verify/metrics.rs
    ([5, 5, 0], [4, -1, 4, 4, 4, -1]),
    ([1, 2], [0, 1]),
    ([1, 3], [0, 2, 4]),
    ([0, 1, 2, 4, 5], [0, 5]),
    ([3, 4, 5, 6], [1, 2, 3, 4]),
]


def main():
    rng = random.Random(20260213)
    sets = [(list(map(float, m)), list(map(float, n))) for m, n in HAND]
    ties = others = 0
    while ties < 150 or others < 50:  # 150 random sets with tied thresholds, 50 without
        top = rng.randint(2, 9)
        m = [float(rng.randint(0, top)) for _ in range(rng.randint(1, 12))]
        n = [float(rng.randint(0, top)) for _ in range(rng.randint(1, 12))]
        if tied(n, m) and ties < 150:
            ties += 1
            sets.append((m, n))
        elif not tied(n, m) and others < 50:
            others += 1
            sets.append((m, n))
    try:
        import bob.measure as bm  # optional: confirms the transcription
    except ImportError:
        bm = None
    cases = []
    for m, n in sets:
        eer, far, frr, t = bob_eer(n, m)
        if bm is not None:
            assert tuple(bm.eer(n, m, also_farfrr=True)) == (eer, far, frr), (m, n)
            assert bm.eer_threshold(n, m) == t, (m, n)
        scores = sorted(set(m) | set(n))
        threshold = next((s for s in scores if s >= t), None)
        cases.append({
            "mated": m, "nonmated": n, "tie": tied(n, m),
            "eer": eer, "fmr": far, "fnmr": frr,
            "bob_threshold": t, "threshold": threshold,
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if bm is not None:
        from importlib.metadata import version

        checked = f" and checked against bob.measure {version('bob.measure')}"
    else:
        checked = ""
    source = "bob.measure 6.1 eer, transcribed" + checked
    with open(OUT, "w") as fh:  # one case a line
        fh.write('{"source": %s, "cases": [\n' % json.dumps(source))
        fh.write(",\n".join(json.dumps(c) for c in cases))
        fh.write("\n]}\n")
    print(f"wrote {OUT} ({len(cases)} cases, {sum(c['tie'] for c in cases)} with tied thresholds)")


if __name__ == "__main__":
    main()
