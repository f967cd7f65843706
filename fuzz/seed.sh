#!/usr/bin/env bash
# Seeds the fuzzers' corpora from the test fixtures (see README.md).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/validate corpus/ledger_csv
find ../tests/fixtures ../initiatives -type f -name '*.toml' -size -64k -exec cp --backup=numbered -t corpus/validate {} +
find ../tests/fixtures ../initiatives -type f -name '*.csv' -size -64k -exec cp --backup=numbered -t corpus/ledger_csv {} +
echo "seeded: $(ls corpus/validate | wc -l) plans, $(ls corpus/ledger_csv | wc -l) exports"
