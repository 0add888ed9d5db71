#!/usr/bin/env bash
# The project's test command (`npm test`, also run by CI): bootstrap, then every test file under test/
# with node's test runner through tsx.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
mapfile -t files < <(find test -name '*.test.ts' | sort)
exec node --import tsx --test "${files[@]}"
