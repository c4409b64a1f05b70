#!/usr/bin/env python3
"""How well each writing check reads meaning, on its labelled corpus (issue #15).

    python benchmarks/writing.py              # the table: all texts, the tuning part, the held-out third
    python benchmarks/writing.py --markdown   # the same as Markdown (for docs/writing-checks.md)
    python benchmarks/writing.py --misses     # also list the tuning texts a check got wrong

Per check: the share of bad texts flagged *with the rule they were labelled with*, the share of
good texts flagged (false positives), and the slowest text. Targets: >= 90% and <= 10%.
Every third text of a corpus is held out from tuning; its row shows whether the rules generalise.
The fresh probes (tests/corpora/probe/) are a few texts per check written after tuning.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "corpora"))

from registry import ENTRIES  # noqa: E402

from steward import writing  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list the texts of the tuning part a check got wrong")
    parser.add_argument("--held-out-misses", action="store_true", help="also list the held-out ones (after tuning)")
    parser.add_argument("--only", default="", help="checks whose name contains this")
    args = parser.parse_args()
    measures = [writing.measure(e.name + (" (pending)" if e.pending else ""), e.check, writing.load_corpus(e.corpus))
                for e in ENTRIES if args.only in e.name]
    print(writing.table(measures, markdown=args.markdown))
    probes = [writing.measure(e.name, e.check, writing.load_corpus(e.probe)) for e in ENTRIES
              if e.probe and args.only in e.name]
    if probes:
        print("\nFresh probes (written after tuning; their first measurement is in docs/writing-checks.md):")
        print(writing.table(probes, markdown=args.markdown, splits=False))
    if args.misses:
        for m in measures:
            for o in m.misses():
                if o.item.held_out and not args.held_out_misses:
                    continue
                want = "accept" if o.item.verdict == "good" else f"flag {o.item.rule}"
                print(f"\n{m.name} #{o.item.index}{' (held out)' if o.item.held_out else ''}: want {want}, "
                      f"got {list(o.rules) or 'accept'}\n  {o.item.text[:300]!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
