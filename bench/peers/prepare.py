#!/usr/bin/env python3
"""The peers' input, made before any timing: one JSON document per customer.

For every customer folder under INPUT (a folder holding account.csv), in sorted order:
`valuereport explain DIR --as-of AS_OF --format json` (the value computation: quarters, goals, TTM,
ROI, projections), plus the rows the report prints that the computation does not carry (the
account, goals' assumptions, stories, opportunities), read from the customer's CSV files.
Writes OUT/<customer_id>.json and OUT/index.txt (the file names, one a line).

Usage: prepare.py VALUEREPORT_BIN INPUT AS_OF OUT
Standard library only.
"""
import csv
import json
import os
import subprocess
import sys


def rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def main():
    binary, input_dir, as_of, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    dirs = sorted(root for root, _, files in os.walk(input_dir) if "account.csv" in files)
    names = []
    for d in dirs:
        explain = subprocess.run(
            [binary, "explain", d, "--as-of", as_of, "--format", "json"],
            check=True, capture_output=True, text=True,
        ).stdout
        account = rows(os.path.join(d, "account.csv"))[0]
        doc = {
            "account": account,
            "goals": rows(os.path.join(d, "goals.csv")),
            "stories": rows(os.path.join(d, "stories.csv")),
            "opportunities": rows(os.path.join(d, "opportunities.csv")),
            "explain": json.loads(explain),
        }
        name = account["customer_id"] + ".json"
        with open(os.path.join(out, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        names.append(name)
    with open(os.path.join(out, "index.txt"), "w") as f:
        f.write("\n".join(names) + "\n")
    print(f"{len(names)} customers prepared into {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
