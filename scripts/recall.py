#!/usr/bin/env python3
"""portcullis's recall on a corpus of ../shared/bench/gen_corpus.py.

Usage: recall.py EXPECTED_JSONL FINDINGS_JSON [--catalogue catalogue.rs] [--misses N] [--root DIR]

The rules that must be reported are the security-group ingress rules of EXPECTED_JSONL that are
public (their resolved CIDRs, terraform.tfvars and CloudFormation parameter defaults applied,
include 0.0.0.0/0 or ::/0) and open all ports or a port of the sensitive-port catalogue (read from
crates/portcullis-checks/src/catalogue.rs, same protocol). Each must be reported by a finding of
FINDINGS_JSON (`portcullis scan --format json`, run from the corpus directory so that paths match)
whose primary location is in the same file, starting within the rule's line range.

NACL allow entries with the same properties are counted separately (NACL001), for information.

Prints the recall and, for each rule missed, the file, the lines, the snippet and what was
expected, with the findings of that file near it. Exits 1 when the security-group recall is not
100%. Standard library only.
"""
import argparse
import collections
import json
import os
import re
import sys

SG_TYPES = {
    "aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule",
    "aws_default_security_group", "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress",
}
NACL_TYPES = {"AWS::EC2::NetworkAclEntry", "aws_network_acl", "aws_network_acl_rule"}
SERVICE = re.compile(r'service\("([^"]+)",\s*(Tcp|Udp),\s*(\d+),\s*(\d+),')


def catalogue(path):
    """[(name, protocol, from, to)] from catalogue.rs."""
    with open(path, encoding="utf-8") as handle:
        services = [(name, proto.lower(), int(lo), int(hi))
                    for name, proto, lo, hi in SERVICE.findall(handle.read())]
    if not services:
        sys.exit(f"recall.py: no service found in {path}")
    return services


def sensitive(row, services):
    """Why the rule must be reported (all ports, or the services it touches), or None."""
    proto, lo, hi = row["protocol"], row["from_port"], row["to_port"]
    if proto == "all":
        return "all traffic"
    if proto not in ("tcp", "udp"):
        return None
    if lo <= 0 and hi >= 65535:
        return f"all {proto} ports"
    touched = sorted({name for name, sproto, slo, shi in services
                      if sproto == proto and lo <= shi and slo <= hi})
    return ", ".join(touched) if touched else None


def snippet(root, row):
    path = os.path.join(root, row["file"])
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except OSError:
        return "(file not readable)"
    return "\n".join(f"    {n:5} | {lines[n - 1]}" for n in range(row["line_start"], row["line_end"] + 1)
                     if 0 < n <= len(lines))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("expected")
    parser.add_argument("findings")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--catalogue", default=os.path.join(
        here, "..", "crates", "portcullis-checks", "src", "catalogue.rs"))
    parser.add_argument("--root", help="corpus directory (default: the directory of EXPECTED)")
    parser.add_argument("--misses", type=int, default=10, help="misses to print in full")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    root = args.root or os.path.dirname(os.path.abspath(args.expected))
    services = catalogue(args.catalogue)

    with open(args.expected, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    with open(args.findings, encoding="utf-8") as handle:
        report = json.load(handle)
    findings = report["findings"]
    by_file = collections.defaultdict(list)
    for finding in findings:
        by_file[os.path.normpath(finding["file"])].append(finding)

    def reported(row):
        """The findings whose primary location starts within the rule's lines."""
        return [f for f in by_file.get(os.path.normpath(row["file"]), [])
                if row["line_start"] <= f["start_line"] <= row["line_end"]
                and (f.get("exposure") or {}).get("direction", "ingress") == "ingress"]

    figures = {}
    misses_out = []
    for label, types, keep in (
            ("security-group rules", SG_TYPES, lambda r: True),
            ("NACL allow entries", NACL_TYPES, lambda r: r.get("action", "allow") == "allow")):
        wanted = [(r, why) for r in rows
                  if r["direction"] == "ingress" and r["public"] and r["resource_type"] in types and keep(r)
                  for why in [sensitive(r, services)] if why]
        found = [(r, why, reported(r)) for r, why in wanted]
        hit = sum(1 for _, _, fs in found if fs)
        missed = [(r, why) for r, why, fs in found if not fs]
        total = len(wanted)
        recall = 100.0 * hit / total if total else 100.0
        by_construct = collections.Counter(f"{r['construct']} via {r['via']}" for r, _ in missed)
        rules_used = collections.Counter(f["rule_id"] for _, _, fs in found for f in fs[:1])
        figures[label] = {"expected": total, "reported": hit, "recall_percent": round(recall, 3),
                          "missed_by_construct": dict(by_construct), "first_rule_ids": dict(rules_used)}
        print(f"recall, {label}: {hit}/{total} = {recall:.2f}%")
        if by_construct:
            print("  missed, by construct and how the CIDR was written:")
            for key, count in by_construct.most_common():
                print(f"    {count:6}  {key}")
        misses_out.append((label, missed))

    for label, missed in misses_out:
        for row, why in missed[: args.misses]:
            print(f"\nMISSED ({label}) {row['file']}:{row['line_start']}-{row['line_end']} "
                  f"{row['address']} [{row['construct']}, via {row['via']}]")
            print(f"  expected: ingress {row['protocol_raw']} {row['from_port']}-{row['to_port']} "
                  f"from {', '.join(row['cidrs'])} ({why})")
            print(snippet(root, row))
            near = [f for f in by_file.get(os.path.normpath(row["file"]), [])
                    if row["resource_start"] - 5 <= f["start_line"] <= row["resource_end"] + 5]
            if near:
                for f in near:
                    print(f"  actual: {f['rule_id']} at {f['start_line']}:{f['start_column']}: {f['message']}")
            else:
                print("  actual: no finding in or near the resource")

    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, indent=2)
    sg = figures["security-group rules"]
    return 0 if sg["reported"] == sg["expected"] else 1


if __name__ == "__main__":
    sys.exit(main())
