#!/usr/bin/env bash
# Scans each repository of ../shared/corpus/realworld with the release binary. Fails on a panic,
# a signal, or an exit code other than 0, 1 or 2; prints how many files could not be analysed.
set -uo pipefail
binary=${1:-target/release/portcullis}
corpus=${CORPUS:-../shared/corpus/realworld}
if [ ! -d "$corpus" ]; then
  echo "corpus $corpus not found; skipping"
  exit 0
fi
status=0
total_files=0
total_errors=0
total_findings=0
out=$(mktemp)
for repo in "$corpus"/*/; do
  name=$(basename "$repo")
  "$binary" scan "$repo" --format json --output "$out" 2>"$out.err"
  code=$?
  if [ "$code" -gt 2 ] || grep -q "panicked" "$out.err"; then
    echo "FAIL $name: exit code $code"
    cat "$out.err"
    status=1
    continue
  fi
  read -r files findings errors < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["files_scanned"], s["findings"], s["errors"])' "$out")
  total_files=$((total_files + files)); total_errors=$((total_errors + errors)); total_findings=$((total_findings + findings))
  printf '%-60s exit %s  files %5s  findings %5s  not analysed %s\n' "$name" "$code" "$files" "$findings" "$errors"
  if [ "$errors" -gt 0 ]; then
    python3 -c 'import json,sys; [print("    ", e["file"], e["line"], e["column"], e["message"][:160]) for e in json.load(open(sys.argv[1]))["errors"]]' "$out"
  fi
done
rm -f "$out" "$out.err"
echo "corpus: $total_files files scanned, $total_findings findings, $total_errors files could not be analysed"
exit $status
