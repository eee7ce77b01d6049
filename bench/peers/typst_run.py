#!/usr/bin/env python3
"""The Typst peer: compile report.typ once per customer in ONE warm process (one Compiler: fonts
and the template are loaded once, Typst's caches stay warm), each fed by its prepared JSON.

Usage: typst_run.py JSON_DIR OUT_DIR
JSON_DIR holds prepare.py's output (index.txt and <customer_id>.json); writes
OUT_DIR/<customer_id>-team.pdf. Fonts: the repository's fonts/ (Noto Sans, Noto Sans CJK JP, DejaVu
Sans), no system fonts. Prints the number of reports on stderr.
"""
import os
import sys

import typst

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.join(HERE, "..", "..", "fonts")


def main():
    json_dir, out = (os.path.abspath(p) for p in sys.argv[1:3])
    os.makedirs(out, exist_ok=True)
    names = open(os.path.join(json_dir, "index.txt")).read().split()
    # The root must hold both the template and the data: use the common ancestor.
    root = os.path.commonpath([HERE, json_dir])
    compiler = typst.Compiler(os.path.join(HERE, "report.typ"), root=root, font_paths=[FONTS], ignore_system_fonts=True)
    for name in names:
        data = "/" + os.path.relpath(os.path.join(json_dir, name), root)
        pdf = compiler.compile(sys_inputs={"data": data})
        with open(os.path.join(out, name[: -len(".json")] + "-team.pdf"), "wb") as f:
            f.write(pdf)
    print(f"typst: {len(names)} reports", file=sys.stderr)


if __name__ == "__main__":
    main()
