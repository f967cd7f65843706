#!/usr/bin/env bash
# Seeds the fuzzers' corpora from the test fixtures (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/validate corpus/ledger_csv corpus/sie corpus/markdown corpus/junit
find ../tests/fixtures ../initiatives -type f -name '*.toml' -size -64k -exec cp --backup=numbered -t corpus/validate {} +
find ../tests/fixtures ../initiatives -type f -name '*.csv' -size -64k -exec cp --backup=numbered -t corpus/ledger_csv {} +
find ../tests/fixtures -type f -name '*.se' -size -64k -exec cp --backup=numbered -t corpus/sie {} +
# Texts for the writers: names and notes of the example portfolio, and the
# hostile text of tests/output_safety.rs.
grep -rhoE '(name|note|text) = "[^"]*"' ../initiatives ../tests/fixtures | sed -E 's/^[a-z]+ = "//; s/"$//' | head -200 |
  while IFS= read -r line; do printf '%s' "$line" > "corpus/markdown/$(printf '%s' "$line" | sha1sum | cut -c1-16)"; done
printf '\x1b]8;;http://evil\x07link\n::error::x\r\n|x[y](javascript:a)<img src=x>\xef\xbf\xbe # *b* `c` &amp;' > corpus/markdown/hostile
cp corpus/markdown/* corpus/junit/
echo "seeded: $(ls corpus/validate | wc -l) plans, $(ls corpus/ledger_csv | wc -l) exports, $(ls corpus/sie | wc -l) SIE files, $(ls corpus/markdown | wc -l) texts"
