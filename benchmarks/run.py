#!/usr/bin/env python3
"""Where the curriculum's performance figures come from.

    python benchmarks/run.py                 # full run: 3 repeats, 60 changes per control
    python benchmarks/run.py --quick         # one repeat, 15 changes per control
    python benchmarks/run.py --markdown      # also print Markdown tables (for the README)
    python benchmarks/run.py --only 02       # notebooks and apps of module 02 only

It measures, on this machine and in one run:

- **Kernel floor**: executing a one-cell notebook (``pass``) with nbclient: the cost of
  starting and stopping a kernel, which every notebook pays and no author can reduce.
- **Notebooks**: every notebook in notebooks/, exercises/ and solutions/, executed top to
  bottom by nbclient in a fresh kernel, as the test suite and ``steward report`` do. The
  median over ``--repeats`` runs, and its ratio to the kernel floor. Repeats go round-robin
  (floor, then every notebook, then again), so a busy moment on the machine hits all alike.
- **Widgets**: for every control of every app in the lessons' ``APPS``, many value changes
  across the control's range (a seeded shuffle of the values a person can reach), each
  timed by the app itself (``App.timings``: compute, draw, PNG encode). p50/p95/max.
  Buttons are clicked and timed the same way.
- **Felt latency** (``--felt``, needs Debian's Chromium and Playwright): in a real
  JupyterLab, for every app's first slider, the time from an arrow-key press to the new
  picture decoded and painted in the page (``tests/browser_support.felt_latency``), split
  into key → image arrived (kernel round trip) and the kernel's own redraw time. p50/p95
  over ``--presses`` presses per app and ``--repeats`` runs (a fresh kernel each).
- **steward build --check** and, when ``steward/report.py`` exists, **steward report** on a
  copy of an exercise: wall-clock time of the command, interpreter start included.

Budgets (PASS/MISS): every notebook <= 5 s; all notebooks together <= 2.5 x kernel floor x
their number; every widget change p95 <= 50 ms; felt p95 <= 100 ms; build < 2 s. Results go to
``benchmarks/results/latest.json``; ``--strict`` exits 1 when a budget is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
FOLDERS = ("notebooks", "exercises", "solutions")

NOTEBOOK_BUDGET_S = 5.0
TOTAL_FACTOR = 2.5
WIDGET_P95_BUDGET_MS = 50.0
BUILD_BUDGET_S = 2.0
FELT_P95_BUDGET_MS = 100.0


# -- statistics ------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("PASS" if ok else "MISS")


# -- notebooks ---------------------------------------------------------------------------
@dataclass
class NotebookResult:
    path: str
    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.runs else None

    @property
    def cpu_median(self) -> float | None:
        return statistics.median(self.cpu) if self.cpu else None


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (a kernel is one once it is shut
    down). Unlike wall time it barely moves when other work shares the machine, so it is
    the fairer figure on a busy computer."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def kernel_environment(progress: Path) -> None:
    """Kernels inherit the environment: the curriculum importable from this folder, and
    progress recorded in a scratch file, never the learner's."""
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")]))
    os.environ["STEWARD_PROGRESS"] = str(progress)
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Bytecode for the curriculum, as `run.py` writes it: kernels are timed running the
    # lessons, not compiling them (where PYTHONDONTWRITEBYTECODE is set they would, each time).
    import compileall

    compileall.compile_dir(str(ROOT / "steward"), quiet=1)


def execute(path: Path | None, timeout: float) -> tuple[float, float]:
    """Wall and CPU seconds to execute a notebook (None: the one-cell floor notebook) in a
    fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    if path is None:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        cwd = ROOT
    else:
        nb = nbformat.read(str(path), as_version=4)
        cwd = path.parent
    # The kernel warns on every start that it uses TCP without encryption (local, as every
    # Jupyter kernel here); --log-level=ERROR keeps 100 copies of that out of the table.
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", extra_arguments=["--log-level=ERROR"],
                            resources={"metadata": {"path": str(cwd)}})
    started, cpu = time.perf_counter(), cpu_seconds()
    client.execute()
    return time.perf_counter() - started, cpu_seconds() - cpu


def notebooks(only: str | None) -> list[Path]:
    found = [p for folder in FOLDERS for p in sorted((ROOT / folder).glob("[0-9][0-9]-*.ipynb"))]
    return [p for p in found if not only or p.name.startswith(only) or only in str(p.relative_to(ROOT))]


def bench_notebooks(paths: list[Path], repeats: int, timeout: float, say) -> tuple[list[float], list[float], list[NotebookResult]]:
    floor: list[float] = []
    floor_cpu: list[float] = []
    results = [NotebookResult(str(p.relative_to(ROOT))) for p in paths]
    execute(None, timeout)  # warm the disk cache and the kernel spec lookup; not counted
    for repeat in range(repeats):
        wall, cpu = execute(None, timeout)
        floor.append(wall)
        floor_cpu.append(cpu)
        say(f"repeat {repeat + 1}/{repeats}: kernel floor {wall:.2f} s (cpu {cpu:.2f} s)")
        for path, result in zip(paths, results, strict=True):
            if result.error:
                continue
            try:
                wall, cpu = execute(path, timeout)
                result.runs.append(wall)
                result.cpu.append(cpu)
                say(f"  {result.path}: {wall:.2f} s (cpu {cpu:.2f} s)")
            except Exception as error:  # a failing notebook is a result, not a crash of the benchmark
                result.error = f"{type(error).__name__}: {str(error).strip().splitlines()[-1][:200] if str(error).strip() else ''}"
                say(f"  {result.path}: ERROR {result.error}")
    return floor, floor_cpu, results


# -- widgets -------------------------------------------------------------------------------
@dataclass
class ControlResult:
    app: str
    control: str
    kind: str
    changes: int
    p50_ms: float | None = None
    p95_ms: float | None = None
    max_ms: float | None = None
    cpu_p95_ms: float | None = None
    errors: int = 0
    note: str = ""


def reachable_values(control: Any) -> list[Any]:
    """The values a person can give the control (a slider snaps to its step)."""
    import ipywidgets as w
    from ipywidgets.widgets.widget_selection import _MultipleSelection, _Selection

    if isinstance(control, (w.IntRangeSlider, w.FloatRangeSlider)):
        points = _grid(control.min, control.max, control.step, 12)
        return [(a, b) for i, a in enumerate(points) for b in points[i:]]
    if isinstance(control, w.FloatLogSlider):
        return [control.base ** e for e in _grid(control.min, control.max, control.step, 40)]
    if isinstance(control, (w.IntSlider, w.FloatSlider, w.BoundedIntText, w.BoundedFloatText)):
        return _grid(control.min, control.max, getattr(control, "step", 1), 200)
    if isinstance(control, w.SelectionRangeSlider):
        n = len(control.options)
        return [("index", (a, b)) for a in range(n) for b in range(a, n)]
    if isinstance(control, _MultipleSelection):
        n = len(control.options)
        return [("index", (i,)) for i in range(n)] + [("index", tuple(range(n)))]
    if isinstance(control, _Selection):
        return [("index", i) for i in range(len(control.options))]
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return [True, False]
    if isinstance(control, (w.Text, w.Textarea)):
        return ["", "a", "a longer piece of text", "0", "é ✓"]
    return [control.value]


def _grid(low: float, high: float, step: float, most: int) -> list[Any]:
    if not step or high <= low:
        return [low]
    count = int((high - low) / step + 1e-9)
    if count + 1 > most:  # a fine slider: an even spread of reachable values, ends included
        picks = sorted({round(i * count / (most - 1)) for i in range(most)})
    else:
        picks = list(range(count + 1))
    values = [low + k * step for k in picks]
    values = [int(v) if isinstance(low, int) and isinstance(step, int) else round(v, 12) for v in values]
    return values + ([high] if values[-1] < high else [])


def set_value(control: Any, value: Any) -> None:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "index":
        control.index = value[1]
    else:
        control.value = value


def kind_of(control: Any) -> str:
    return type(control).__name__


def bench_app(module: str, name: str, factory, changes: int, seed: int) -> tuple[float, list[ControlResult]]:
    from steward.widgets import App

    started = time.perf_counter()
    app: App = factory()
    build_s = time.perf_counter() - started
    label = f"{module}:{name}"
    results = []
    rng = random.Random(seed)
    for control_name, control in app.inputs.items():
        values = reachable_values(control)
        default = control.value
        sequence = [values[rng.randrange(len(values))] for _ in range(changes)] if len(values) > 1 else []
        timings: list[float] = []
        cpu: list[float] = []
        errors = 0
        for value in sequence:
            runs, started = len(app.timings), time.process_time()
            set_value(control, value)
            if len(app.timings) > runs:  # the value changed, so the app redrew
                cpu.append((time.process_time() - started) * 1000)
                timings.append(app.timings[-1] * 1000)
                errors += app.error is not None
        control.value = default
        result = ControlResult(label, control_name, kind_of(control), len(timings), errors=errors)
        if timings:
            result.p50_ms, result.p95_ms, result.max_ms = percentile(timings, 50), percentile(timings, 95), max(timings)
            result.cpu_p95_ms = percentile(cpu, 95)
        else:
            result.note = "one reachable value only" if len(values) <= 1 else "no change redrew"
        results.append(result)
    for button in buttons_of(app.view):
        timings, cpu = [], []
        for _ in range(max(3, changes // 10)):
            started, cpu_started = time.perf_counter(), time.process_time()
            for handler in list(button._click_handlers.callbacks):
                handler(button)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        results.append(ControlResult(
            label, f"button {button.description!r}", "Button", len(timings), percentile(timings, 50),
            percentile(timings, 95), max(timings), percentile(cpu, 95), errors=int(app.error is not None),
        ))
    return build_s, results


def buttons_of(widget: Any) -> Iterable[Any]:
    import ipywidgets as w

    if isinstance(widget, w.Button):
        yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from buttons_of(child)


def bench_widgets(only: str | None, changes: int, say) -> tuple[list[dict[str, Any]], list[ControlResult]]:
    from steward.lessons import all_lessons

    apps, controls = [], []
    for module, lesson in all_lessons().items():
        if only and not module.startswith(only[:2]):
            continue
        for name, factory in getattr(lesson, "APPS", {}).items():
            build_s, results = bench_app(module, name, factory, changes, seed=int(module) * 1000 + len(name))
            apps.append({"app": f"{module}:{name}", "build_ms": build_s * 1000})
            controls.extend(results)
            worst = max((r.p95_ms or 0) for r in results) if results else 0
            say(f"  {module}:{name}: built in {build_s * 1000:.0f} ms, {len(results)} controls, worst p95 {worst:.1f} ms")
    return apps, controls


# -- commands ---------------------------------------------------------------------------
def time_command(args: list[str], cwd: Path, repeats: int, timeout: float = 300) -> dict[str, Any]:
    """Wall-clock seconds of a command (interpreter start included), median of repeats."""
    runs, cpu, code, last = [], [], 0, ""
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), cpu_seconds()
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        runs.append(time.perf_counter() - started)
        cpu.append(cpu_seconds() - cpu_started)
        code = done.returncode
        lines = (done.stderr if code else done.stdout).strip().splitlines()
        last = lines[-1][:200] if lines else ""
    return {"command": " ".join(args[2:]), "runs": runs, "median_s": statistics.median(runs),
            "cpu_median_s": statistics.median(cpu), "exit": code, "output": last}


def bench_build(repeats: int) -> dict[str, Any]:
    """The command as a learner or author waits for it, and the build's own work as the
    command reports it ("... (N notebooks, 0.10 s)"): the difference is interpreter start
    and imports (nbformat pulls in jsonschema and its format checkers)."""
    import re

    result = time_command([sys.executable, "-m", "steward.cli", "build", "--check"], ROOT, repeats)
    found = re.search(r"([\d.]+) s\)", result["output"])
    result["work_s"] = float(found.group(1)) if found else None
    return result


def bench_report(repeats: int, say) -> dict[str, Any] | None:
    """``steward report`` on a copy of the first exercise, when the command exists."""
    if not (ROOT / "steward" / "report.py").exists():
        say("steward/report.py does not exist yet: skipping the report benchmark")
        return None
    exercises = sorted((ROOT / "exercises").glob("[0-9][0-9]-*.ipynb"))
    if not exercises:
        return None
    help_text = subprocess.run([sys.executable, "-m", "steward.cli", "report", "--help"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    if not help_text:
        say("`steward report` is not a command yet: skipping the report benchmark")
        return None
    with tempfile.TemporaryDirectory(prefix="steward-bench-report-") as scratch:
        copy = Path(scratch) / exercises[0].name
        shutil.copy(exercises[0], copy)
        args = [sys.executable, "-m", "steward.cli", "report", str(copy)]
        for option in ("--out", "--output", "--output-dir"):
            if option in help_text:
                args += [option, str(Path(scratch) / "report")]
                break
        result = time_command(args, Path(scratch), repeats)
        # The budget: the report costs at most 1.2x plain execution of the same notebook.
        jupyter = Path(sys.executable).with_name("jupyter")
        plain = [str(jupyter), "nbconvert", "--to", "notebook", "--execute", "--stdout", str(copy)]
        baseline = time_command(plain, Path(scratch), repeats)
    result["notebook"] = str(exercises[0].relative_to(ROOT))
    result["nbconvert_median_s"] = baseline["median_s"]
    result["ratio_to_nbconvert"] = result["median_s"] / baseline["median_s"] if baseline["median_s"] else None
    return result


# -- output ------------------------------------------------------------------------------------
def bench_felt(only: str | None, presses: int, repeats: int, say) -> list[dict[str, Any]]:
    """Felt latency in a real JupyterLab (see the module docstring); one row per app."""
    sys.path.insert(0, str(ROOT / "tests"))
    import browser_support as bs
    import lab_server
    from lab_server import LabServer
    from playwright.sync_api import sync_playwright

    # What learners get (steward/jupyter/overrides.json), not the test suite's render-everything.
    shipped = json.loads(lab_server.SHIPPED_SETTINGS.read_text()).get("@jupyterlab/notebook-extension:tracker", {})
    lab_server.LAB_SETTINGS["@jupyterlab/notebook-extension/tracker"] = {
        **lab_server.LAB_SETTINGS.get("@jupyterlab/notebook-extension/tracker", {}), **shipped}

    executable = bs.chromium_path()
    if executable is None:
        say("  no Chromium: felt latency skipped")
        return []
    lessons = [p for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")) if not only or p.name.startswith(only[:2])]
    pooled: dict[str, dict[str, list[float]]] = {}
    server = LabServer(ROOT, start_timeout=180)
    server.start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=bs.CHROMIUM_ARGS)
            page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
            first = True
            for repeat in range(repeats):
                for notebook in lessons:
                    relative = notebook.relative_to(ROOT).as_posix()
                    if first:
                        bs.open_notebook(page, server.url(f"lab/tree/{relative}"), 180)
                        first = False
                    else:
                        bs.open_notebook(page, "", 180, path=relative)
                    bs.run_all(page)
                    bs.wait_for_run(page, 300)
                    apps = page.locator(".steward-app")
                    for index in range(apps.count()):
                        app = apps.nth(index)
                        mark = bs.kernel_mark(page)
                        samples = bs.felt_latency(page, app, presses=presses)
                        if not samples:
                            continue
                        key = f"{notebook.stem[:2]} app {index + 1}"
                        row = pooled.setdefault(key, {"painted": [], "arrived": [], "kernel": []})
                        row["painted"] += samples
                        row["arrived"] += bs.felt_breakdown(app)["arrived"]
                        row["kernel"] += bs.kernel_timings_since(page, mark)
                        say(f"  {key} (run {repeat + 1}): p50 {percentile(samples, 50):.0f} ms, p95 {percentile(samples, 95):.0f} ms, "
                            f"load {load_average()}")
                    server.shutdown_kernels()
            browser.close()
    finally:
        server.stop()
    return [{"app": key, "presses": len(v["painted"]),
             "p50_ms": percentile(v["painted"], 50), "p95_ms": percentile(v["painted"], 95), "max_ms": max(v["painted"]),
             "arrived_p50_ms": percentile(v["arrived"], 50) if v["arrived"] else None,
             "kernel_p50_ms": percentile(v["kernel"], 50) if v["kernel"] else None}
            for key, v in pooled.items()]


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def tables(results: dict[str, Any]) -> list[tuple[str, list[str], list[list[str]]]]:
    """The report as (title, header, rows), shared by the terminal and Markdown output."""
    floor = results["kernel_floor_s"]
    out = []
    rows = []
    for nb in results["notebooks"]:
        median = nb["median_s"]
        rows.append([nb["path"], fmt(median), fmt(median / floor if median and floor else None, 1) + "×", fmt(nb["cpu_median_s"]),
                     "ERROR: " + nb["error"] if nb["error"] else verdict(median is not None and median <= NOTEBOOK_BUDGET_S)])
    total = results["notebooks_total"]
    if results["notebooks"]:
        rows.append([f"all {total['count']} notebooks", fmt(total["sum_s"]), fmt(total["ratio"], 2) + "× (floor·n)",
                     fmt(total["cpu_sum_s"]), f"{verdict(total['ok'])} (≤ {fmt(total['budget_s'], 1)} s)"])
        out.append((f"Notebooks (median of {results['repeats']}; kernel floor {fmt(floor)} s wall, "
                    f"{fmt(results['kernel_floor_cpu_s'])} s cpu)",
                    ["notebook", "wall s", "÷ floor", "cpu s", f"wall ≤ {NOTEBOOK_BUDGET_S:g} s"], rows))
    rows = [[c["app"], c["control"], c["kind"], str(c["changes"]), fmt(c["p50_ms"], 1), fmt(c["p95_ms"], 1),
             fmt(c["max_ms"], 1), fmt(c["cpu_p95_ms"], 1), verdict(None if c["p95_ms"] is None else c["p95_ms"] <= WIDGET_P95_BUDGET_MS)
             + (f" ({c['errors']} msgs)" if c["errors"] else "") + (f" {c['note']}" if c["note"] else "")]
            for c in results["controls"]]
    if rows:
        out.append(("Widget changes (server side: App.timings wall clock; cpu = process time)",
                    ["app", "control", "kind", "changes", "p50 ms", "p95 ms", "max ms", "cpu p95 ms",
                     f"p95 ≤ {WIDGET_P95_BUDGET_MS:g} ms"], rows))
    rows = [[f["app"], str(f["presses"]), fmt(f["p50_ms"], 0), fmt(f["p95_ms"], 0), fmt(f["max_ms"], 0),
             fmt(f["arrived_p50_ms"], 0), fmt(f["kernel_p50_ms"], 1), verdict(f["p95_ms"] <= FELT_P95_BUDGET_MS)]
            for f in results.get("felt", [])]
    if rows:
        out.append(("Felt latency in JupyterLab (arrow key on the first slider → new picture painted)",
                    ["app", "presses", "p50 ms", "p95 ms", "max ms", "key → image arrived p50", "kernel redraw p50",
                     f"p95 ≤ {FELT_P95_BUDGET_MS:g} ms"], rows))
    rows = []
    build = results.get("build")
    if build:
        rows.append(["steward build --check", fmt(build["median_s"]), fmt(build["cpu_median_s"]),
                     verdict(build["median_s"] < BUILD_BUDGET_S) + ("" if build["exit"] == 0 else f" (exit {build['exit']}: {build['output']})")])
        if build.get("work_s") is not None:
            rows.append(["  of which the build's own work", fmt(build["work_s"]), "—", verdict(build["work_s"] < BUILD_BUDGET_S)])
    report = results.get("report")
    if report:
        ratio = report.get("ratio_to_nbconvert")
        budget = "—" if ratio is None else f"{ratio:.2f}× nbconvert --execute ({fmt(report['nbconvert_median_s'])} s): {verdict(ratio <= 1.2)}"
        rows.append([f"steward report {report['notebook']}", fmt(report["median_s"]), fmt(report["cpu_median_s"]),
                     budget if report["exit"] == 0 else f"exit {report['exit']}: {report['output']}"])
    if rows:
        out.append(("Commands (wall clock, interpreter start included)", ["command", "wall s", "cpu s", "budget"], rows))
    return out


def print_tables(results: dict[str, Any]) -> None:
    for title, header, rows in tables(results):
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        print(f"\n{title}")
        print("  ".join(h.ljust(widths[i]) for i, h in enumerate(header)))
        print("  ".join("-" * w for w in widths))
        for row in rows:
            print("  ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)))


def markdown(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [f"Measured {env['date'][:10]} on {env['cpus']} CPUs ({env['machine']}, Python {env['python']}), "
             f"load average {env['load_before']} → {env['load_after']}; `python benchmarks/run.py"
             f"{' --quick' if results['quick'] else ''}`.", ""]
    for title, header, rows in tables(results):
        lines += [f"**{title}**", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
        lines.append("")
    return "\n".join(lines)


def load_average() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def git_commit() -> str | None:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip() or None


# -- main ---------------------------------------------------------------------------------------
def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=None, help="runs per notebook and command (default 3; --quick 1)")
    p.add_argument("--changes", type=int, default=None, help="value changes per widget control (default 60; --quick 15)")
    p.add_argument("--quick", action="store_true", help="a fast run: one repeat, 15 changes per control")
    p.add_argument("--only", help="module number or notebook name fragment, e.g. 02")
    p.add_argument("--skip", action="append", default=[], choices=["notebooks", "widgets", "build", "report"],
                   help="leave a part out (repeatable)")
    p.add_argument("--timeout", type=float, default=120, help="seconds per notebook cell")
    p.add_argument("--markdown", nargs="?", const="-", metavar="PATH", help="also write Markdown tables (to PATH, or stdout)")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json", help="where the JSON goes")
    p.add_argument("--strict", action="store_true", help="exit 1 when a budget is missed")
    p.add_argument("--felt", action="store_true", help="also measure felt latency in JupyterLab (needs Chromium)")
    p.add_argument("--presses", type=int, default=20, help="arrow-key presses per app for --felt (default 20)")
    return p


def main(argv: Iterable[str] | None = None) -> int:
    args = parser().parse_args(list(argv) if argv is not None else None)
    repeats = args.repeats or (1 if args.quick else 3)
    changes = args.changes or (15 if args.quick else 60)
    sys.path.insert(0, str(ROOT))

    def say(text: str) -> None:
        print(f"[bench] {text}", file=sys.stderr, flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="steward-bench-"))
    kernel_environment(scratch / "progress.json")
    load_before = load_average()
    results: dict[str, Any] = {"repeats": repeats, "changes_per_control": changes, "quick": args.quick,
                               "budgets": {"notebook_s": NOTEBOOK_BUDGET_S, "total_factor": TOTAL_FACTOR,
                                           "widget_p95_ms": WIDGET_P95_BUDGET_MS, "build_s": BUILD_BUDGET_S,
                                           "felt_p95_ms": FELT_P95_BUDGET_MS}}
    try:
        floor, floor_cpu, nbs = [], [], []
        if "notebooks" not in args.skip:
            say("notebooks (nbclient, a fresh kernel each) ...")
            floor, floor_cpu, nbs = bench_notebooks(notebooks(args.only), repeats, args.timeout, say)
        floor_s = statistics.median(floor) if floor else None
        results["kernel_floor_s"] = floor_s
        results["kernel_floor_cpu_s"] = statistics.median(floor_cpu) if floor_cpu else None
        results["kernel_floor_runs"] = floor
        results["notebooks"] = [{"path": r.path, "runs": r.runs, "median_s": r.median, "cpu_runs": r.cpu,
                                 "cpu_median_s": r.cpu_median, "error": r.error} for r in nbs]
        medians = [r.median for r in nbs if r.median is not None]
        budget = TOTAL_FACTOR * floor_s * len(nbs) if floor_s else None
        results["notebooks_total"] = {
            "count": len(nbs), "sum_s": sum(medians) if medians else None, "budget_s": budget,
            "cpu_sum_s": sum(r.cpu_median for r in nbs if r.cpu_median is not None) if nbs else None,
            "ratio": (sum(medians) / (floor_s * len(nbs))) if medians and floor_s else None,
            "ok": None if not nbs else (budget is not None and not any(r.error for r in nbs) and sum(medians) <= budget),
        }
        results["apps"], controls = [], []
        if "widgets" not in args.skip:
            say(f"widgets ({changes} changes per control) ...")
            results["apps"], controls = bench_widgets(args.only, changes, say)
        results["controls"] = [asdict(c) for c in controls]
        if args.felt:
            say(f"felt latency in JupyterLab ({args.presses} presses per app, {repeats} runs) ...")
            results["felt"] = bench_felt(args.only, args.presses, repeats, say)
        if "build" not in args.skip:
            say("steward build --check ...")
            results["build"] = bench_build(repeats)
        if "report" not in args.skip:
            results["report"] = bench_report(repeats, say)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    results["environment"] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "python": platform.python_version(),
        "machine": platform.machine(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "load_before": load_before, "load_after": load_average(), "commit": git_commit(),
    }
    misses = [row for _, _, rows in tables(results) for row in rows if any("MISS" in str(c) or "ERROR" in str(c) for c in row)]
    results["misses"] = len(misses)

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print_tables(results)
    print(f"\n{len(misses)} budget(s) missed. JSON: {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")
    if args.markdown:
        text = markdown(results)
        if args.markdown == "-":
            print("\n" + text)
        else:
            Path(args.markdown).write_text(text + "\n")
    return 1 if args.strict and misses else 0


if __name__ == "__main__":
    sys.exit(main())
