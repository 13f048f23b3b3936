"""Writes a synthetic 1:1 comparison set as a directory of .npy columns
(score <f4, mated |b1, group |u1 with 8 groups), in chunks, so that 10^9 rows
need little memory. Usage: make_npy.py DIR N_MATED N_NONMATED [SEED]"""
import sys
from pathlib import Path

import numpy as np

GROUPS = 8
CHUNK = 10_000_000


def header(descr, n):
    d = "{'descr': '%s', 'fortran_order': False, 'shape': (%d,), }" % (descr, n)
    pad = 64 - (10 + len(d) + 1) % 64
    h = (d + " " * pad + "\n").encode()
    return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h


def main():
    out, n_mated, n_non = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    out.mkdir(parents=True, exist_ok=True)
    n = n_mated + n_non
    rng = np.random.default_rng(seed)
    files = {
        "score": open(out / "score.npy", "wb"),
        "mated": open(out / "mated.npy", "wb"),
        "group": open(out / "group.npy", "wb"),
    }
    files["score"].write(header("<f4", n))
    files["mated"].write(header("|b1", n))
    files["group"].write(header("|u1", n))
    # Group g shifts its non-mated scores up by 0.02 g: a differential to find.
    done = 0
    while done < n:
        m = min(CHUNK, n - done)
        mated = np.arange(done, done + m) < n_mated
        group = rng.integers(0, GROUPS, m, dtype=np.uint8)
        score = np.where(
            mated,
            rng.normal(0.7, 0.1, m),
            rng.normal(0.0, 0.1, m) + 0.02 * group,
        ).astype(np.float32)
        files["score"].write(score.tobytes())
        files["mated"].write(mated.astype(np.uint8).tobytes())
        files["group"].write(group.tobytes())
        done += m
    for f in files.values():
        f.close()


if __name__ == "__main__":
    main()
