"""Shared fixtures: the CLI binary (the oracle the package must equal), the
demo population as the CLI writes it, and the data at hand."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data"


def cli_binary() -> pathlib.Path:
    """`$BIASBENCH_BIN`, else the release build of this checkout (built when absent)."""
    given = os.environ.get("BIASBENCH_BIN")
    if given:
        return pathlib.Path(given)
    path = REPO / "target" / "release" / "biasbench"
    if not path.exists():
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    return path


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI; returns its standard output (text), or raises with its standard error."""
    binary = cli_binary()

    def run(*args, check=True):
        done = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
        if check and done.returncode != 0:
            raise AssertionError(f"biasbench {' '.join(map(str, args))}: {done.stderr}")
        return done

    return run


@pytest.fixture(scope="session")
def demo_csv(cli, tmp_path_factory):
    """The demo population (`biasbench simulate`'s default), as a CSV file."""
    path = tmp_path_factory.mktemp("demo") / "demo.csv"
    cli("simulate", "--out", path)
    return path


@pytest.fixture(scope="session")
def rfw_csv():
    """RFW pair distances from ../shared/data (skipped, saying so, when absent)."""
    path = SHARED / "rfw-bupt-distances" / "bupt_rfw_scores.csv"
    if not path.exists():
        pytest.skip(f"data at hand absent: {path} (clone beside ../shared to run this test)")
    return path


# The demo's audit: its attributes and policies (`biasbench demo`).
DEMO_FLAGS = dict(
    attrs=["race", "sex"],
    thresholds=["global-fmr:1e-2", "global-fmr:1e-3", "global-fmr:1e-4", "group-fmr:1e-3", "fixed:3"],
)


def cli_flags(flags):
    """The keyword options of a test as command-line flags."""
    out = []
    for a in flags.get("attrs", []):
        out += ["--attr", a]
    for t in flags.get("thresholds", []):
        out += ["--threshold", t]
    return out


def without_provenance(frame):
    """The tidy rows but provenance's (file names, sizes and the command differ by design)."""
    return frame[frame["attribute"] != "provenance"].reset_index(drop=True)


def assert_same_report(report, other):
    """Tidy frames equal and JSON equal, provenance apart."""
    import pandas as pd

    pd.testing.assert_frame_equal(
        without_provenance(report.tidy()), without_provenance(other.tidy())
    )
    a, b = report.json(), other.json()
    for j in (a, b):
        j.pop("provenance")
    assert a == b
