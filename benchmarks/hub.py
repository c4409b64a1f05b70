"""Capacity of a workshop hub: N learners start at once and Run All the same lesson.

    python benchmarks/hub.py                      # N = 1, 2, 4, 8, lesson 04, 2 repeats
    python benchmarks/hub.py -n 1 8 --lesson 11 --repeats 3 --markdown

For each N a fresh JupyterHub (the deployed config, as in tests/test_hub.py) gets N
learners whose homes already hold the curriculum (as after the link's first pull). Then,
all at once, each learner's server is started and the lesson run top to bottom through
the server's kernel API, as JupyterLab's Run All sends it. Per N it reports p50/p95 of:

- ``start``: from "start server" to the server answering;
- ``first widget``: from "start server" to the kernel's first widget view (the moment
  JupyterLab can draw the first widget; no browser is involved);
- ``Run All``: the lesson's execution alone, and from "start server" to its last cell;
- memory per learner: peak resident memory (VmHWM) of the server plus the lesson's kernel.

The load average of the machine is printed before and after each N: the figures are only
comparable at a similar load. Needs what the hub test needs (requirements-test.txt and
configurable-http-proxy on PATH or in .venv/node).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import hub_server as hs  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (of 1 value: that value)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def one_learner(hub: hs.Hub, name: str, notebook: str, cells: list[str]) -> dict:
    import psutil

    t0 = time.perf_counter()
    start = hub.start_server(name, timeout=300)
    result = hs.run_cells(hub, name, notebook, cells, timeout=300)
    server = hub.server_pid(name)
    kernels = psutil.Process(server).children(recursive=True)
    memory = peak_rss_mb(server) + sum(peak_rss_mb(k.pid) for k in kernels)
    total = time.perf_counter() - t0
    return {
        "start": start,
        "first_widget": start + result["first_widget"] if result["first_widget"] is not None else None,
        "run_all": result["done"],
        "start_to_done": total,
        "memory_mb": memory,
        "errors": result["errors"],
    }


def run_n(n: int, lesson: str) -> list[dict]:
    with hs.Hub(start_timeout=120) as hub:
        repo = hs.bare_repository(hub.dir / "curriculum.git")
        names = [f"learner{i}" for i in range(1, n + 1)]
        hub.add_learners(names)
        for name in names:
            subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(hub.homes / name / "steward")],
                           check=True)
        notebook = f"steward/notebooks/{next((ROOT / 'notebooks').glob(f'{lesson}-*.ipynb')).name}"
        source = json.loads((hub.homes / names[0] / notebook).read_text())
        cells = ["".join(c["source"]) for c in source["cells"] if c["cell_type"] == "code"]
        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(lambda name: one_learner(hub, name, notebook, cells), names))


def summary(n: int, rows: list[dict]) -> dict:
    def stat(key: str) -> tuple[float, float]:
        values = [r[key] for r in rows if r[key] is not None]
        return (percentile(values, 50), percentile(values, 95)) if values else (float("nan"), float("nan"))

    return {
        "learners": n,
        "runs": len(rows),
        "start_p50_p95": stat("start"),
        "first_widget_p50_p95": stat("first_widget"),
        "run_all_p50_p95": stat("run_all"),
        "start_to_done_p50_p95": stat("start_to_done"),
        "memory_mb_mean_max": (sum(r["memory_mb"] for r in rows) / len(rows), max(r["memory_mb"] for r in rows)),
        "errors": sorted({e for r in rows for e in r["errors"]}),
    }


def markdown(results: list[dict], lesson: str) -> str:
    lines = [
        f"| learners at once (lesson {lesson}) | start p50 / p95 | first widget p50 / p95 | Run All p50 / p95 "
        "| start → last cell p50 / p95 | memory per learner mean / max | load average |",
        "|---|---|---|---|---|---|---|",
    ]
    def pair(r: dict, key: str) -> str:
        return "{:.1f} / {:.1f} s".format(*r[key])

    for r in results:
        lines.append(f"| {r['learners']} ({r['runs']} runs) | {pair(r, 'start_p50_p95')} | "
                     f"{pair(r, 'first_widget_p50_p95')} | {pair(r, 'run_all_p50_p95')} | {pair(r, 'start_to_done_p50_p95')} | "
                     "{:.0f} / {:.0f} MB | {} |".format(*r["memory_mb_mean_max"], r["load"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--learners", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--lesson", default="04", help="module number of the lesson to run (default 04)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    reason = hs.missing()
    if reason:
        print(f"cannot start a hub: {reason}", file=sys.stderr)
        return 1
    results = []
    for n in args.learners:
        rows: list[dict] = []
        loads = [os.getloadavg()[0]]
        for _ in range(args.repeats):
            rows += run_n(n, args.lesson)
            loads.append(os.getloadavg()[0])
        result = summary(n, rows)
        result["load"] = f"{min(loads):.1f}–{max(loads):.1f}"
        results.append(result)
        print(json.dumps(result), flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps({"lesson": args.lesson, "cpus": os.cpu_count(), "results": results},
                                              indent=1))
    if args.markdown:
        print(markdown(results, args.lesson))
    base = results[0]["run_all_p50_p95"][0] if results and results[0]["learners"] == 1 else None
    for r in results:
        if base:
            print(f"N={r['learners']}: p95 Run All = {r['run_all_p50_p95'][1] / base:.2f} x the single learner's "
                  f"(budget 4 x); peak memory per learner {r['memory_mb_mean_max'][1]:.0f} MB (budget 400 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
