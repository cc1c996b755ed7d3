#!/usr/bin/env bash
# The check step of action.yml: annotations for the log and the pull request, then SARIF for code scanning.
# Reads DOCTOR (path of dist/cli.js), INPUT_PATHS, INPUT_FAIL_ON, INPUT_ARGS; writes exit-code and sarif-file to
# $GITHUB_OUTPUT. Paths are split on whitespace (no glob expansion); args are split the same way.
set -uo pipefail
set -f
read -r -d '' -a paths <<<"${INPUT_PATHS:-.}" || true
read -r -d '' -a args <<<"${INPUT_ARGS:-}" || true
[ "${#paths[@]}" -gt 0 ] || paths=(.)
sarif="${RUNNER_TEMP:-/tmp}/claude-otel-doctor.sarif"
rm -f "$sarif"

node "$DOCTOR" check "${paths[@]}" --format github --fail-on "${INPUT_FAIL_ON:-error}" "${args[@]}"
code=$?
# The SARIF report holds every finding whatever the exit code; a usage error (2) leaves no file to upload.
node "$DOCTOR" check "${paths[@]}" --format sarif --fail-on "${INPUT_FAIL_ON:-error}" --output-file "$sarif" "${args[@]}" >/dev/null
if [ -s "$sarif" ]; then echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"; else echo "sarif-file=" >>"$GITHUB_OUTPUT"; fi
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
exit 0
