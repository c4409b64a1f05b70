"""Measuring a writing check on a labelled corpus.

A *check* is any function ``text -> iterable of rule codes``: the rules the text breaks, empty
when it passes. A *corpus* is a JSON-lines file, one labelled text a line::

    {"text": "...", "verdict": "bad", "rule": "contains-fix", "note": "the fix in other words", "fix": "raise the TTL"}

``verdict`` is ``good`` or ``bad``; a bad text names the ``rule`` a reviewer would flag it for;
``note`` says why. Any other key is context the check needs (a hint's ``fix``), passed to the
check as a keyword. Every third text (index 2, 5, 8, …) is *held out*: the author of a check
tunes on the others and reports both numbers, so a check that learned its corpus by heart shows.

This module knows no lesson; the lessons give the checks. Pure standard library.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The targets every writing check is held to (issue #15).
BAD_FLAGGED_TARGET = 0.90
GOOD_FLAGGED_LIMIT = 0.10
TIME_BUDGET_S = 0.050

Check = Callable[..., Iterable[str]]
_META = {"text", "verdict", "rule", "note"}


@dataclass(frozen=True)
class Labelled:
    """One text of a corpus, with its label."""

    index: int
    text: str
    verdict: str
    rule: str
    note: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def held_out(self) -> bool:
        return self.index % 3 == 2


def load_corpus(path: str | Path) -> list[Labelled]:
    """The labelled texts of a JSON-lines corpus, in file order. Raises ValueError on a bad line."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        verdict = row.get("verdict")
        if verdict not in {"good", "bad"} or not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{number}: each line needs a text and a verdict good/bad")
        if verdict == "bad" and not row.get("rule"):
            raise ValueError(f"{path}:{number}: a bad text names the rule it breaks")
        items.append(Labelled(len(items), row["text"], verdict, row.get("rule") or "", row.get("note") or "",
                              {k: v for k, v in row.items() if k not in _META}))
    return items


@dataclass
class Outcome:
    """What the check said about one labelled text."""

    item: Labelled
    rules: tuple[str, ...]
    seconds: float

    @property
    def correct(self) -> bool:
        if self.item.verdict == "good":
            return not self.rules
        return self.item.rule in self.rules


@dataclass
class Measure:
    """A check's shares on a corpus (or on a part of it)."""

    name: str
    outcomes: list[Outcome]

    def part(self, held_out: bool | None) -> Measure:
        if held_out is None:
            return self
        return Measure(self.name, [o for o in self.outcomes if o.item.held_out == held_out])

    @property
    def bad(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.verdict == "bad"]

    @property
    def good(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.verdict == "good"]

    @property
    def bad_flagged_right(self) -> float:
        """Share of bad texts flagged with the rule they were labelled with."""
        return sum(o.correct for o in self.bad) / len(self.bad) if self.bad else float("nan")

    @property
    def bad_flagged(self) -> float:
        """Share of bad texts flagged at all (any rule)."""
        return sum(bool(o.rules) for o in self.bad) / len(self.bad) if self.bad else float("nan")

    @property
    def good_flagged(self) -> float:
        """Share of good texts flagged (false positives)."""
        return sum(bool(o.rules) for o in self.good) / len(self.good) if self.good else float("nan")

    @property
    def slowest_s(self) -> float:
        return max((o.seconds for o in self.outcomes), default=0.0)

    @property
    def meets_targets(self) -> bool:
        return self.bad_flagged_right >= BAD_FLAGGED_TARGET and self.good_flagged <= GOOD_FLAGGED_LIMIT

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def row(self) -> dict[str, Any]:
        return {"check": self.name, "texts": len(self.outcomes), "bad": len(self.bad), "good": len(self.good),
                "bad flagged (right rule)": self.bad_flagged_right, "bad flagged (any rule)": self.bad_flagged,
                "good flagged": self.good_flagged, "slowest ms": 1000 * self.slowest_s}


def _rules(check: Check, item: Labelled) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(r) for r in check(item.text, **item.context)))


def measure(name: str, check: Check, corpus: Sequence[Labelled]) -> Measure:
    """Run ``check`` on every text of ``corpus`` and time each call in CPU time, which a busy shared
    machine barely moves (after one untimed call, so that importing the lesson and computing its
    cached facts are not counted against a text)."""
    if corpus:
        _rules(check, corpus[0])
    outcomes = []
    for item in corpus:
        start = time.process_time()
        rules = _rules(check, item)
        outcomes.append(Outcome(item, rules, time.process_time() - start))
    return Measure(name, outcomes)


def table(measures: Iterable[Measure], markdown: bool = False, splits: bool = True) -> str:
    """One row per check and split (all, tuning, held out; only all when ``splits`` is false): the
    shares and the slowest text."""
    head = ("check", "split", "texts", "bad flagged, right rule", "good flagged", "slowest (cpu)")
    rows = []
    for m in measures:
        for label, part in (("all", None), ("tuning", False), ("held out", True))[: 3 if splits else 1]:
            p = m.part(part)
            rows.append((m.name, label, f"{len(p.bad)} bad / {len(p.good)} good", f"{p.bad_flagged_right:.0%}",
                         f"{p.good_flagged:.0%}", f"{1000 * p.slowest_s:.1f} ms"))
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(lines)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*r) for r in (head, *rows))
