#!/usr/bin/env python3
"""The security-group model against the real module, downloaded.

Serves ../shared/corpus/realworld/terraform-aws-modules+terraform-aws-security-group as a
tar.gz archive on 127.0.0.1, rewrites the calls of fixtures/terraform/registry_security_group
to download it (`http://127.0.0.1:PORT/sg.tar.gz//modules/ssh`, ...), and scans:

  1. the fixture as it is, offline: the calls are read through the offline model;
  2. the rewritten fixture with --download-modules into an empty cache (cold);
  3. the same again (warm): every module comes from the cache, no request is made.

Fails unless the real module's findings equal the model's (rule, resource, message,
severity, certainty, exposure) and the warm run makes no request. Prints the figures:
modules fetched, requests, and the time of each run.

Usage: scripts/check-module-downloads.py BINARY [--corpus DIR]
"""

import argparse
import http.server
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "terraform" / "registry_security_group"
MODEL_SOURCE = "terraform-aws-modules/security-group/aws"


def archive_of(directory: Path) -> bytes:
    """The module's .tf files as a tar.gz (examples and wrappers left out: not needed)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for path in sorted(directory.rglob("*.tf")):
            relative = path.relative_to(directory)
            if relative.parts[0] in ("examples", "wrappers"):
                continue
            tar.add(path, arcname=str(relative))
    return buffer.getvalue()


def serve(archive: bytes):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the http.server API)
            requests.append(self.path)
            if self.path == "/sg.tar.gz":
                self.send_response(200)
                self.send_header("Content-Length", str(len(archive)))
                self.end_headers()
                self.wfile.write(archive)
            else:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, requests


def rewrite(text: str, base: str) -> str:
    """Registry calls of the module become archive downloads; `version` applies to registry
    sources only, so it goes."""
    text = re.sub(
        rf'"(registry\.terraform\.io/)?{re.escape(MODEL_SOURCE)}(//[^"]*)?"',
        lambda match: f'"{base}{match.group(2) or ""}"',
        text,
    )
    return re.sub(r'(?m)^\s*version\s*=\s*"[^"]*"\s*\n', "", text)


def generated_calls(module: Path, source: str) -> str:
    """One call per sub-module, open to the world, and one call with every named rule of the
    module's table: the model's table and sub-module list against the real code."""
    names = re.findall(
        r'(?m)^\s*([a-z0-9-]+)\s*=\s*\[\s*-?\d+\s*,', (module / "rules.tf").read_text()
    )
    rules = ", ".join(f'"{name}"' for name in names)
    calls = [
        f'module "every_rule" {{\n  source = "{source}"\n  name = "every-rule"\n'
        f'  ingress_cidr_blocks = ["0.0.0.0/0"]\n  ingress_ipv6_cidr_blocks = ["::/0"]\n'
        f"  ingress_rules = [{rules}]\n}}\n"
    ]
    for sub in sorted(path.name for path in (module / "modules").iterdir()):
        if sub.startswith("_") or not (module / "modules" / sub / "main.tf").is_file():
            continue
        label = sub.replace("-", "_")
        calls.append(
            f'module "sub_{label}" {{\n  source = "{source}//modules/{sub}"\n'
            f'  name = "{sub}"\n  ingress_cidr_blocks = ["0.0.0.0/0"]\n}}\n'
        )
    return "\n".join(calls)


def scan(binary: str, directory: Path, extra: list) -> tuple:
    started = time.monotonic()
    result = subprocess.run(
        [binary, "scan", ".", "--format", "json", "--no-config", *extra],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if result.returncode not in (0, 1):
        errors = result.stdout and json.loads(result.stdout).get("errors")
        sys.exit(f"scan of {directory} exited {result.returncode}:\n{result.stderr}{errors}")
    return json.loads(result.stdout), result.stderr, elapsed


def declined(report: dict) -> set:
    """The calls the model does not stand for (a version constraint outside its releases):
    listed as not analysed offline, analysed once downloaded."""
    return {
        finding["resource"]
        for finding in report["findings"]
        if finding["rule_id"] == "SG018" and "the offline model covers" in finding["message"]
    }


def comparable(report: dict, skipped: set) -> list:
    keys = ("rule_id", "resource", "message", "severity", "certainty", "exposure")

    def fields(finding: dict) -> dict:
        kept = {key: finding.get(key) for key in keys}
        # What could not be resolved is the same; why is said in each one's words (the model
        # names its table, the evaluator the map lookup).
        kept["message"] = re.sub(r"could not be resolved \(.*\)$", "could not be resolved", kept["message"])
        return kept

    return sorted(
        json.dumps(fields(finding), sort_keys=True)
        for finding in report["findings"]
        if not any(
            finding["resource"] == call or finding["resource"].startswith(call + ".")
            for call in skipped
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument(
        "--corpus",
        default=os.environ.get("CORPUS", str(ROOT.parent / "shared" / "corpus" / "realworld")),
    )
    args = parser.parse_args()
    module = Path(args.corpus) / "terraform-aws-modules+terraform-aws-security-group"
    if not module.is_dir():
        print(f"corpus module {module} not found; skipping")
        return
    binary = os.path.abspath(args.binary)

    server, requests = serve(archive_of(module))
    base = f"http://127.0.0.1:{server.server_address[1]}/sg.tar.gz"
    with tempfile.TemporaryDirectory(prefix="portcullis-downloads-") as work:
        work = Path(work)
        modelled = work / "modelled"
        downloaded = work / "downloaded"
        cache = work / "cache"
        for directory in (modelled, downloaded):
            directory.mkdir()
        calls = 0
        for path in sorted(FIXTURE.glob("*.tf")):
            text = path.read_text()
            calls += len(re.findall(rf'source\s*=\s*"(registry\.terraform\.io/)?{re.escape(MODEL_SOURCE)}', text))
            (modelled / path.name).write_text(text)
            (downloaded / path.name).write_text(rewrite(text, base))
        (modelled / "generated.tf").write_text(generated_calls(module, MODEL_SOURCE))
        (downloaded / "generated.tf").write_text(generated_calls(module, base))
        calls += generated_calls(module, base).count("module \"")

        model_report, _, model_time = scan(binary, modelled, [])
        download = ["--download-modules", "--module-cache", str(cache)]
        cold_report, cold_log, cold_time = scan(binary, downloaded, download)
        cold_requests = len(requests)
        warm_report, warm_log, warm_time = scan(binary, downloaded, download)
        warm_requests = len(requests) - cold_requests
    server.shutdown()

    skipped = declined(model_report)
    model, cold, warm = (
        comparable(report, skipped) for report in (model_report, cold_report, warm_report)
    )
    print(f"module calls: {calls} (fixture {FIXTURE.relative_to(ROOT)}); compared without {sorted(skipped)}, which the model declines")
    print(f"offline model: {len(model)} findings in {model_time:.2f} s")
    print(f"download, cold: {len(cold)} findings in {cold_time:.2f} s, {cold_requests} requests; {cold_log.strip()}")
    print(f"download, warm: {len(warm)} findings in {warm_time:.2f} s, {warm_requests} requests; {warm_log.strip()}")
    failed = False
    if cold != model:
        failed = True
        only_model = sorted(set(model) - set(cold))
        only_real = sorted(set(cold) - set(model))
        print(f"the real module disagrees with the model: {len(only_model)} findings only from the model, {len(only_real)} only from the real module")
        for line in only_model[:20]:
            print("  model only:", line)
        for line in only_real[:20]:
            print("  real only: ", line)
    if warm != cold:
        failed = True
        print("the warm run's findings differ from the cold run's")
    if warm_requests:
        failed = True
        print(f"the warm run made {warm_requests} requests")
    if cold_requests == 0:
        failed = True
        print("the cold run made no request")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
