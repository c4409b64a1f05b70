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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="steward", description="The Steward curriculum's tools.")
    p.add_argument("--version", action="version", version=f"steward {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="write exercises/ from solutions/")
    b.add_argument("modules", nargs="*", help="module numbers or notebook names (default: all)")
    b.add_argument("--check", action="store_true", help="write nothing; fail if exercises/ is stale")
    b.add_argument("--force", action="store_true", help="overwrite exercises a learner changed (keeps a backup)")
    b.set_defaults(run=_build)

    d = sub.add_parser("data", help="regenerate data/ from the seeded generators")
    d.add_argument("--check", action="store_true", help="write nothing; fail if data/ differs")
    d.set_defaults(run=_data)
    return p


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
        return 130


if __name__ == "__main__":
    sys.exit(main())
