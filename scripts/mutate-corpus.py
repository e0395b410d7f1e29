#!/usr/bin/env python3
"""Robustness run: mutate the real repositories of ../shared/corpus/realworld and scan them.

Each round copies the Terraform and CloudFormation files of every repository into a temporary
directory, mutates a share of them (truncation at a random offset, random byte flips, or deleted
lines; the seed makes every run identical; the untouched files keep modules evaluable), and scans each repository with the release binary
under a timeout. It fails on a panic, a hang, a signal, an exit code other than 0, 1 or 2, or
JSON output that does not parse, and prints the figures.

Usage: python3 scripts/mutate-corpus.py target/release/portcullis [--rounds N] [--seed S]
Standard library only. A failing mutated repository is kept (its path is printed) to reproduce.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SUFFIXES = (".tf", ".tfvars", ".tf.json", ".tfvars.json", ".json", ".yaml", ".yml", ".template")
MUTATIONS = ("truncate", "flip", "delete-lines")


def iac_files(repo):
    for path in sorted(repo.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.name.endswith(SUFFIXES):
            yield path


def mutate(data, rng):
    """One mutation of `data`, chosen by `rng`; returns (name, mutated bytes)."""
    kind = rng.choice(MUTATIONS)
    if not data:
        return kind, data
    if kind == "truncate":
        return kind, data[: rng.randrange(len(data))]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(out))
            out[at] ^= 1 << rng.randrange(8)
        return kind, bytes(out)
    lines = data.splitlines(keepends=True)
    for _ in range(min(len(lines), rng.randint(1, 5))):
        del lines[rng.randrange(len(lines))]
    return kind, b"".join(lines)


def scan(binary, repo, timeout):
    """Returns (outcome, detail): outcome is an exit code or 'hang', 'panic', 'signal', 'bad-json'."""
    started = time.monotonic()
    try:
        run = subprocess.run(
            [binary, "scan", str(repo), "--format", "json", "--no-config", "--color", "never"],
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "hang", f"no result after {timeout} s", timeout
    elapsed = time.monotonic() - started
    stderr = run.stderr.decode("utf-8", "replace")
    if "panicked" in stderr:
        return "panic", stderr[-2000:], elapsed
    if run.returncode < 0:
        return "signal", f"killed by signal {-run.returncode}: {stderr[-2000:]}", elapsed
    if run.returncode not in (0, 1, 2):
        return "bad-exit", f"exit code {run.returncode}: {stderr[-2000:]}", elapsed
    try:
        summary = json.loads(run.stdout)["summary"]
    except (ValueError, KeyError) as error:
        return "bad-json", f"{error}: {run.stdout[:500]!r}", elapsed
    return run.returncode, summary, elapsed


def main():
    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("binary", nargs="?", default=str(root / "target/release/portcullis"))
    parser.add_argument("--corpus", default=str(root.parent / "shared/corpus/realworld"))
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--share", type=float, default=0.5, help="share of files mutated per round")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per scan")
    parser.add_argument("--keep", default=None, help="where failing repositories are kept")
    args = parser.parse_args()

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus {corpus} not found; skipping")
        return 0
    binary = str(Path(args.binary).resolve())
    repos = sorted(path for path in corpus.iterdir() if path.is_dir())
    sources = {repo: list(iac_files(repo)) for repo in repos}
    originals = {path: path.read_bytes() for files in sources.values() for path in files}
    keep = Path(args.keep) if args.keep else Path(tempfile.gettempdir()) / "portcullis-mutate-failures"

    rng = random.Random(args.seed)
    outcomes = Counter()
    mutations = Counter()
    failures = []
    files = errors = findings = 0
    slowest = (0.0, "")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="portcullis-mutate-") as scratch:
        # One copy of the corpus; each round rewrites only the files it mutates or restores.
        for path, data in originals.items():
            copy = Path(scratch) / path.relative_to(corpus)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
        dirty = set()
        for round_ in range(args.rounds):
            for repo in repos:
                target = Path(scratch) / repo.name
                for path in sources[repo]:
                    copy = target / path.relative_to(repo)
                    if rng.random() < args.share:
                        kind, data = mutate(originals[path], rng)
                        mutations[kind] += 1
                        copy.write_bytes(data)
                        dirty.add(path)
                    elif path in dirty:
                        copy.write_bytes(originals[path])
                        dirty.discard(path)
                if not sources[repo]:
                    continue
                outcome, detail, elapsed = scan(binary, target, args.timeout)
                outcomes[outcome] += 1
                if elapsed > slowest[0]:
                    slowest = (elapsed, f"round {round_} {repo.name}")
                if isinstance(outcome, int):
                    files += detail["files_scanned"]
                    errors += detail["errors"]
                    findings += detail["findings"]
                else:
                    kept = keep / f"seed{args.seed}-round{round_}" / repo.name
                    shutil.rmtree(kept, ignore_errors=True)
                    shutil.copytree(target, kept)
                    failures.append((outcome, f"round {round_} {repo.name}", str(kept), detail))

    total = time.monotonic() - started
    scans = sum(outcomes.values())
    print(
        f"seed {args.seed}, {args.rounds} rounds, {len(repos)} repositories, {len(originals)} files "
        f"per round, {args.share:.0%} of them mutated"
    )
    print("mutations: " + ", ".join(f"{kind} {mutations[kind]}" for kind in MUTATIONS))
    print(
        f"scans: {scans}; exit 0: {outcomes[0]}, exit 1: {outcomes[1]}, exit 2: {outcomes[2]}; "
        f"panics: {outcomes['panic']}, hangs: {outcomes['hang']}, signals: {outcomes['signal']}, "
        f"other exit codes: {outcomes['bad-exit']}, invalid JSON: {outcomes['bad-json']}"
    )
    print(f"files scanned: {files}, not analysed (reported): {errors}, findings: {findings}")
    print(f"time: {total:.1f} s, slowest scan {slowest[0]:.1f} s ({slowest[1]})")
    for outcome, where, kept, detail in failures:
        print(f"FAIL {outcome} {where}: kept in {kept}\n    {str(detail)[:1000]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
