"""Shared by the benchmarks: one case in a fresh process with its peak memory, and the targets'
PASS/FAIL lines. Standard library only, so any Python can run a benchmark that installs convanim.

Linux carries a process's peak RSS over fork and exec: a child started directly from a benchmark
that has grown large reports the parent's peak, not its own. Each case therefore starts from a
tiny launcher process, and reports its result as JSON on stdout.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def run_fresh(script: str | Path, *args: str) -> dict[str, float]:
    """Run ``script --child ARGS`` through the launcher; the dict it printed as JSON."""
    command = [sys.executable, "-c", LAUNCHER, sys.executable, str(script), "--child", *args]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(script).name} {' '.join(args)} failed: {done.stderr.strip()}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def peaks() -> dict[str, float]:
    """This process's peak resident memory and its children's (ffmpeg), in MB."""
    return {
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "child_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


@dataclass(frozen=True)
class Check:
    """One target: what was measured, the rule, and whether it held."""

    name: str
    measured: str
    target: str
    ok: bool


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"
