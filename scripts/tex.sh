#!/usr/bin/env bash
# pdflatex for the LaTeX checks: Debian's texlive packages, installed when
# absent (as root, with apt-get). With pdflatex, `cargo test` compiles the
# demo's standalone documents and a report of hostile labels
# (tests/figures.rs, tests/escaping.rs), and `scripts/tex.sh DIR` compiles
# DIR's standalone documents and fails on any LaTeX error or overfull box.
set -uo pipefail

if ! command -v pdflatex >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing pdflatex (texlive-latex-base, texlive-latex-recommended, texlive-pictures for pgfplots)"
    apt-get update -q >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      texlive-latex-base texlive-latex-recommended texlive-pictures >/dev/null 2>&1
  fi
fi
if ! command -v pdflatex >/dev/null 2>&1; then
  echo "SKIPPED: pdflatex is absent and could not be installed; the LaTeX is checked structurally only"
  exit 0
fi
pdflatex --version | head -1
[ $# -eq 0 ] && exit 0

dir="$1"
out="$(mktemp -d)"
status=0
for doc in "$dir"/*-standalone.tex; do
  name="$(basename "$doc" .tex)"
  (cd "$dir" && pdflatex -interaction=nonstopmode -halt-on-error -output-directory="$out" "$name.tex" >/dev/null 2>&1)
  log="$out/$name.log"
  if [ ! -f "$out/$name.pdf" ] || grep -q '^!' "$log"; then
    echo "LaTeX error in $doc:"; grep -A3 '^!' "$log" | head -20; status=1
  elif grep -q 'Overfull' "$log"; then
    echo "overfull box in $doc:"; grep -A2 'Overfull' "$log" | head -20; status=1
  else
    echo "$doc: $(grep -o 'Output written.*' "$log")"
  fi
done
exit $status
