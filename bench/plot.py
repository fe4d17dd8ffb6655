#!/usr/bin/env python3
"""Draws the benchmark ratios (column median / native median per case) as a PNG with gnuplot.

Owner: benchmark suite (bench/). Used by `run.py --plot FILE.png`, or on its own from a
results file: `python3 bench/plot.py results.json out.png` (results.json from `run.py --out`).
gnuplot comes from Debian (`gnuplot-nox`, installed by `scripts/setup.sh --bench`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Colours per column; native is the baseline (ratio 1) and not drawn.
COLOURS = {"sentry": "#1f77b4", "runsc": "#d62728"}


def ratios(doc: dict) -> tuple[list[str], list[str], list[list[float | None]]]:
    """Returns (columns, cases, rows of ratios) from a run.py results document."""
    columns = [r for r in doc["runners"] if r != "native"]
    cases, rows = [], []
    for case, cells in doc["cases"].items():
        native = (cells.get("native") or {}).get("median_ns")
        if not native:
            continue
        row = []
        for c in columns:
            m = (cells.get(c) or {}).get("median_ns")
            row.append(m / native if m else None)
        cases.append(case)
        rows.append(row)
    return columns, cases, rows


def gnuplot_script(columns: list[str], data: Path, out: Path, title: str,
                   n_cases: int, y_min: float) -> str:
    width = max(900, 60 * n_cases + 200)
    plots = []
    for i, c in enumerate(columns):
        colour = COLOURS.get(c, "#2ca02c")
        xtic = ":xtic(1)" if i == 0 else ""
        plots.append(f"'{data}' using {i + 2}{xtic} title '{c}' "
                     f"linecolor rgb '{colour}'")
    return "\n".join([
        f"set terminal pngcairo size {width},700 font 'sans,10'",
        f"set output '{out}'",
        f"set title '{title}'",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.9 border -1",
        "set boxwidth 0.9",
        "set logscale y 10",
        f"set yrange [{y_min:.3g}:*]",
        "set ylabel 'time / native time (log scale; 1 = native)'",
        "set grid ytics",
        "set xtics rotate by -40 left noenhanced",
        "set datafile missing '?'",
        "set datafile separator '\\t'",
        "set key top left",
        "set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2",
        "plot " + ", ".join(plots),
    ]) + "\n"


def write_plot(doc: dict, out: Path) -> str | None:
    """Writes the PNG; returns None on success, else why it could not."""
    gnuplot = shutil.which("gnuplot")
    if gnuplot is None:
        return "gnuplot is not installed (scripts/setup.sh --bench installs gnuplot-nox)"
    columns, cases, rows = ratios(doc)
    if not cases or not columns:
        return "no case has a native median and another column"
    m = doc.get("machine", {})
    title = (f"sandbox cost per case, {m.get('cpu', '?')}, {m.get('nproc', '?')} CPUs, "
             f"kernel {m.get('kernel', '?')}, {m.get('date', '?')}")
    with tempfile.TemporaryDirectory(prefix="bench-plot-") as tmp:
        data = Path(tmp) / "ratios.tsv"
        lines = []
        for case, row in zip(cases, rows):
            cells = [f"{v:.4g}" if v else "?" for v in row]
            lines.append("\t".join([case.replace("\t", " ")] + cells))
        data.write_text("\n".join(lines) + "\n")
        script = Path(tmp) / "plot.gp"
        # Bars start below the smallest ratio, so a case faster than native still shows.
        smallest = min((v for row in rows for v in row if v), default=1.0)
        y_min = min(0.5, smallest / 2)
        script.write_text(gnuplot_script(columns, data, out.resolve(),
                                         title.replace("'", ""), len(cases), y_min))
        p = subprocess.run([gnuplot, str(script)], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            return f"gnuplot failed: {p.stderr.strip()[-500:]}"
    return None


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: plot.py RESULTS.json OUT.png", file=sys.stderr)
        return 2
    doc = json.loads(Path(sys.argv[1]).read_text())
    why = write_plot(doc, Path(sys.argv[2]))
    if why:
        print(f"plot.py: {why}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
