#!/usr/bin/env bash
# Writes every output format of one binary over the examples, the fixtures, the real-world corpus,
# the plans and a generated corpus into OUT_DIR, so that two binaries can be compared byte for byte:
#   scripts/snapshot-outputs.sh old/portcullis /tmp/before
#   scripts/snapshot-outputs.sh target/release/portcullis /tmp/after
#   diff -r /tmp/before /tmp/after && echo identical
# Run both from the repository root: paths in the outputs are the paths given on the command line.
set -uo pipefail
binary=$(realpath "${1:?usage: snapshot-outputs.sh BINARY OUT_DIR}")
out=${2:?usage: snapshot-outputs.sh BINARY OUT_DIR}
corpus=${CORPUS:-../shared/corpus}
generated=${GENERATED:-/tmp/portcullis-generated-corpus}
mkdir -p "$out"

if [ ! -d "$generated" ] && [ -f ../shared/bench/gen_corpus.py ]; then
  python3 ../shared/bench/gen_corpus.py --files 300 --seed 7 --format mixed "$generated" >/dev/null
fi

inputs=(examples/terraform examples/cloudformation)
for dir in fixtures/*/ fixtures/*/*/; do inputs+=("${dir%/}"); done
[ -d "$corpus/realworld" ] && for repo in "$corpus"/realworld/*/; do inputs+=("${repo%/}"); done
[ -d "$corpus/plans" ] && inputs+=("$corpus/plans")
[ -d "$generated" ] && inputs+=("$generated")

count=0
for input in "${inputs[@]}"; do
  name=$(printf '%s' "$input" | tr '/.' '__')
  for format in text json sarif github junit markdown dot; do
    "$binary" scan "$input" --color never --format "$format" \
      >"$out/$name.$format" 2>"$out/$name.$format.stderr"
    echo "exit $?" >>"$out/$name.$format.stderr"
    # The text summary's duration is the only output that varies from run to run.
    if [ "$format" = text ]; then
      sed -i -E 's/^(scanned [0-9]+ files?) in [0-9.]+ (ms|s)/\1 in TIME/' "$out/$name.$format"
    fi
    count=$((count + 1))
  done
done
"$binary" rules >"$out/rules.txt" 2>&1
for code in $("$binary" rules | awk 'NR > 1 { print $1 }'); do
  "$binary" explain "$code" >"$out/explain-$code.txt" 2>&1
done
echo "$count scans of ${#inputs[@]} inputs written to $out"
