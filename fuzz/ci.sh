#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (the CI step; see fuzz/README.md).
# FUZZ_BUDGET: seconds for the whole step, build included (default 360);
# each target gets an equal share of what the build leaves, 20 to 60 s.
set -euo pipefail
cd "$(dirname "$0")"

if ! cargo +nightly --version > /dev/null 2>&1; then
  echo "SKIPPED: fuzzing needs the nightly toolchain"
  exit 0
fi
if ! cargo fuzz --version > /dev/null 2>&1; then
  echo "cargo-fuzz is missing: installing it"
  if ! cargo install cargo-fuzz --locked; then
    echo "SKIPPED: fuzzing needs cargo-fuzz, and installing it failed"
    exit 0
  fi
fi

budget=${FUZZ_BUDGET:-360}
start=$SECONDS
# No sanitizer (safe Rust; faster runs); debug assertions and overflow checks on.
cargo +nightly fuzz build -s none
targets=$(cargo +nightly fuzz list)
n=$(echo "$targets" | wc -w)
each=$(( (budget - (SECONDS - start)) / n ))
each=$(( each < 20 ? 20 : each > 60 ? 60 : each ))
echo "fuzzing $n targets for $each s each"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
  case $t in
    *_csv) dict=tables.dict; max_len=4096 ;;
    npy) dict=npy.dict; max_len=4096 ;;
    *) dict=json.dict; max_len=8192 ;;
  esac
  mkdir -p "$scratch/$t"
  # New inputs go to the scratch folder; the seeds in corpus/ stay as they are.
  # A crash, a timeout or the memory limit fails the step (the input is saved
  # under fuzz/artifacts/ and the command to reproduce it printed).
  # A fixed seed makes the run the same on every machine up to where the
  # time limit cuts it (FUZZ_SEED to explore further).
  if ! cargo +nightly fuzz run -s none "$t" "$scratch/$t" "corpus/$t" -- \
    -seed="${FUZZ_SEED:-1}" -max_total_time="$each" -rss_limit_mb=2048 -timeout=10 \
    -max_len="$max_len" -dict="dicts/$dict" > "$scratch/$t.log" 2>&1; then
    # What failed first (a panic's message, the kind of failure), then the
    # tail, then the input itself, so that a CI log alone reproduces it.
    grep -m 5 -E -A 4 "panicked at|ERROR: libFuzzer|SUMMARY:" "$scratch/$t.log" || true
    tail -n 40 "$scratch/$t.log"
    for f in "artifacts/$t"/*; do
      [ -f "$f" ] || continue
      echo "input $f (base64; decode with base64 -d):"
      base64 -w 0 "$f"
      echo
    done
    echo "FAILED: fuzz target $t (the input is under fuzz/artifacts/$t/)"
    exit 1
  fi
  echo "$t: $(grep -E '^Done ' "$scratch/$t.log" || echo 'done'), corpus $(ls "$scratch/$t" | wc -l) inputs"
done
echo "fuzzing: every target ran clean"
