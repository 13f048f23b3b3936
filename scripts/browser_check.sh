#!/usr/bin/env bash
# Opens the demo's HTML reports in headless Chromium (installing Debian's
# chromium if it is missing), takes a screenshot of each, and fails on a
# console message of level error or on a figure that did not render (every
# <figure> must hold an <svg> with a non-zero size in the rendered DOM).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null
fi
out="${1:-target/browser-check}"
mkdir -p "$out"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$profile" --window-size=1280,4000 --virtual-time-budget=5000)
status=0
for page in reports/demo/report.html reports/demo/identify.html; do
  name="$(basename "$page" .html)"
  url="file://$PWD/$page"
  chromium "${flags[@]}" --screenshot="$out/$name.png" "$url" >/dev/null 2>"$out/$name.log" || true
  chromium "${flags[@]}" --enable-logging=stderr --v=0 --dump-dom "$url" >"$out/$name.dom.html" 2>"$out/$name.console.log" || true
  if [ ! -s "$out/$name.png" ]; then
    echo "FAIL $page: no screenshot"; status=1
  fi
  if grep -E 'CONSOLE\(.*(Uncaught|Error)|:ERROR:CONSOLE' "$out/$name.console.log" >/dev/null; then
    echo "FAIL $page: console errors:"; grep -E 'CONSOLE' "$out/$name.console.log" | head; status=1
  fi
  figures=$(grep -o '<figure' "$out/$name.dom.html" | wc -l)
  svgs=$(grep -oE '<figure id="[^"]*"><svg width="[1-9][0-9]*" height="[1-9][0-9]*"' "$out/$name.dom.html" | wc -l)
  if [ "$figures" -eq 0 ] || [ "$figures" -ne "$svgs" ]; then
    echo "FAIL $page: $svgs of $figures figures rendered an <svg> of non-zero size"; status=1
  else
    echo "ok $page: $figures figures rendered, screenshot $out/$name.png"
  fi
done
exit $status
