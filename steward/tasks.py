"""Self-checking exercise steps.

A :class:`Task` compares an answer the learner passes *explicitly* (no reading of
notebook globals) with what reference code computes from ``data/`` or a simulation, and
shows one of three outcomes: **pass**, **not yet** (with a message and, for a known
misconception, the hint aimed at it) or **not attempted** (``...`` or ``None``).

Hints are tiered: first a Socratic question aimed at the gap, then a concrete pointer.
They never contain the answer; that lives only in the solution notebook.
"""

from __future__ import annotations

import html
import numbers
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward import feedback, progress, results
from steward.checks import (
    NOT_ATTEMPTED,
    NOT_YET,
    PASS,
    Comparator,
    Verdict,
    describe,
    is_placeholder,
)

#: When this module was imported (the exercise's set-up cell), and each module's last step.
_IMPORTED = time.time()
_LAST_STEP: dict[str, float] = {}


@dataclass(frozen=True)
class Misconception:
    """A plausible wrong answer and the hint it must trigger.

    ``example`` computes that wrong answer with reference code (the test suite feeds it
    to ``check`` and expects *not yet* with ``hint``). ``matches`` decides whether a
    learner's answer is this mistake; by default, the task's comparator against
    ``example()``.
    """

    name: str
    hint: str
    example: Callable[[], Any]
    matches: Callable[[Any], bool] | None = None


@dataclass
class Outcome:
    """What one check found. Displays itself once; carries a JSON copy for reports."""

    record: dict[str, Any]
    _shown: bool = field(default=False, repr=False)
    answer: Any = field(default=None, repr=False)

    @property
    def status(self) -> str:
        return self.record["status"]

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def message(self) -> str:
        return self.record.get("message", "")

    @property
    def hint(self) -> str | None:
        return self.record.get("hint")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return feedback.bundle(
            feedback.outcome_text(self.record), feedback.outcome_html(self.record), feedback.MIME_OUTCOME, self.record
        )

    def keep(self, key: str, value: Any = None) -> results.Kept:
        """Keep a result for later modules (:func:`steward.results.remember`), but only an
        answer that passed: a later module must never quote a wrong number.

        ``value`` defaults to the checked answer; a callable gets the answer and returns
        what to keep. It is not called unless the check passed, so a blank exercise (whose
        answer is ``...``) runs without error."""
        if not self.passed:
            text = f"… {key} not kept yet: it is kept once this check passes."
            feedback.show(feedback.bundle(text, f"<div class='steward-result' style='opacity:.8'>{html.escape(text)}</div>"))
            return results.Kept(key, False)
        kept = self.answer if value is None else value(self.answer) if callable(value) else value
        return results.remember(key, kept, module=self.record.get("module"))

    def _ipython_display_(self) -> None:
        # Shown by check() already; when it is also a cell's last value, show nothing more.
        if not self._shown:
            self._shown = True
            feedback.show(self._repr_mimebundle_())

    def __str__(self) -> str:
        return feedback.outcome_text(self.record)

    def __repr__(self) -> str:
        return f"<Outcome {self.record['task']}: {self.status}>"


@dataclass
class Hint:
    task: str
    tier: int
    total: int
    text: str
    title: str
    hints_used: int = 0
    _shown: bool = field(default=False, repr=False)

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        record = {"task": self.task, "tier": self.tier, "hints_used": self.hints_used}
        return feedback.bundle(
            feedback.hint_text(self.title, self.tier, self.total, self.text),
            feedback.hint_html(self.title, self.tier, self.total, self.text),
            feedback.MIME_HINT,
            record,
        )

    def _ipython_display_(self) -> None:
        if not self._shown:
            self._shown = True
            feedback.show(self._repr_mimebundle_())

    def __str__(self) -> str:
        return feedback.hint_text(self.title, self.tier, self.total, self.text)


_ANSWER_EXCERPT = 2000


def _excerpt(answer: Any) -> str | None:
    """Written answers travel into the mentor report; numbers and frames do not need to."""
    if isinstance(answer, str):
        return answer if len(answer) <= _ANSWER_EXCERPT else answer[:_ANSWER_EXCERPT] + " …"
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        return str(int(answer))
    if isinstance(answer, numbers.Real):  # NumPy scalars too, as the plain number (not "np.float64(…)")
        return repr(float(answer))
    return None


class Task:
    """One checked step of an exercise.

    Args:
        id: ``"<module>.<slug>"``, e.g. ``"02.weighted-scores"``; stable, it keys progress.
        title: a few words for headings and reports.
        prompt: what the learner must produce, including the type (``a float, in ms``).
        reference: computes the expected answer from data or a simulation. Called lazily.
        compare: a comparator from :mod:`steward.checks`.
        hints: Socratic question first, then a more concrete pointer. Never the answer.
        misconceptions: plausible wrong answers and the hint each must trigger.
        stretch: an optional task for fast learners.
    """

    def __init__(
        self,
        id: str,  # noqa: A002
        title: str,
        prompt: str,
        reference: Callable[[], Any],
        compare: Comparator,
        hints: Sequence[str],
        misconceptions: Sequence[Misconception] = (),
        stretch: bool = False,
        sample_answer: Callable[[], Any] | None = None,
    ) -> None:
        if not re.fullmatch(r"\d\d\.[a-z0-9-]+", id):
            raise ValueError(f"task id {id!r} must look like '02.weighted-scores'")
        if len(hints) < 2:
            raise ValueError(f"task {id}: give at least two hint tiers (a question, then a pointer)")
        self.id = id
        self.module = id.split(".")[0]
        self.title = title
        self.prompt = prompt
        self._reference = reference
        self.compare = compare
        self.hints = list(hints)
        self.misconceptions = list(misconceptions)
        self.stretch = stretch
        self._sample_answer = sample_answer
        self._expected: Any = None
        self._have_expected = False
        self.hints_used = 0
        self.last: Outcome | None = None
        self._started: float | None = None  # when work on this task began (see _begin)
        self._examples: dict[int, Any] = {}
        #: How the notebook refers to this task, for "Stuck? tasks.x.hint()" messages.
        self.handle = f"tasks.{self.slug}"

    @property
    def expected(self) -> Any:
        """The reference answer, computed once."""
        if not self._have_expected:
            self._expected = self._reference()
            self._have_expected = True
        return self._expected

    def sample_answer(self) -> Any:
        """An answer that passes (for tests and the solution notebook's author): the
        reference value itself unless the task says otherwise (e.g. a model text)."""
        return self._sample_answer() if self._sample_answer else self.expected

    # -- checking ---------------------------------------------------------------
    def evaluate(self, answer: Any) -> tuple[str, str, Misconception | None]:
        """Status, message and the matched misconception, without displaying or recording."""
        if answer is None:
            return (NOT_ATTEMPTED, "Your answer is `None`, not a value: did the last step return nothing (a function "
                    "without `return`, `print(...)`, or a pandas call with `inplace=True`)?", None)
        if is_placeholder(answer):
            return NOT_ATTEMPTED, "Replace the ... with your answer, then run the cell again.", None
        try:
            verdict = self.compare(answer, self.expected)
        except Exception as error:  # a comparator must not raise, but the learner must never see it if it does
            verdict = Verdict(NOT_YET, f"The check could not read {describe(answer)} ({type(error).__name__}).")
        if verdict.status != NOT_YET:
            return verdict.status, verdict.message, None
        for misconception in self.misconceptions:
            if self._matches(misconception, answer):
                return NOT_YET, verdict.message, misconception
        return NOT_YET, verdict.message, None

    def _matches(self, misconception: Misconception, answer: Any) -> bool:
        try:
            if misconception.matches is not None:
                return bool(misconception.matches(answer))
            return self.compare(answer, self._example(misconception)).status == PASS
        except Exception:
            return False

    def _example(self, misconception: Misconception) -> Any:
        """A misconception's wrong answer, computed once (some run reference code over data)."""
        key = id(misconception)
        if key not in self._examples:
            self._examples[key] = misconception.example()
        return self._examples[key]

    def check(self, answer: Any) -> Outcome:
        """Check ``answer``, show the outcome, record it in the progress file."""
        status, message, misconception = self.evaluate(answer)
        now = time.time()
        if status != NOT_ATTEMPTED:
            self._begin(now)
        record = {
            "task": self.id,
            "module": self.module,
            "title": self.title,
            "status": status,
            "message": message,
            "hint": misconception.hint if misconception else None,
            "misconception": misconception.name if misconception else None,
            "hints_used": self.hints_used,
            "stretch": self.stretch,
            "answer": _excerpt(answer) if status != NOT_ATTEMPTED else None,
            "hint_call": f"{self.handle}.hint()",
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(now)),
            "seconds_on_task": round(now - self._started, 1) if self._started is not None else None,
        }
        progress.record_event({"kind": "check", **{k: record[k] for k in ("task", "module", "status", "hints_used", "misconception")}})
        outcome = Outcome(record, answer=answer)
        self.last = outcome
        outcome._ipython_display_()
        return outcome

    def _begin(self, now: float) -> None:
        """Time on task runs from the end of the learner's previous step in this module (their
        last check or hint of another task in this kernel), or from when the lesson was
        imported: a task checked once took the time since then, not zero."""
        if self._started is None:
            self._started = _LAST_STEP.get(self.module, _IMPORTED)
        _LAST_STEP[self.module] = now

    @property
    def slug(self) -> str:
        return self.id.split(".", 1)[1].replace("-", "_")

    def hint(self) -> Hint:
        """The next hint tier: a question first, then a more concrete pointer.

        Once every tier has been shown, asking again shows the last one again without
        counting another hint (the mentor's count is of hints *seen*)."""
        self._begin(time.time())
        again = self.hints_used >= len(self.hints)
        tier = min(self.hints_used, len(self.hints) - 1)
        text = self.hints[tier]
        if again:
            text += " (That is the last hint; the solution notebook has a worked answer.)"
        else:
            self.hints_used += 1
            progress.record_event({"kind": "hint", "task": self.id, "module": self.module, "tier": tier + 1})
        shown = Hint(self.id, tier + 1, len(self.hints), text, self.title, self.hints_used)
        shown._ipython_display_()
        return shown

    def __repr__(self) -> str:
        return f"<Task {self.id}: {self.title}>"

    def _repr_markdown_(self) -> str:
        tag = " *(stretch)*" if self.stretch else ""
        return f"**{self.title}**{tag}: {self.prompt}"


class TaskSet:
    """A module's tasks, reachable as attributes: ``tasks.weighted_scores.check(x)``."""

    def __init__(self, module: str) -> None:
        self.module = module
        self._tasks: dict[str, Task] = {}

    def add(self, task: Task) -> Task:
        if task.module != self.module:
            raise ValueError(f"task {task.id} does not belong to module {self.module}")
        if task.slug in self._tasks:
            raise ValueError(f"duplicate task {task.id}")
        self._tasks[task.slug] = task
        return task

    def __getattr__(self, name: str) -> Task:
        try:
            return self.__dict__["_tasks"][name]
        except KeyError:
            known = ", ".join(self.__dict__.get("_tasks", {}))
            raise AttributeError(f"module {self.module} has no task {name!r}; it has: {known}") from None

    def __iter__(self) -> Iterator[Task]:
        return iter(self._tasks.values())

    def __len__(self) -> int:
        return len(self._tasks)

    def __getitem__(self, key: str) -> Task:
        return self._tasks[key.replace("-", "_").split(".")[-1]]

    def __dir__(self) -> list[str]:
        return [*self._tasks, "module"]


class Record(dict):
    """A record a cell returns (a self-assessment, a note): a dict for code, but it has
    already shown itself, so as a cell's last value it prints nothing more (no raw dict)."""

    def _ipython_display_(self) -> None:
        pass


@dataclass
class Rubric:
    """Judgment that a machine cannot check: the learner rates their own answer against
    criteria, with a mid-level and a senior-level example to compare with."""

    id: str
    title: str
    criteria: Sequence[str]
    mid_level: str
    senior_level: str
    levels: Sequence[str] = ("not yet", "partly", "yes")

    def show(self) -> None:
        text = [f"Rubric — {self.title}"] + [f"  [{i + 1}] {c}" for i, c in enumerate(self.criteria)]
        text += ["", "A mid-level answer:", self.mid_level, "", "A senior-level answer:", self.senior_level]
        items = "".join(f"<li>{feedback.inline_markdown(c)}</li>" for c in self.criteria)
        body = (
            f"<div class='steward-rubric' style='font-family:sans-serif'><b>Rubric · {html.escape(self.title)}</b>"
            f"<ol>{items}</ol><details><summary>A mid-level answer</summary><blockquote>{feedback.inline_markdown(self.mid_level)}"
            f"</blockquote></details><details><summary>A senior-level answer</summary><blockquote>"
            f"{feedback.inline_markdown(self.senior_level)}</blockquote></details></div>"
        )
        feedback.show(feedback.bundle("\n".join(text), body))

    def assess(self, scores: dict[str, str] | Sequence[str] | None) -> Record:
        """Record the learner's self-assessment: one level per criterion (in order, or by
        criterion text). Unknown levels or a wrong count get a plain message."""
        if scores is None or scores is Ellipsis:
            record = {"rubric": self.id, "title": self.title, "status": NOT_ATTEMPTED, "scores": {}}
        else:
            values = list(scores.values()) if isinstance(scores, dict) else list(scores)
            problems = []
            if len(values) != len(self.criteria):
                problems.append(f"rate each of the {len(self.criteria)} criteria (you gave {len(values)})")
            bad = [v for v in values if str(v).strip().lower() not in self.levels]
            if bad:
                choices = ", ".join(f'"{level}"' for level in self.levels[:-1]) + f' or "{self.levels[-1]}"'
                problems.append(f'rate with {choices} (you wrote "{bad[0]}")')
            status = NOT_YET if problems else "self-assessed"
            record = {
                "rubric": self.id,
                "title": self.title,
                "status": status,
                "message": "; ".join(problems),
                "scores": {} if problems else dict(zip(self.criteria, [str(v).strip().lower() for v in values], strict=True)),
            }
        record["module"] = self.id.split(".")[0]
        text = f"Self-assessment — {self.title}: {record['status']}" + (f". To record it, {record.get('message')}." if record.get("message") else "")
        if record["status"] == "self-assessed":
            progress.record_event({"kind": "assessment", "task": self.id, "module": record["module"], "scores": record["scores"]})
        feedback.show(feedback.bundle(text, f"<div class='steward-assessment'>{html.escape(text)}</div>", feedback.MIME_ASSESSMENT, record))
        return Record(record)


class ComposedRubric(Rubric):
    """A rubric whose senior-level example is composed when it is read (``compose()``), so it reads
    right for the learner's own inputs and no data is loaded when the lesson is imported."""

    def __init__(self, *args: Any, compose: Callable[[], str] | None = None, **kwargs: Any) -> None:
        self._compose = compose
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def senior_level(self) -> str:
        return self._compose() if self._compose else self._senior

    @senior_level.setter
    def senior_level(self, value: str) -> None:
        self._senior = value


def note(id: str, title: str, text: Any) -> Record | None:  # noqa: A002
    """Keep a written reflection with the notebook (not checked): it travels into the
    mentor's report. ``...`` or empty text records nothing."""
    if text is None or text is Ellipsis or not str(text).strip():
        waiting = f"… Not written yet — {title}"
        feedback.show(feedback.bundle(waiting, f"<div class='steward-note'>{html.escape(waiting)}</div>"))
        return None
    record = {"note": id, "title": title, "text": str(text)[:_ANSWER_EXCERPT]}
    shown = f"Saved with this notebook for your 1:1 — {title}"
    feedback.show(feedback.bundle(shown, f"<div class='steward-note'>{html.escape(shown)}</div>", feedback.MIME_NOTE, record))
    return Record(record)
