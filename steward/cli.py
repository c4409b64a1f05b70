"""The ``steward`` command. Every failure is one plain line and a non-zero exit."""

from __future__ import annotations

import argparse
import sys
import time

from steward import __version__
from steward.errors import StewardError


def _build(args: argparse.Namespace) -> int:
    from steward import build

    started = time.perf_counter()
    planned = build.build(only=args.modules or None, force=args.force, check=args.check)
    elapsed = time.perf_counter() - started
    if args.check:
        print(f"exercises/ is up to date ({len(planned)} notebooks, {elapsed:.2f} s).")
        return 0
    for item in planned:
        if item.status != "same":
            print(f"  {item.status:>8}  exercises/{item.target.name}")
    print(f"Built {len(planned)} exercise notebooks in {elapsed:.2f} s.")
    return 0


def _data(args: argparse.Namespace) -> int:
    from steward import datagen

    started = time.perf_counter()
    changed = datagen.write_all(check=args.check)
    elapsed = time.perf_counter() - started
    if args.check:
        if changed:
            print(f"data/ differs from its generators: {', '.join(changed)}. Run `steward data`.", file=sys.stderr)
            return 1
        print(f"data/ matches its generators ({elapsed:.2f} s).")
        return 0
    print(f"Wrote {', '.join(changed) if changed else 'nothing (all up to date)'} in {elapsed:.2f} s.")
    return 0


def _report(args: argparse.Namespace) -> int:
    from pathlib import Path

    from steward import progress, report

    path = Path(args.notebook)
    out = Path(args.output) if args.output else path.resolve().parent
    if out.exists() and not out.is_dir():
        raise StewardError(f"-o {out} is a file, not a folder.", "Give the folder to write the report into.")
    report.validate_timeout(args.timeout)
    record: Path | bool = True
    if args.progress is not None:
        if args.progress.strip().lower() in {"off", "none", "no"}:
            record = False
        else:
            record = Path(args.progress).expanduser()
            if not record.exists() and not progress.journal(record).exists():
                raise StewardError(f"--progress {record} does not exist.",
                                   "Give the mentee's progress.json (or its .events.jsonl, or the folder holding them), "
                                   "or --progress off.")
    try:
        result = report.make(path, timeout=args.timeout, progress_record=record)
    except KeyboardInterrupt:
        print("steward: stopped (Ctrl-C). The kernel was stopped; the mentee's notebook was not changed and no "
              "report was written.", file=sys.stderr)
        return 130
    try:
        md, page = report.write(result, out)
    except OSError as error:
        raise StewardError(f"Could not write the report to {out}: {error.strerror or error}.",
                           "Give a folder you can write to with -o.") from None
    counts = result.counts()
    print(f"{path.name}: {counts['pass']} pass, {counts['not yet']} not yet, {counts['not attempted']} not attempted"
          f" ({result.seconds:.1f} s). Hints and time on task from "
          f"{('the progress record ' + result.record) if result.record else 'the notebook (its last kernel session only)'}"
          f"{(' from the assignment' + chr(39) + 's time (' + result.since + ') on') if result.since else ''}."
          f" Wrote {md} and {page}.")
    return 0


def _assign(args: argparse.Namespace) -> int:
    from steward import assign

    target, renamed = assign.assign(args.module, args.output, mentee=args.mentee, due=args.due, note=args.note)
    if renamed:
        print(f"A file with the plain name already exists in {args.output}; wrote {target} instead (nothing was overwritten).")
    else:
        print(f"Wrote {target}.")
    return 0


def _progress(args: argparse.Namespace) -> int:
    from steward import feedback, progress, progressview

    if args.notebooks:
        table = progressview.from_notebooks(args.notebooks)
        source = f"{len(args.notebooks)} notebook(s)"
    else:
        table = progressview.from_record()
        source = str(progress.location() or "nowhere (STEWARD_PROGRESS=off)")
    if progressview.is_empty(table):
        print(f"No progress recorded yet in {source}. Open notebooks/00-start-here.ipynb "
              "(`python3 run.py lab`) and run a check; it will show up here.")
        return 0
    print(f"Progress from {source}:\n")
    print(table.to_string())
    done, total = int(table["pass"].sum()), int(table[["pass", "not yet", "not attempted"]].to_numpy().sum())
    print(f"\n{done} of {total} tasks passed, {feedback.plural(int(table['hints'].sum()), 'hint')} used.")
    where = None if args.notebooks else progress.location()
    if where is not None:
        files = " and ".join(p.name for p in progress.parts(where) if p.exists())
        print(f"For your mentor's report to count hints and time across kernel restarts, send {files} "
              f"(in {where.parent}) with your notebook.")
    return 0


def _agenda(args: argparse.Namespace) -> int:
    from steward import agenda

    print(agenda.agenda(args.module, length=args.length, exercise=args.exercise), end="")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="steward", description="The Steward curriculum's tools.")
    p.add_argument("--version", action="version", version=f"steward {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="write exercises/ from solutions/")
    b.add_argument("modules", nargs="*", help="modules: 02, 2, trade-offs or 02-trade-offs (default: all)")
    b.add_argument("--check", action="store_true", help="write nothing; fail if exercises/ is stale")
    b.add_argument("--force", action="store_true", help="overwrite exercises a learner changed (keeps a backup)")
    b.set_defaults(run=_build)

    d = sub.add_parser("data", help="regenerate data/ from the seeded generators")
    d.add_argument("--check", action="store_true", help="write nothing; fail if data/ differs")
    d.set_defaults(run=_data)

    r = sub.add_parser("report", help="run a copy of a mentee's notebook and write a report for the 1:1")
    r.add_argument("notebook", help="the mentee's .ipynb (it is never modified)")
    r.add_argument("-o", "--output", help="folder for the report (default: beside the notebook)")
    r.add_argument("--timeout", type=float, default=60,
                   help="hard limit in seconds for each cell, at least 5 (default 60); a cell that ignores the "
                        "interrupt is killed. The notebook runs as YOUR user in a temporary folder: see "
                        "docs/mentor-guide.md before you run a notebook you do not trust")
    r.add_argument("--progress", metavar="PATH",
                   help="the mentee's progress record (progress.json, its .events.jsonl, or their folder): hints and "
                        "time on task across kernel restarts. Default: a progress.json beside the notebook, else the "
                        "record on this machine if it holds the notebook's checks; 'off' reads the notebook only")
    r.set_defaults(run=_report)

    a = sub.add_parser("assign", help="copy a module's exercise for a mentee, with a cover cell")
    a.add_argument("module", help="module number, e.g. 02")
    a.add_argument("-o", "--output", required=True, help="folder to write the assignment into")
    a.add_argument("--mentee", help="the mentee's name")
    a.add_argument("--due", help="due date as YYYY-MM-DD, e.g. 2026-12-04")
    a.add_argument("--note", help="a note from you, shown at the top")
    a.set_defaults(run=_assign)

    g = sub.add_parser("progress", help="your progress per module")
    g.add_argument("notebooks", nargs="*", help="saved notebooks to read instead of the progress file")
    g.set_defaults(run=_progress)

    ag = sub.add_parser("agenda", help="a timed workshop run-sheet for a module")
    ag.add_argument("module", help="module number, e.g. 02")
    ag.add_argument("--length", type=int, default=90, help="session length in minutes (default 90)")
    ag.add_argument("--exercise", type=int, default=0, metavar="MIN",
                    help="minutes for pairs to start the exercise in the room (sections move to homework to make room)")
    ag.set_defaults(run=_agenda)
    _add_hub_commands(sub)
    return p


# -- JupyterHub workshops (issue #17): hub-link and cohort --------------------------------
def _hub_link(args: argparse.Namespace) -> int:
    from steward import hub

    module = None if args.module in {"", "none"} else args.module
    print(hub.link(args.hub, args.repo, branch=args.branch, module=module, folder=args.folder))
    return 0


def _cohort(args: argparse.Namespace) -> int:
    from pathlib import Path

    from steward import cohort

    result = cohort.build(args.paths, timeout=args.timeout, workers=args.workers)
    md, page = cohort.write(result, Path(args.output), anonymous=args.anonymous)
    hardest = ", ".join(t.title for t in result.hardest()) or "none (every task passed without hints)"
    print(f"{len(result.learners)} learner(s), {len(result.tasks)} task(s) in {result.seconds:.1f} s"
          + (f"; {len(result.failed)} notebook(s) could not be run" if result.failed else "")
          + f". Hardest: {hardest}. Wrote {md} and {page}.")
    return 0


def _add_hub_commands(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("hub-link", help="print the nbgitpuller link that gives hub users the curriculum")
    h.add_argument("hub", help="the hub's address, e.g. https://hub.example.com")
    h.add_argument("repo", help="the curriculum's git URL, e.g. https://github.com/acme/steward")
    h.add_argument("--branch", default="main", help="branch to pull (default main)")
    h.add_argument("--module", default="00", help="module to open, e.g. 02 (default 00; 'none' opens the folder)")
    h.add_argument("--folder", default="notebooks", choices=["notebooks", "exercises", "solutions"],
                   help="open the lesson (default) or the exercise")
    h.set_defaults(run=_hub_link)

    co = sub.add_parser("cohort", help="one page for a room: per-task counts, misconceptions, the hardest tasks")
    co.add_argument("paths", nargs="+", help="learners' notebooks, or folders of them (one notebook per learner)")
    co.add_argument("-o", "--output", default=".", help="folder for cohort.md, cohort.html, cohort.png (default .)")
    co.add_argument("--timeout", type=int, default=60, help="seconds each cell may run (default 60)")
    co.add_argument("--workers", type=int, help="notebooks run at once (default: up to 4, no more than the cores)")
    co.add_argument("--anonymous", action="store_true", help="counts only: no learner names")
    co.set_defaults(run=_cohort)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except StewardError as error:
        print(f"steward: {error.message}", file=sys.stderr)
        if error.fix:
            print(f"  {error.fix}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("steward: stopped (Ctrl-C). Nothing was written.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
