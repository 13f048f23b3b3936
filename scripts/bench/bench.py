#!/usr/bin/env python3
"""Head-to-head benchmark of biasbench against the anchors, on one data set
made once per size (as .npy columns, and the same rows as CSV):

* classification, 10^6 and 10^7 rows x 8 groups: biasbench classify (from
  .npy, and at 10^6 from CSV too) against fairlearn's MetricFrame (8 metrics
  by group, then difference/ratio/min/max);
* verification, 10^6 mated + 10^7 non-mated, 8 groups: biasbench verify in
  memory from .npy and from CSV, and --stream (every rate, threshold, EER,
  AUC, d', DET, test and summary, per group), against scikit-learn's
  roc_curve and pyeer's get_eer_stats, each called once on the pooled scores;
* bootstrap: biasbench verify --bootstrap 1000 on 10^6 comparisons of 2,000
  subjects (8 groups by subject, mated pairs share a subject) against the
  same audit without --bootstrap ("in audits");
* streaming, 10^9 non-mated + 10^6 mated (--stream-rows): biasbench verify
  --stream against `cat` reading the same files.

Each tool runs in its own process. biasbench is timed as a whole process
(reading and parsing included); the Python tools are timed around the call
only (after imports and np.load), which favours them. CPU = user + system;
peak memory = the process's maximum resident set. Each row's ratio is in CPU
seconds against its anchor (the issue's targets are CPU ratios): "anchor /
biasbench" for speed-ups, "biasbench / anchor" where lower is better.

Usage: python scripts/bench/bench.py --biasbench target/release/biasbench
       [--work DIR] [--stream-rows N] [--cold] [--skip-fairlearn-1e7] [--skip-slow]
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

GROUPS = 8
CHUNK = 10_000_000


def header(descr, n):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, n)
    pad = 64 - (10 + len(d) + 1) % 64
    h = (d + " " * pad + "\n").encode()
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h


def write_columns(out, n, make, seed):
    """Writes columns chunk by chunk; make(rng, start, m) -> {name: (descr, array)}."""
    out.mkdir(parents=True, exist_ok=True)
    if (out / "done").exists():
        return
    rng = np.random.default_rng(seed)
    files = {}
    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        for name, (descr, a) in make(rng, done, m).items():
            if name not in files:
                files[name] = open(out / f"{name}.npy", "wb")
                files[name].write(header(descr, n))
            files[name].write(a.tobytes())
        done += m
    for f in files.values():
        f.close()
    (out / "group.labels.txt").write_text("".join(f"g{i}\n" for i in range(GROUPS)))
    (out / "done").write_text("")


def verification(out, n_mated, n_non, seed=1):
    """Group g's non-mated scores sit 0.02 g higher: a differential to find."""
    def make(rng, start, m):
        mated = np.arange(start, start + m) < n_mated
        group = rng.integers(0, GROUPS, m, dtype=np.uint8)
        score = np.where(mated, rng.normal(0.7, 0.1, m), rng.normal(0.0, 0.1, m) + 0.02 * group)
        return {"score": ("<f4", score.astype(np.float32)),
                "mated": ("|b1", mated.astype(np.uint8)),
                "group": ("|u1", group)}
    write_columns(out, n_mated + n_non, make, seed)


def subjects(out, n, n_subjects=2_000, mated_share=0.1, seed=3):
    """Comparisons of subjects 0..n_subjects-1, subject s in group s mod 8;
    a mated pair shares its subject, a non-mated one pairs two subjects."""
    def make(rng, start, m):
        a = rng.integers(0, n_subjects, m, dtype=np.uint32)
        mated = rng.random(m) < mated_share
        b = np.where(mated, a, (a + rng.integers(1, n_subjects, m)) % n_subjects).astype(np.uint32)
        ga, gb = (a % GROUPS).astype(np.uint8), (b % GROUPS).astype(np.uint8)
        score = np.where(mated, rng.normal(0.7, 0.1, m), rng.normal(0.0, 0.1, m) + 0.01 * (ga + gb))
        return {"score": ("<f4", score.astype(np.float32)), "mated": ("|b1", mated.astype(np.uint8)),
                "subject_a": ("<u4", a), "subject_b": ("<u4", b),
                "group_a": ("|u1", ga), "group_b": ("|u1", gb)}
    write_columns(out, n, make, seed)


def to_csv(d, path):
    """The .npy columns of d as one CSV (group codes as labels g0..g7), once."""
    if path.exists():
        return path
    names = sorted(p.stem for p in d.glob("*.npy"))
    cols = {name: np.load(d / f"{name}.npy", mmap_mode="r") for name in names}
    labels = np.array([f"g{i}" for i in range(GROUPS)], dtype=object)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w") as f:
        f.write(",".join(names) + "\n")
        n = len(cols[names[0]])
        for start in range(0, n, 1_000_000):
            part = []
            for name in names:
                c = np.asarray(cols[name][start:start + 1_000_000])
                if name.startswith("group"):
                    part.append(labels[c])
                elif c.dtype.kind == "f":
                    part.append(np.char.mod("%.9g", c.astype(np.float64)))
                else:
                    part.append(c.astype(np.int64).astype(str))
            f.writelines(",".join(r) + "\n" for r in zip(*part))
    tmp.rename(path)
    return path


def classification(out, n, seed=2):
    """Group g's predictions flip with probability 0.1 + 0.02 g."""
    def make(rng, start, m):
        group = rng.integers(0, GROUPS, m, dtype=np.uint8)
        y_true = (rng.random(m) < 0.3).astype(np.uint8)
        flip = rng.random(m) < 0.1 + 0.02 * group
        y_pred = np.where(flip, 1 - y_true, y_true).astype(np.uint8)
        return {"y_true": ("|u1", y_true), "y_pred": ("|u1", y_pred), "group": ("|u1", group)}
    write_columns(out, n, make, seed)


def sci(n):
    """10^6 as 1e6."""
    e = len(str(n)) - 1
    return f"{n // 10**e}e{e}"


def measure(cmd, keep_output=True):
    """Runs cmd under GNU time; returns wall, CPU seconds, peak RSS (MB) and stdout."""
    with tempfile.NamedTemporaryFile("r") as t:
        full = ["/usr/bin/time", "-o", t.name, "-f", "%e %U %S %M", *map(str, cmd)]
        sink = subprocess.PIPE if keep_output else subprocess.DEVNULL
        p = subprocess.run(full, stdout=sink, stderr=subprocess.PIPE)
        if p.returncode != 0:
            sys.exit(f"failed: {' '.join(map(str, cmd))}\n{p.stderr.decode()}")
        wall, user, system, rss_kb = t.read().split()[-4:]
    return {"wall": float(wall), "cpu": float(user) + float(system), "rss_mb": int(rss_kb) / 1024,
            "out": p.stdout or b""}


def python_tool(kind, data):
    """Runs one Python tool in a child; times the call itself."""
    r = measure([sys.executable, __file__, "--run", kind, str(data)])
    inner = json.loads(r["out"])
    return {"wall": inner["wall"], "cpu": inner["cpu"], "rss_mb": r["rss_mb"]}


def run_tool(kind, data):
    """The body of a child process: load, then time only the tool."""
    d = Path(data)
    if kind == "fairlearn":
        from fairlearn.metrics import (MetricFrame, count, false_negative_rate, false_positive_rate,
                                       selection_rate, true_negative_rate, true_positive_rate)
        from sklearn.metrics import accuracy_score, precision_score
        y_true, y_pred, g = (np.load(d / f) for f in ("y_true.npy", "y_pred.npy", "group.npy"))
        t0, c0 = time.perf_counter(), time.process_time()
        mf = MetricFrame(
            metrics={"accuracy": accuracy_score, "selection_rate": selection_rate,
                     "tpr": true_positive_rate, "fpr": false_positive_rate,
                     "fnr": false_negative_rate, "tnr": true_negative_rate,
                     "precision": precision_score, "count": count},
            y_true=y_true, y_pred=y_pred, sensitive_features=g)
        mf.by_group, mf.difference(), mf.ratio(), mf.group_min(), mf.group_max()
    else:
        score, mated = np.load(d / "score.npy"), np.load(d / "mated.npy")
        t0, c0 = time.perf_counter(), time.process_time()
        if kind == "roc_curve":
            from sklearn.metrics import roc_curve
            roc_curve(mated, score)
        elif kind == "pyeer":
            from pyeer.eer_info import get_eer_stats
            get_eer_stats(score[mated], score[~mated])
    print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}))


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    import fairlearn, sklearn, pyeer  # noqa: E401
    return (f"{cpu}, {os.cpu_count()} cores, {mem / 2**20:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}, numpy {np.__version__}, "
            f"fairlearn {fairlearn.__version__}, scikit-learn {sklearn.__version__}, "
            f"pyeer {getattr(pyeer, '__version__', '0.5.6')}")


def row(task, tool, r, ratio="", target=""):
    print(f"| {task} | {tool} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss_mb']:.0f} | {ratio} | {target} |",
          flush=True)


def faster(mine, anchor):
    """anchor CPU / biasbench CPU: how many times faster biasbench is."""
    return f"{anchor['cpu'] / mine['cpu']:.1f}x faster"


def costlier(mine, anchor, unit="x"):
    """biasbench CPU / anchor CPU (lower is better)."""
    return f"{mine['cpu'] / anchor['cpu']:.1f}{unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--biasbench", default="target/release/biasbench")
    ap.add_argument("--work", default="target/bench")
    ap.add_argument("--stream-rows", type=float, default=0, help="non-mated rows of the streaming run (e.g. 1e9)")
    ap.add_argument("--skip-fairlearn-1e7", action="store_true")
    ap.add_argument("--skip-slow", action="store_true",
                    help="skip the slow rows: classify 1e7 (and its fairlearn run) and the bootstrap")
    ap.add_argument("--cold", action="store_true",
                    help="also time the streaming run and cat from a cold page cache (needs root)")
    ap.add_argument("--run", nargs=2, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.run:
        return run_tool(*a.run)
    work = Path(a.work)
    bb = a.biasbench
    out = str(work / "report.json")
    print(f"machine: {machine()}\n")
    print("| task | tool | wall s | CPU s | peak MB | ratio (CPU s) | target |")
    print("|---|---|---|---|---|---|---|")
    for n in (1_000_000, 10_000_000):
        if n == 10_000_000 and a.skip_slow:
            continue
        d = work / f"classify_{sci(n)}"
        classification(d, n)
        task = f"classify {sci(n)} rows x 8 groups"
        mine = measure([bb, "classify", str(d), "--attr", "group", "--format", "json", "--out", out])
        csv = None
        if n == 1_000_000:
            path = to_csv(d, work / f"classify_{sci(n)}.csv")
            csv = measure([bb, "classify", str(path), "--attr", "group", "--format", "json", "--out", out])
        if n < 10_000_000 or not a.skip_fairlearn_1e7:
            anchor = python_tool("fairlearn", d)
            row(task, "biasbench classify, from .npy", mine, f"MetricFrame / biasbench = {faster(mine, anchor)}",
                ">= 200x")
            if csv:
                row(task, "biasbench classify, from CSV", csv, f"MetricFrame / biasbench = {faster(csv, anchor)}",
                    ">= 200x")
            row(task, "fairlearn MetricFrame (anchor)", anchor)
        else:
            row(task, "biasbench classify, from .npy", mine)
    d = work / "verify_1e6_1e7"
    verification(d, 1_000_000, 10_000_000)
    csv_path = to_csv(d, work / "verify_1e6_1e7.csv")
    verify = [bb, "verify", "--attr", "group", "--format", "json", "--out", out]
    streamed = measure([*verify, str(d), "--stream", "--no-hash"])
    memory = measure([*verify, str(d)])
    csv = measure([*verify, str(csv_path)])
    roc, pyeer = python_tool("roc_curve", d), python_tool("pyeer", d)
    task = "verify 1e6 mated + 1e7 non-mated"
    for tool, r, target in (("biasbench verify --stream --no-hash (per group)", streamed, ""),
                            ("biasbench verify, in memory from .npy (per group)", memory, ">= 10x"),
                            ("biasbench verify, in memory from CSV (per group)", csv, ">= 5x")):
        row(task, tool, r, f"roc_curve / biasbench = {faster(r, roc)}; pyeer / biasbench = {faster(r, pyeer)}",
            target)
    row(task, "scikit-learn roc_curve (pooled; anchor)", roc)
    row(task, "pyeer get_eer_stats (pooled)", pyeer)
    if not a.skip_slow:
        d = work / "bootstrap_1e6"
        subjects(d, 1_000_000)
        one = measure([*verify, str(d)])
        boot = measure([*verify, str(d), "--bootstrap", "1000"])
        task = "verify 1e6 comparisons, 2,000 subjects"
        row(task, "biasbench verify --bootstrap 1000", boot,
            f"bootstrap / one audit = {costlier(boot, one, ' audits')}", "<= 50 audits")
        row(task, "biasbench verify (one audit; anchor)", one)
    if a.stream_rows:
        n = int(a.stream_rows)
        d = work / f"stream_{sci(n)}"
        verification(d, 1_000_000, n)
        files = [str(p) for p in sorted(d.glob("*.npy"))]
        stream = [bb, "verify", str(d), "--attr", "group", "--stream", "--no-hash", "--format", "json",
                  "--out", out]
        cat = min((measure(["cat", *files], keep_output=False) for _ in range(3)), key=lambda r: r["wall"])
        mine = measure(stream)
        task = f"stream 1e6 mated + {sci(n)} non-mated"
        ratio = f"biasbench / cat = {costlier(mine, cat)} CPU, {mine['wall'] / cat['wall']:.1f}x wall"
        row(task, "biasbench verify --stream --no-hash (warm cache)", mine, ratio, "<= 6x")
        row(task, "cat (warm cache, best of 3; anchor)", cat)
        if a.cold:
            def cold(cmd, keep_output=True):
                subprocess.run(["sync"], check=True)
                Path("/proc/sys/vm/drop_caches").write_text("3\n")
                return measure(cmd, keep_output)
            cat = cold(["cat", *files], keep_output=False)
            mine = cold(stream)
            row(task, "biasbench verify --stream --no-hash (cold cache)", mine,
                f"biasbench / cat = {mine['wall'] / cat['wall']:.2f}x wall", "<= 1.5x")
            row(task, "cat (cold cache; anchor)", cat)

if __name__ == "__main__":
    main()
