"""Which check reads which labelled corpus (issue #15). Shared by the tests and the benchmark.

Each entry: the corpus file (JSON lines, see ``steward.writing``), the check as a function
``text, **context -> rule codes``, and, for a check this work did not change, why its targets
are not held yet (``pending``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Entry:
    name: str
    corpus: Path
    check: Callable[..., Iterable[str]]
    pending: str = ""  # why the targets are not held yet (another engineer owns the check)

    @property
    def probe(self) -> Path | None:
        """A few fresh texts written after the check was tuned (``probe/``), or None."""
        path = HERE / "probe" / self.corpus.name
        return path if path.exists() else None


def _status(text: str, **_: Any) -> list[str]:
    from steward.lessons.incident.exercise import status_rules
    return status_rules(text)


def _hint(text: str, fix: str | None = None, **_: Any) -> list[str]:
    from steward.lessons.mentoring.model import hint_rules
    return hint_rules(text, fix)


def _statement(text: str, **_: Any) -> list[str]:
    from steward.lessons.influence.model import statement_rules
    return statement_rules(text)


def _blame(text: str, **_: Any) -> list[str]:
    from steward.lessons.ownership.exercise import blame_rules
    return blame_rules(text)


def _postmortem(text: str, **_: Any) -> list[str]:
    from steward.lessons.ownership.exercise import postmortem_rules
    return postmortem_rules(text)


def _digest(text: str, **_: Any) -> list[str]:
    from steward.lessons.visibility.digest import lint_digest
    return [f.rule for f in lint_digest(text).findings]


_ADR_CODES = (("a title", "title"), ("a Status", "status"), ("a Context", "context"), ("a Decision", "decision"),
              ("a Consequences", "consequences"), ("a downside", "downside"))
_NOTE_CODES = (("both options", "options"), ("the risk", "risk"), ("the cost", "cost"),
               ("a recommendation", "recommendation"), ("plain words", "jargon"), ("a length", "length"))


def _codes(problems: Iterable[str], table: tuple[tuple[str, str], ...]) -> list[str]:
    return [next((code for start, code in table if p.startswith(start)), p) for p in problems]


def _adr(text: str, **_: Any) -> list[str]:
    from steward.lessons.tradeoffs import adr_problems
    return _codes(adr_problems(text), _ADR_CODES)


def _note(text: str, **_: Any) -> list[str]:
    from steward.lessons.tradeoffs import stakeholder_problems
    return _codes(stakeholder_problems(text), _NOTE_CODES)


def _design_doc(text: str, **_: Any) -> list[str]:
    from steward.lessons.seniority import lint_design_doc
    return [f.check for f in lint_design_doc(text)]


ENTRIES = (
    Entry("05 status update", HERE / "05-status-update.jsonl", _status),
    Entry("06 hint linter", HERE / "06-hint.jsonl", _hint),
    Entry("07 impact statement", HERE / "07-impact-statement.jsonl", _statement),
    Entry("08 blame linter", HERE / "08-blame.jsonl", _blame),
    Entry("08 postmortem", HERE / "08-postmortem.jsonl", _postmortem),
    Entry("09 digest linter", HERE / "09-digest.jsonl", _digest),
    Entry("02 ADR", HERE / "02-adr.jsonl", _adr),
    Entry("02 stakeholder note", HERE / "02-stakeholder-note.jsonl", _note),
    Entry("11 design-doc linter", HERE / "11-design-doc.jsonl", _design_doc),
)
