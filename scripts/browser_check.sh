#!/usr/bin/env bash
# Opens the demo's HTML reports in headless Chromium (installing Debian's
# chromium if it is missing), takes a screenshot of each, and fails on a
# console message of level error, on a figure that did not render (every
# <figure> must hold an <svg> with a non-zero size in the rendered DOM), or
# on what the rendered layout shows (a copy of each page with a checking
# script, in the output directory): a text of a figure drawn outside its
# figure or below 10 px, and a first section other than the findings
# (id="findings").
# The same properties are checked on the SVG text by tests/figures.rs.
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
  --user-data-dir="$profile" --window-size=1600,4000 --virtual-time-budget=5000)
# Runs in the copy once the page has loaded; writes its verdicts into
# <pre id="browser-check">, which --dump-dom prints.
read -r -d '' check <<'JS' || true
<script>
window.addEventListener('load', () => {
  const out = [];
  for (const f of document.querySelectorAll('figure')) {
    const svg = f.querySelector('svg');
    if (!svg) continue;
    const s = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      const [x0, y0, x1, y1] = [r.left - s.left, r.top - s.top, r.right - s.left, r.bottom - s.top];
      const what = `${f.id}: "${t.textContent.trim()}"`;
      if (x0 < -1 || y0 < -1 || x1 > s.width + 1 || y1 > s.height + 1)
        out.push(`OVERFLOW ${what} at [${x0 | 0}, ${y0 | 0}, ${x1 | 0}, ${y1 | 0}] in ${s.width}x${s.height}`);
      const size = parseFloat(getComputedStyle(t).fontSize);
      if (size < 10) out.push(`SMALL ${what}: ${size} px`);
    }
  }
  const first = [...document.body.children].find(e => e.tagName !== 'H1');
  if (!first || first.id !== 'findings') out.push(`FIRST the first section is ${first && (first.id || first.tagName)}, not the findings`);
  const pre = document.createElement('pre');
  pre.id = 'browser-check';
  pre.textContent = out.join('\n') + '\nEND';
  document.body.appendChild(pre);
});
</script>
JS
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
  # The layout check, on a copy of the page with the script before </body>.
  copy="$out/$name.check.html"
  sed "s#</body></html>#$(printf '%s' "$check" | tr '\n' ' ' | sed 's/[#&\\]/\\&/g')</body></html>#" "$page" >"$copy"
  chromium "${flags[@]}" --dump-dom "file://$(realpath "$copy")" >"$out/$name.check.dom.html" 2>/dev/null || true
  verdicts="$(sed -n '/<pre id="browser-check">/,/END<\/pre>/p' "$out/$name.check.dom.html" | sed 's/<pre id="browser-check">//; s/END<\/pre>.*//; /^$/d')"
  if ! grep -q 'END</pre>' "$out/$name.check.dom.html"; then
    echo "FAIL $page: the layout check did not run"; status=1
  elif grep -qE '^(OVERFLOW|SMALL|FIRST)' <<<"$verdicts"; then
    echo "FAIL $page: layout:"; grep -E '^(OVERFLOW|SMALL|FIRST)' <<<"$verdicts" | head -20; status=1
  else
    echo "ok $page: layout (figure texts inside their figures and >= 10 px; findings first)"
  fi
  grep -E '^NOTE' <<<"$verdicts" | sed "s#^#  $page: #" || true
done
exit $status
