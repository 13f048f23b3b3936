#!/usr/bin/env bash
# The Python package's CI step: lint its extension crate, `pip install` it
# (maturin builds the extension) into a fresh virtual environment with the
# test, Spark and Dask extras, and run its tests. Says SKIPPED when there is
# no Python 3.9+; the Spark test says SKIPPED itself when Java is absent.
set -euo pipefail
cd "$(dirname "$0")"

py=${PYTHON:-python3}
if ! "$py" -c 'import sys; assert sys.version_info >= (3, 9)' 2> /dev/null; then
  echo "SKIPPED: the Python package needs Python 3.9 or later ($py)"
  exit 0
fi
if ! command -v java > /dev/null; then
  echo "NOTE: no java: the Spark test will say SKIPPED"
fi

cargo fmt -- --check
cargo clippy -- -D warnings

venv=$(mktemp -d)/venv
"$py" -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
# The README's install command, with the extras the tests need.
"$venv/bin/pip" install --quiet "./[test,spark,dask]"
# The CLI the tests compare with: the release build of this checkout.
(cd .. && cargo build --release --quiet)
cd ..
"$venv/bin/pytest" python/tests -q -rs -p no:cacheprovider
