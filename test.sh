#!/usr/bin/env bash
# Runs every test suite of the repository and ends with one line: "N passed, N failed".
# The JavaScript peers the tests check against (npm packages) are installed first when missing (the benchmarks' peers
# under benchmarks/ are not: the tests do not use them).
set -uo pipefail
cd "$(dirname "$0")"

for lock in $(git ls-files '*package-lock.json' | grep -v -e node_modules -e '^benchmarks/'); do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ]; then
    echo "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; echo "0 passed, 1 failed"; exit 1; }
  fi
done

results=artifacts/test-results
rm -rf "$results"
dotnet test ChatAdvisor.sln --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(( ${t:-0} - ${e:-0} ))
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${n:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
# A skipped test did not run (for example the check against a real downloaded model): it is counted apart.
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
