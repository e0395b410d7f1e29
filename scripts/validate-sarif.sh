#!/usr/bin/env bash
# Validates portcullis SARIF with Microsoft's SARIF Multitool and GitHub's ingestion rules
# ("Sarif;Gh"), failing on any error-level result. Usage: scripts/validate-sarif.sh BINARY
set -euo pipefail
binary=$(realpath "${1:-target/release/portcullis}")
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${SARIF_TOOLS_DIR:-${TMPDIR:-/tmp}/portcullis-sarif-multitool}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5.7.0 >/dev/null)
fi
multitool="$tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
chmod u+x "$multitool" 2>/dev/null || true

status=0
for target in examples fixtures/suppressions fixtures/rules; do
  name=$(echo "$target" | tr '/' '-')
  (cd "$root" && "$binary" scan "$target" --format sarif --output "$work/$name.sarif") || [ $? -le 2 ]
  # The Multitool's own exit code is 0 even when it finds errors: read its log instead.
  "$multitool" validate "$work/$name.sarif" --rule-kind "Sarif;Gh" --level "Error;Warning" \
    --output "$work/$name.validation.sarif" --log ForceOverwrite >/dev/null 2>&1 || true
  errors=$(python3 - "$work/$name.validation.sarif" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
errors = [r for run in log.get("runs", []) for r in run.get("results", []) if r.get("level") == "error"]
for r in errors:
    print("   ", r.get("ruleId"), r.get("message", {}).get("text", "")[:200], file=sys.stderr)
print(len(errors))
PY
)
  echo "sarif-multitool: $target: $errors error(s)"
  [ "$errors" = "0" ] || status=1
done
exit $status
