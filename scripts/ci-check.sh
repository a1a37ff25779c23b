#!/usr/bin/env bash
# The check step of the GitHub Action (action.yml), usable from any CI:
# gate the estate against the policy, with annotations on the change and
# SARIF for code scanning, and create the baseline on the first run.
#
# Environment:
#   SOURCES   estate files or directories, separated by spaces (required)
#   POLICY    the policy file (required)
#   BASELINE  accepted violations; when the file does not exist yet, this
#             run records today's violations in it and passes (commit it)
#   SARIF     where to write the SARIF log ('' for none)
#   FORMAT    the format of the gate's own output (default github)
# Exit code: blastmap check's (0 passed, 1 new violations, 2 invalid input,
# 3 incomplete estate).
set -euo pipefail

: "${SOURCES:?SOURCES names the estate files or directories}"
: "${POLICY:?POLICY names the policy file}"
BASELINE=${BASELINE:-}
SARIF=${SARIF:-}
FORMAT=${FORMAT:-github}
read -r -a sources <<<"$SOURCES"

if [ -n "$BASELINE" ] && [ ! -e "$BASELINE" ]; then
  echo "::notice title=blastmap::no baseline at $BASELINE yet: recording the current violations as accepted; commit $BASELINE so that later runs fail only on new ones"
  blastmap check "${sources[@]}" --policy "$POLICY" --write-baseline "$BASELINE" --format "$FORMAT"
  exit 0
fi

baseline=()
[ -n "$BASELINE" ] && baseline=(--baseline "$BASELINE")
status=0
if [ -n "$SARIF" ]; then
  # Every finding in code scanning, whatever the gate decides below.
  blastmap check "${sources[@]}" --policy "$POLICY" "${baseline[@]}" --format sarif -o "$SARIF" --soft-fail || status=$?
fi
blastmap check "${sources[@]}" --policy "$POLICY" "${baseline[@]}" --format "$FORMAT" || status=$?
exit "$status"
