#!/usr/bin/env python3
"""Ours, Typst, ReportLab + matplotlib and the floor, interleaved, on the same generated customers
(issue #18). Run through compare.sh, which builds the binaries and the peers' venv first.

Method: `valuereport sample --customers N --seed S --as-of 2026-11-22` for N = 5 and 50; team
edition; one core (`taskset -c 0`); steady state per report = (time for 50 − time for 5) / 45, so
process start, imports, font loading and warm-up cancel out. Each repeat runs, in this order:
ours(5), ours(50), typst(5), typst(50), reportlab(5), reportlab(50), floor(5), floor(50) (and, with
--locales, ours and the floor again with every report forced to English and to Japanese). The
figure of a tool is the median over the repeats of its per-repeat steady state.

- ours: `valuereport run IN --as-of 2026-11-22 --jobs 1 --audience team --out FRESH --quiet`, wall
  time of the process, a fresh output folder each time (cold);
- typst: typst_run.py, one warm process compiling report.typ for every customer, fed by the JSON
  prepare.py made from `valuereport explain --format json` before any timing;
- reportlab: reportlab_report.py, one process for every customer, same JSON;
- floor: the `floor` bench binary (benches/floor.rs), timed inside the process: parse the CSVs,
  deflate at level 6 the streams of the PDFs ours wrote, write with fsync + rename (also without
  fsync, and content streams only at level 1).
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
AS_OF = "2026-11-22"
SIZES = (5, 50)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed(cmd):
    """Wall time and CPU time (user + sys of the child) in milliseconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    sh(cmd, stdout=subprocess.DEVNULL)
    wall = (time.perf_counter() - start) * 1000.0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000.0
    return wall, cpu


def pdf_sizes(folder):
    sizes = [os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(folder) for f in files if f.endswith("-team.pdf")]
    return len(sizes), (sum(sizes) / len(sizes) if sizes else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", required=True, help="valuereport release binary")
    ap.add_argument("--floor", required=True, help="the floor bench binary")
    ap.add_argument("--work", required=True, help="scratch folder (customers, JSON, outputs)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cpu", default="0", help="taskset CPU list [0]")
    ap.add_argument("--locales", action="store_true", help="also ours and the floor with every report in English and in Japanese")
    ap.add_argument("--no-reportlab", action="store_true", help="skip ReportLab (about a second a report)")
    a = ap.parse_args()

    py = sys.executable
    pin = ["taskset", "-c", a.cpu]
    work = os.path.abspath(a.work)
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    load_start = loadavg()

    # ---- inputs, untimed ----
    if not a.no_reportlab:  # ReportLab embeds TrueType only: the CJK face converted once, cached
        sh([py, f"{HERE}/cjk_ttf.py", f"{work}/fonts"])
    variants = [("mixed", [])] + ([("en", ["--locale", "en"]), ("ja", ["--locale", "ja"])] if a.locales else [])
    for n in SIZES:
        inp = f"{work}/in{n}"
        shutil.rmtree(inp, ignore_errors=True)
        sh([a.bin, "sample", "--customers", str(n), "--seed", str(a.seed), "--out", inp, "--as-of", AS_OF], stdout=subprocess.DEVNULL)
        sh([py, f"{HERE}/prepare.py", a.bin, inp, AS_OF, f"{work}/json{n}"])
        for name, extra in variants:  # the PDFs the floor deflates the streams of
            ref = f"{work}/ref-{name}-{n}"
            shutil.rmtree(ref, ignore_errors=True)
            sh([a.bin, "run", inp, "--as-of", AS_OF, "--jobs", "1", "--audience", "team", "--out", ref, "--quiet", *extra], stdout=subprocess.DEVNULL)

    def ours(name, extra):
        def run(n):
            out = f"{work}/ours-{name}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            return timed([*pin, a.bin, "run", f"{work}/in{n}", "--as-of", AS_OF, "--jobs", "1", "--audience", "team", "--out", out, "--quiet", *extra])
        return run

    def peer(script, name, *extra):
        def run(n):
            out = f"{work}/{name}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            return timed([*pin, py, f"{HERE}/{script}", f"{work}/json{n}", out, *extra])
        return run

    floor_extra = {}

    def floor(name):
        def run(n):
            res = subprocess.run([*pin, a.floor, f"{work}/in{n}", f"{work}/ref-{name}-{n}", f"{work}/floor-scratch"],
                                 check=True, capture_output=True, text=True)
            doc = json.loads(res.stdout)
            for key in ("nofsync_ms", "content_l1_ms"):
                floor_extra.setdefault((name, key, n), []).append(doc[key])
            floor_extra[(name, "doc", n)] = doc
            return doc["fsync_ms"], None
        return run

    tools = [("ours", ours("mixed", []))]
    for name, extra in variants[1:]:
        tools.append((f"ours-{name}", ours(name, extra)))
    tools.append(("typst", peer("typst_run.py", "typst")))
    if not a.no_reportlab:
        tools.append(("reportlab", peer("reportlab_report.py", "reportlab", f"{work}/fonts")))
    tools.append(("floor", floor("mixed")))
    for name, _ in variants[1:]:
        tools.append((f"floor-{name}", floor(name)))

    times = {(t, n): [] for t, _ in tools for n in SIZES}
    cpus = {(t, n): [] for t, _ in tools for n in SIZES}
    for r in range(1, a.repeats + 1):
        for tool, run in tools:
            for n in SIZES:
                wall, cpu = run(n)
                times[(tool, n)].append(wall)
                if cpu is not None:
                    cpus[(tool, n)].append(cpu)
        print(f"repeat {r}/{a.repeats} done, load {loadavg()}", file=sys.stderr)
    load_end = loadavg()

    def steady(samples5, samples50):
        per = [(b - c) / (SIZES[1] - SIZES[0]) for c, b in zip(samples5, samples50)]
        return statistics.median(per), min(per), max(per)

    result = {}
    for tool, _ in tools:
        result[tool] = steady(times[(tool, 5)], times[(tool, 50)])
    for name, _ in variants:
        for key in ("nofsync_ms", "content_l1_ms"):
            label = ("floor" if name == "mixed" else f"floor-{name}") + (" no fsync" if key == "nofsync_ms" else " content only, level 1, no fsync")
            result[label] = steady(floor_extra[(name, key, 5)], floor_extra[(name, key, 50)])

    print(f"valuereport peers and floor (issue #18): {started}, nproc {os.cpu_count()}, one core (taskset -c {a.cpu}),"
          f" seed {a.seed}, {a.repeats} repeats")
    print(f"load average at start: {load_start}; at end: {load_end}")
    print("per report = steady state (t50 - t5) / 45, median over the repeats (fastest .. slowest repeat);"
          " CPU = the same for user + sys time of the process")
    print(f"{'':42} {'per report':>11} {'(min .. max)':>22} {'median t(5)':>12} {'median t(50)':>13} {'CPU per report':>15}")
    for label, (med, lo, hi) in result.items():
        t5 = t50 = cpu = ""
        if (label, 5) in times:
            t5 = f"{statistics.median(times[(label, 5)]):.0f} ms"
            t50 = f"{statistics.median(times[(label, 50)]):.0f} ms"
            if cpus[(label, 5)]:
                cpu = f"{steady(cpus[(label, 5)], cpus[(label, 50)])[0]:.2f} ms"
        print(f"{label:42} {med:8.2f} ms {f'({lo:.2f} .. {hi:.2f})':>22} {t5:>12} {t50:>13} {cpu:>15}")

    ours_ms = result["ours"][0]
    print("ratios (medians of the per-report steady states):")
    print(f"  typst / ours         {result['typst'][0] / ours_ms:7.1f}x   (target >= 20x)")
    if "reportlab" in result:
        print(f"  reportlab / ours     {result['reportlab'][0] / ours_ms:7.1f}x   (target >= 200x)")
    print(f"  ours / floor         {ours_ms / result['floor'][0]:7.2f}x   (target <= 1.5x)")
    print(f"  ours / floor no fsync {ours_ms / result['floor no fsync'][0]:6.2f}x")
    if a.locales:
        for name in ("en", "ja"):
            print(f"  ours-{name} / floor-{name}   {result['ours-' + name][0] / result['floor-' + name][0]:7.2f}x   (target <= 1.5x)")
        print(f"  ours-ja / ours-en      {result['ours-ja'][0] / result['ours-en'][0]:7.2f}x   (target <= 1.3x)")

    print("outputs of the last 50-customer run (team PDFs, mean size):")
    for label, folder in [("ours", "ours-mixed-50"), ("typst", "typst-50"), ("reportlab", "reportlab-50")]:
        if os.path.isdir(f"{work}/{folder}"):
            count, mean = pdf_sizes(f"{work}/{folder}")
            print(f"  {label:10} {count} PDFs, {mean / 1024:.1f} KiB each")
    doc = floor_extra[("mixed", "doc", 50)]
    print(f"  floor      {doc['streams'] / doc['customers']:.1f} streams a report, {doc['stream_bytes'] / doc['customers'] / 1024:.1f} KiB"
          f" -> {doc['deflated_bytes'] / doc['customers'] / 1024:.1f} KiB deflated (content streams {doc['content_bytes'] / doc['customers'] / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
