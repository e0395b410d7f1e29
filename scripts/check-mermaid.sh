#!/usr/bin/env bash
# Checks that every Mermaid diagram in the exposure-map snapshots (or in the files and
# directories given as arguments) parses with Mermaid itself. Installs the versions pinned in
# scripts/package.json and scripts/package-lock.json into a scratch directory outside the
# repository: set MERMAID_CHECK_DIR to reuse one (a CI cache), otherwise a temporary one is used.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "$#" -eq 0 ]; then
  set -- "$repo"/tests/snapshots/exposure_map__*.snap
fi
if [ -n "${MERMAID_CHECK_DIR:-}" ]; then
  scratch=$MERMAID_CHECK_DIR
  mkdir -p "$scratch"
else
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
fi
cp "$repo/scripts/package.json" "$repo/scripts/package-lock.json" "$repo/scripts/check-mermaid.mjs" "$scratch/"
(cd "$scratch" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
# Resolved paths: node runs from the scratch directory, where node_modules is.
args=()
for path in "$@"; do
  args+=("$(cd "$(dirname "$path")" && pwd)/$(basename "$path")")
done
node "$scratch/check-mermaid.mjs" "${args[@]}"
