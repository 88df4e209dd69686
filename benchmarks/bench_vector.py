"""Issues 15 and 16: bytes and time of each vector format and of the interactive page, whole
process, fresh non-editable install.

Printed for the reference figure (``arith-same-padding-no-strides``, 25 steps) and for
``depthwise-separable`` (a phased figure of stacks): the GIF beside a PDF of a page a step, a folder
of SVG frames, an animated SVG, one step as SVG and PDF, a storyboard as PNG and PDF, and the
interactive HTML page. Checked: the reference figure's PDF is smaller than its GIF, and its page
at most 1.5 times its GIF.

Then the design choice, measured on the same drawings in one process: our own SVG writer against
matplotlib's SVG backend driven with the same Figure as the PDF (text kept as text, fonts not
embedded, which is all matplotlib's SVG offers), in time and bytes for every step of the figure.

    python benchmarks/bench_vector.py [--venv DIR]   # DIR: an install to reuse while the sources match
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from bench_scaling import best, main
from fresh import Check

FIGURES = ("arith-same-padding-no-strides", "depthwise-separable")
#: (label, the render flags, the output's name): every kind of vector output beside the GIF.
OUTPUTS = (
    ("gif", [], "f.gif"),
    ("pdf, a page a step", [], "f.pdf"),
    ("svg frames", ["--format", "svg"], "f.svg"),
    ("animated svg", ["--animate"], "a.svg"),
    ("svg, last step", ["--step", "last"], "s.svg"),
    ("pdf, last step", ["--step", "last"], "s.pdf"),
    ("png storyboard", ["--strip"], "b.png"),
    ("pdf storyboard", ["--strip"], "b.pdf"),
    ("html page", [], "p.html"),
)
#: The interactive page of the reference figure: at most this many times its GIF (issue 16).
PAGE_PER_GIF = 1.5

#: Our SVG writer and matplotlib's, on the same drawings of every step (run in the install).
COMPARE = r"""
import io, json, sys, time
from convanim.registry import builtin_scenes
from convanim.renderer.project import resolve_size
from convanim.renderer.theme import get_theme
from convanim.renderer.vector import VectorRenderer
from convanim.writers.pdf import figure
from convanim.writers.svg import svg_document
import matplotlib

timeline = builtin_scenes().get(sys.argv[1]).timeline()
renderer = VectorRenderer(timeline, get_theme("light"), resolve_size("readme"))
drawings = [renderer.drawing(step.overlay) for step in timeline.steps]
start = time.perf_counter()
ours = sum(len(svg_document(d).encode()) for d in drawings)
ours_s = time.perf_counter() - start
start = time.perf_counter()
theirs = 0
with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "convanim", "lines.scale_dashes": False}):
    for d in drawings:
        buffer = io.BytesIO()
        figure(d).savefig(buffer, format="svg", metadata={"Date": None})
        theirs += len(buffer.getvalue())
theirs_s = time.perf_counter() - start
print(json.dumps({"ours": ours, "ours_s": ours_s, "theirs": theirs, "theirs_s": theirs_s, "steps": len(drawings)}))
"""


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size


def run(bin_dir: Path, folder: Path) -> list[Check]:
    convanim = str(bin_dir / "convanim")
    checks = []
    for name in FIGURES:
        print(f"\n{name}")
        sizes = {}
        for label, flags, out in OUTPUTS:
            done = best([convanim, "render", name, *flags, "-o", out], folder)
            target = folder / (out.removesuffix(".svg") if flags == ["--format", "svg"] else out)
            sizes[label] = size_of(target)
            print(f"  {label:<20} {sizes[label]:>10,} bytes  {done.seconds:.2f} s  {done.peak_mb:.0f} MB")
        if name == FIGURES[0]:
            pdf, gif = sizes["pdf, a page a step"], sizes["gif"]
            checks.append(Check(f"{name}: pdf bytes under the gif's", f"{pdf:,} vs {gif:,}", "pdf < gif", pdf < gif))
            page = sizes["html page"]
            checks.append(Check(f"{name}: html page bytes against the gif's", f"{page / gif:.2f}× ({page:,})",
                                f"≤ {PAGE_PER_GIF}×", page <= PAGE_PER_GIF * gif))
        # In the scratch folder: from the checkout, ``-c`` would import its sources, not the install.
        compared = subprocess.run([str(bin_dir / "python"), "-c", COMPARE, name], capture_output=True, text=True,
                                  check=True, cwd=folder)
        found = json.loads(compared.stdout)
        print(f"  svg of every step ({found['steps']}): ours {found['ours']:,} bytes in {found['ours_s']:.2f} s "
              f"(fonts embedded); matplotlib's {found['theirs']:,} bytes in {found['theirs_s']:.2f} s (fonts not)")
    return checks


if __name__ == "__main__":
    main(__doc__, run)
