#!/usr/bin/env bash
# Runs the "Install portcullis" step of action.yml (its script, with the environment the action
# gives it) against a release served on the loopback address, with a stand-in for cargo:
# a release tag downloads the archive and verifies its SHA-256; a wrong checksum fails; a release
# without the archive, a branch, a local action or an unknown architecture build with cargo; a
# version that is not a release tag is refused. The archives hold a stand-in binary, so the check
# takes seconds and needs no network beyond 127.0.0.1.
#
# Needs PyYAML: the Python of scripts/lint-actions.sh's tools (PORTCULLIS_LINT_TOOLS) by default.
# Usage: scripts/check-action-install.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON_YAML:-${PORTCULLIS_LINT_TOOLS:-$root/target/lint-tools}/bin/python}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$python" - "$root/action.yml" "$work/install.sh" <<'PY'
import sys
import yaml
action = yaml.safe_load(open(sys.argv[1]))
step = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
open(sys.argv[2], "w").write(step["run"])
PY

# A release v9.9.9 with a Linux x86_64 archive; the binary prints its version.
release=$work/www/owner/repo/releases/download/v9.9.9
mkdir -p "$release" "$work/www/owner/repo/releases/latest" "$work/stage"
printf '#!/bin/sh\necho "portcullis 9.9.9"\n' >"$work/stage/portcullis"
chmod +x "$work/stage/portcullis"
tar -czf "$release/portcullis-x86_64-unknown-linux-musl.tar.gz" -C "$work/stage" portcullis
(cd "$release" && sha256sum portcullis-x86_64-unknown-linux-musl.tar.gz >portcullis-x86_64-unknown-linux-musl.tar.gz.sha256)
# The same archive with the checksum of another file.
mkdir -p "$work/www/owner/repo/releases/download/v9.9.8"
cp "$release/portcullis-x86_64-unknown-linux-musl.tar.gz" "$work/www/owner/repo/releases/download/v9.9.8/"
echo "0000000000000000000000000000000000000000000000000000000000000000  portcullis-x86_64-unknown-linux-musl.tar.gz" \
  >"$work/www/owner/repo/releases/download/v9.9.8/portcullis-x86_64-unknown-linux-musl.tar.gz.sha256"
ln -s ../download/v9.9.9 "$work/www/owner/repo/releases/latest/download"

# A stand-in for cargo: records its arguments and installs a binary under --root.
mkdir -p "$work/fakebin"
cat >"$work/fakebin/cargo" <<'SH'
#!/usr/bin/env bash
echo "cargo $*" >>"$CARGO_LOG"
while [ $# -gt 0 ]; do
  if [ "$1" = --root ]; then mkdir -p "$2/bin"; printf '#!/bin/sh\necho "portcullis 0.0.0-source"\n' >"$2/bin/portcullis"; chmod +x "$2/bin/portcullis"; fi
  shift
done
SH
chmod +x "$work/fakebin/cargo"

"$python" -u -m http.server 0 --bind 127.0.0.1 --directory "$work/www" >"$work/server.log" 2>&1 &
server_pid=$!
port=
for _ in $(seq 1 50); do
  port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/server.log" | head -n 1)
  if [ -n "$port" ]; then break; fi
  sleep 0.1
done
if [ -z "$port" ]; then cat "$work/server.log"; echo "FAIL: the test server did not start"; exit 1; fi

failures=0
case_number=0
# run_case NAME EXPECTED_EXIT EXPECTED_CARGO(grep pattern or "none") EXPECTED_VERSION [VAR=VALUE...]
run_case() {
  local name=$1 want_exit=$2 want_cargo=$3 want_version=$4
  shift 4
  case_number=$((case_number + 1))
  local dir=$work/case$case_number
  mkdir -p "$dir/temp"
  : >"$dir/output" ; : >"$dir/path" ; : >"$dir/cargo.log"
  local status=0
  env -i PATH="$work/fakebin:/usr/bin:/bin" HOME="$dir" CARGO_LOG="$dir/cargo.log" \
    RUNNER_TEMP="$dir/temp" GITHUB_OUTPUT="$dir/output" GITHUB_PATH="$dir/path" \
    GITHUB_SERVER_URL="http://127.0.0.1:$port" \
    VERSION= ACTION_REF=v9.9.9 ACTION_REPOSITORY=owner/repo ACTION_PATH=/action OS=Linux ARCH=X64 \
    "$@" bash --noprofile --norc -eo pipefail "$work/install.sh" >"$dir/log" 2>&1 || status=$?
  local problems=()
  [ "$status" -eq "$want_exit" ] || problems+=("exit $status, expected $want_exit")
  if [ "$want_cargo" = none ]; then
    [ ! -s "$dir/cargo.log" ] || problems+=("cargo ran: $(cat "$dir/cargo.log")")
  else
    grep -qE -- "$want_cargo" "$dir/cargo.log" || problems+=("cargo not run as /$want_cargo/: $(cat "$dir/cargo.log")")
  fi
  if [ -n "$want_version" ]; then
    grep -qx "version=$want_version" "$dir/output" || problems+=("output: $(cat "$dir/output")")
    grep -qx "$dir/temp/portcullis/bin" "$dir/path" || problems+=("GITHUB_PATH: $(cat "$dir/path")")
  fi
  if [ "${#problems[@]}" -eq 0 ]; then
    echo "ok   $name"
    if [ -n "${VERBOSE:-}" ]; then sed "s/^/       /" "$dir/log"; fi
  else
    echo "FAIL $name: ${problems[*]}"
    sed 's/^/       /' "$dir/log"
    failures=$((failures + 1))
  fi
}

run_case "own release tag: download, checksum verified" 0 none 9.9.9
run_case "version: latest" 0 none 9.9.9 ACTION_REF=main VERSION=latest
run_case "ref from the action's path when github.action_ref is empty" 0 none 9.9.9 \
  ACTION_REF= ACTION_PATH=/runner/work/_actions/owner/repo/v9.9.9
run_case "wrong checksum: fails, nothing installed" 1 none "" ACTION_REF=v9.9.8
run_case "own tag without a release: cargo from the action's source" 0 '^cargo install --locked --quiet --path /action ' 0.0.0-source \
  ACTION_REF=v8.0.0
run_case "other tag without a release: cargo from that tag" 0 "--git http://127.0.0.1:$port/owner/repo --tag v8.0.0 " 0.0.0-source \
  ACTION_REF=main VERSION=v8.0.0
run_case "branch: cargo from the action's source" 0 '--path /action ' 0.0.0-source ACTION_REF=main
run_case "local action (no ref): cargo from the action's source" 0 '--path /action ' 0.0.0-source ACTION_REF= ACTION_PATH=/action
run_case "no binary for Linux ARM: cargo" 0 '--path /action ' 0.0.0-source ARCH=ARM
run_case "version that is not a release tag: refused" 1 none "" VERSION='main; touch /tmp/x'

echo "$case_number cases: $((case_number - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
