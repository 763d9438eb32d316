"""Turns scripts/bench_region.sh's results.csv into a Markdown table and a log-log SVG plot of time vs size.

The plot is written by hand as SVG (a few dozen elements) so the bench needs nothing beyond Python's standard
library on a fresh machine. Usage: report.py RESULTS.csv OUT.md OUT.svg "machine description"
"""

import csv
import math
import sys
from collections import defaultdict

STAGES = [
    "generate",
    "files (floor)",
    "read + decode",
    "full check",
    "import SQLite",
    "import PostGIS",
    "stats",
    "ogr2ogr load",
    "SQL indexes",
    "SQL controls",
]
SQL_PIPELINE = ["ogr2ogr load", "SQL indexes", "SQL controls"]
COLOURS = ["#1b9e77", "#999999", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
           "#1f78b4"]


def load(path):
    runs = defaultdict(dict)  # plugs -> stage -> (seconds, peak MiB)
    sizes = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            plugs = int(r["plugs"])
            runs[plugs][r["stage"]] = (float(r["seconds"]), int(r["peak_mib"]))
            sizes[plugs] = (int(r["rows"]), int(r["bytes"]))
    return dict(sorted(runs.items())), sizes


def fmt_s(seconds):
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:.1f}"


def markdown(runs, sizes, machine):
    lines = [
        "| plugs | rows | MB | " + " | ".join(STAGES) + " | check peak MiB | check rows/s | SQL pipeline ÷ check"
        " | check ÷ floor |",
        "| ---: " * (len(STAGES) + 7) + "|",
    ]
    for plugs, stages in runs.items():
        rows, size = sizes[plugs]
        cells = [f"{plugs:,}".replace(",", " "), f"{rows:,}".replace(",", " "), f"{size / 1e6:.0f}"]
        cells += [fmt_s(stages[s][0]) if s in stages else "" for s in STAGES]
        check_s, check_mib = stages["full check"]
        sql = sum(stages[s][0] for s in SQL_PIPELINE if s in stages)
        floor = stages["files (floor)"][0]
        cells += [
            f"{check_mib:,}".replace(",", " "),
            f"{rows / check_s:,.0f}".replace(",", " "),
            f"{sql / check_s:.1f}×" if all(s in stages for s in SQL_PIPELINE) else "",
            f"{check_s / floor:.0f}×" if floor > 0 else "(floor < 10 ms)",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Seconds of wall time per stage (each its own process: read + decode, full check, stats and imports each "
        "read the delivery again); peak MiB is the maximum resident set of `thd check`. SQL pipeline = ogr2ogr load"
        " + indexes + controls. Machine: " + machine + ".",
    ]
    return "\n".join(lines) + "\n"


def svg(runs, machine):
    width, height, left, right, top, bottom = 860, 520, 70, 190, 30, 60
    plugs = list(runs)
    times = [t for stages in runs.values() for t, _ in stages.values() if t > 0]
    x0, x1 = math.log10(min(plugs)), math.log10(max(plugs))
    if x1 == x0:
        x0, x1 = x0 - 0.5, x1 + 0.5
    y0, y1 = math.floor(math.log10(min(times))), math.ceil(math.log10(max(times)))
    if y1 == y0:
        y1 += 1

    def x(p):
        return left + (math.log10(p) - x0) / (x1 - x0) * (width - left - right)

    def y(t):
        return height - bottom - (math.log10(t) - y0) / (y1 - y0) * (height - top - bottom)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif"'
        ' font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="14">Time vs delivery size (log-log) — {machine}</text>',
    ]
    for e in range(y0, y1 + 1):
        yy = y(10**e)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{10.0**e:g} s</text>')
    labelled = -math.inf
    for p in plugs:
        xx = x(p)
        out.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{height - bottom}" stroke="#eee"/>')
        # Sizes close together on the log axis (1 M and 1.45 M) share a row of labels: the second goes lower.
        row = 18 if xx - labelled > 70 else 32
        labelled = xx if row == 18 else labelled
        out.append(f'<text x="{xx:.1f}" y="{height - bottom + row}" text-anchor="middle">{p:,}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 15}" text-anchor="middle">plugs</text>')
    for i, stage in enumerate(STAGES):
        points = [(x(p), y(runs[p][stage][0])) for p in plugs if stage in runs[p] and runs[p][stage][0] > 0]
        if not points:
            continue
        colour = COLOURS[i % len(COLOURS)]
        dash = ' stroke-dasharray="5,3"' if stage in SQL_PIPELINE else ""
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        out += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>' for px, py in points]
        ly = top + 10 + i * 20
        out.append(f'<line x1="{width - right + 15}" y1="{ly}" x2="{width - right + 40}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{width - right + 46}" y="{ly + 4}">{stage}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    results, md_path, svg_path, machine = sys.argv[1:5]
    runs, sizes = load(results)
    with open(md_path, "w") as f:
        f.write(markdown(runs, sizes, machine))
    with open(svg_path, "w") as f:
        f.write(svg(runs, machine))


if __name__ == "__main__":
    main()
