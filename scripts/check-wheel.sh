#!/usr/bin/env bash
# Builds the Python wheel (pyproject.toml: maturin, bindings = "bin"), installs it into a fresh
# virtual environment with no network, and runs the binary from there: `portcullis --version`
# must print the version of Cargo.toml, and a scan of examples/ must exit 1 and report findings.
# The distribution is portcullis-iac (pyproject.toml), the command portcullis. Prints the wheel's
# name, size and contents.
#
# maturin comes from the Python registry, pinned, into a virtual environment under target/
# (reused between runs; PORTCULLIS_WHEEL_TOOLS moves it). Where it cannot be installed the check
# is skipped with a message, and only then. The wheel is built with the release profile in the
# workspace's target directory (or CARGO_TARGET_DIR), so after `cargo build --release` only the
# portcullis binary itself is compiled again (stripped).
#
# Usage: scripts/check-wheel.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

maturin_version=1.16.0
python=${PYTHON:-python3}
tools=${PORTCULLIS_WHEEL_TOOLS:-$root/target/wheel-tools/maturin-$maturin_version}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$tools/bin/maturin" ] || [ "$("$tools/bin/maturin" --version 2>/dev/null)" != "maturin $maturin_version" ]; then
  rm -rf "$tools"
  if ! "$python" -m venv "$tools" >"$work/venv.log" 2>&1 \
    || ! "$tools/bin/python" -m pip install --quiet --disable-pip-version-check \
      --only-binary=:all: "maturin==$maturin_version" >"$work/pip.log" 2>&1; then
    echo "SKIP wheel check: maturin $maturin_version could not be installed into a virtual environment:"
    cat "$work/venv.log" "$work/pip.log" 2>/dev/null | tail -n 5 | sed 's/^/    /'
    rm -rf "$tools"
    exit 0
  fi
fi
echo "maturin: $("$tools/bin/maturin" --version)"

expected=$(cargo metadata --no-deps --format-version 1 --locked \
  | "$python" -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "portcullis"))')

start=$SECONDS
"$tools/bin/maturin" build --release --locked --quiet --out "$work/dist" >"$work/build.log" 2>&1 || {
  cat "$work/build.log"
  echo "FAIL: maturin build"
  exit 1
}
wheels=("$work"/dist/*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
  echo "FAIL: expected one wheel, found: $(ls "$work/dist")"
  exit 1
fi
wheel=${wheels[0]}
bytes=$(wc -c <"$wheel" | tr -d ' ')
echo "wheel: $(basename "$wheel"), $bytes bytes ($((bytes / 1024)) KiB), built in $((SECONDS - start)) s"
"$python" -m zipfile -l "$wheel" | sed 's/^/    /'
case "$(basename "$wheel")" in
  "portcullis_iac-$expected-"*) ;;
  *) echo "FAIL: the wheel's version is not $expected (Cargo.toml)"; exit 1 ;;
esac

# A fresh environment; the wheel is its only source, no index.
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
bin=$work/venv/bin/portcullis
if [ ! -x "$bin" ]; then
  echo "FAIL: the wheel installed no $bin"
  exit 1
fi

version=$("$bin" --version)
echo "installed: $version"
if [ "$version" != "portcullis $expected" ]; then
  echo "FAIL: portcullis --version printed '$version', expected 'portcullis $expected'"
  exit 1
fi

# On PATH as pip, pipx and uv put it: by name, from the environment's bin directory.
status=0
PATH="$work/venv/bin:$PATH" portcullis scan examples/ --color never >"$work/scan.out" 2>"$work/scan.err" || status=$?
if [ "$status" -ne 1 ]; then
  cat "$work/scan.out" "$work/scan.err"
  echo "FAIL: the scan of examples/ exited with $status, expected 1 (findings at or above high)"
  exit 1
fi
summary=$(grep -E '[0-9]+ findings?' "$work/scan.out" "$work/scan.err" | tail -n 1 || true)
if [ -z "$summary" ]; then
  cat "$work/scan.out" "$work/scan.err"
  echo "FAIL: the scan of examples/ printed no finding count"
  exit 1
fi
echo "scan of examples/ from the wheel: exit 1, ${summary#*:}"
echo "wheel check: passed"
