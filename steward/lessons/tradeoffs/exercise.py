"""Module 02's exercise: the checked tasks, their misconceptions and hints, the rubrics, and
the linters for the ADR and the stakeholder note."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks
from steward.datasets.coordination_options import CRITERIA
from steward.lessons.tradeoffs.model import (
    ADR_STATUSES,
    MC_DRAWS,
    MC_SEED,
    TEAM_WEIGHTS,
    USE_CASES,
    Flip,
    adr_sections,
    corrupted_writes,
    draw_winners,
    eligible,
    event_log,
    fencing_by_option,
    flip_point,
    options_table,
    ranking,
    render_adr,
    simulate_lease_lock,
    stale_reservations,
    store_verdicts,
    weighted_scores,
    weighted_totals,
    weights_series,
    winner_holds,
)
from steward.tasks import Misconception, Rubric, Task, TaskSet

MODULE = "02"

_DOWNSIDE = re.compile(r"\b(negative|downside|cost|costs|risk|risks|worse|weaker|harder|slower|lose|loses|"
                       r"give up|gives up|trade-off|tradeoff|drawback|must|con|cons|penalty|limitation|limits|"
                       r"blocks?|queue|queues|waits?|wast\w*|we accept|at the price of|pauses?|depends? on|stale|"
                       r"delay\w*|fails? over|only harm)\b", re.IGNORECASE)
#: A Decision that commits. Nygard writes "We will …"; a careful writer may also write "We'll",
#: "We are going to", "We have decided to" or "We chose" (issue 13: accept what they write).
_COMMITS = re.compile(r"\b(we will|we'll|we’ll|we shall|we are going to|we're going to|we have decided|"
                      r"we've decided|we decided|we chose|we have chosen|we choose|we adopt|we are adopting)\b",
                      re.IGNORECASE)
#: A title line: a Markdown heading, "Title: …", or "ADR 0001 …" written as plain text.
_TITLE = re.compile(r"^\s*(#{1,6}\s+\S|\**title\**\s*:\s*\S|\**adr[\s#-]*\d+)", re.IGNORECASE)



#: A section with no claim: a placeholder or a pointer elsewhere ("TBD", "See the design doc.", "N/A").
_HOLLOW = re.compile(r"^\W*(tbd|tbc|todo|n/?a|none|nothing|-+|\?+|to be (decided|determined|written|done)|"
                     r"see\b[^.\n]{0,80}|as discussed\b[^.\n]{0,60}|coming soon|later)\W*$", re.IGNORECASE)
#: A Decision that defers the choice ("We will decide later") commits to nothing.
_DEFERS = re.compile(r"\b(decide|choose|pick|figure (it|this) out|revisit|look into|discuss|see)\b[^.]{0,30}"
                     r"\b(later|soon|next (week|month|quarter|sprint)|in due course|afterwards|when)\b|\btbd\b",
                     re.IGNORECASE)
#: The label of a bullet such as "- Negative: …" or "- **Cost**: …".
_LABEL = re.compile(r"^\s*[-*+]\s*\**([A-Za-z -]{2,20}?)\**\s*:", re.MULTILINE)
_DOWNSIDE_LABEL = re.compile(r"^(negative|negatives|downside|downsides|cost|costs|risk|risks|worse|cons?|"
                             r"trade-?offs?|drawbacks?|penalty|limitations?|bad|minus|we lose|what we give up)$",
                             re.IGNORECASE)
#: A downside denied in the same breath ("none really", "no real downside").
_DENIED = re.compile(r"\b(none really|nothing really|no real (downside|cost|risk)s?|no (downside|drawback|cost|risk)s?"
                     r"( to speak of| worth (mentioning|noting))?)\b", re.IGNORECASE)
_SECTION_NAMES = re.compile(r"^\s*#{1,6}\s*(status|context|decision|consequences)\b", re.IGNORECASE)

#: What this check cannot judge, said with its feedback (issue #15).
ADR_LIMITS = ("This check reads the ADR's structure only; it cannot judge whether the forces, the choice or "
              "the downsides are the right ones (assess that with the rubric).")


def _hollow(section: str) -> bool:
    return not section.strip() or bool(_HOLLOW.match(section.strip()))


def commits(decision: str) -> bool:
    """Whether a Decision commits to a choice: "We will …" or other words for it, not "We will decide later"."""
    return bool(_COMMITS.search(decision)) and not _DEFERS.search(decision)


def has_downside(consequences: str) -> bool:
    """Whether the Consequences name something that gets worse. With labelled bullets ("- Positive: …"), one
    label must be a downside's ("Negative", "Cost", "Risk", "Worse", …); in prose, a downside's words must
    appear; a downside denied ("Note: none really") does not count."""
    labels = [m.group(1).strip() for m in _LABEL.finditer(consequences)]
    if _DENIED.search(consequences) and not any(_DOWNSIDE_LABEL.match(label) for label in labels):
        return False
    if labels:
        return any(_DOWNSIDE_LABEL.match(label) for label in labels)
    return bool(_DOWNSIDE.search(consequences))


def adr_problems(text: Any) -> list[str]:
    """What an ADR lacks, as short phrases (empty when the structure is complete). Checks
    structure only; whether the reasoning is sound is for the rubric."""
    if not isinstance(text, str):
        return ["text"]
    problems = []
    first = next((line for line in text.splitlines() if line.strip()), "")
    if not _TITLE.match(first) or _SECTION_NAMES.match(first):
        problems.append("a title (the first line, '# ADR 0001: …')")
    sections = adr_sections(text)
    status = sections.get("status", "")
    if not re.search(r"\b(" + "|".join(ADR_STATUSES) + r")\b", status, re.IGNORECASE):
        problems.append("a Status of proposed, accepted, deprecated or superseded")
    context = sections.get("context", "")
    if len(context.split()) < 10 or _hollow(context):
        problems.append("a Context section that states the forces (at least a sentence or two, not a pointer "
                        "elsewhere)")
    if not commits(sections.get("decision", "")):
        problems.append("a Decision section that commits to a choice: 'We will …'")
    consequences = sections.get("consequences", "")
    if _hollow(consequences) or len(consequences.split()) < 3:
        problems.append("a Consequences section that says what follows (not a placeholder)")
    elif not has_downside(consequences):
        problems.append("a downside among the Consequences (mark it 'Negative:' or name a cost or risk)")
    return problems


# -- explaining it to a non-technical stakeholder ------------------------------------------------
_FAMILIES = {
    "Redis": r"\bredis\b",
    "Postgres": r"\b(postgres|postgresql|database|db)\b",
    "ZooKeeper": r"\bzoo ?keeper\b",
    "etcd": r"\betcd\b",
    # the "no new component" answer compares the database with *a* lock service, named generically
    "a lock service": r"\b(lock(ing)? (service|server|system|tool)s?|new (system|service|tool|component)s?|"
                      r"separate (system|service|tool|component)s?|cluster)\b",
}
#: A consequence a head of product understands: what happens to a customer or to the business. "Twice" alone
#: or "things get confusing" is not one; "we oversell", "a refund", "two customers buy the last unit" are.
_CONSEQUENCE = re.compile(
    r"\b(oversell\w*|oversold|refund\w*|cancel\w*|complain\w*|complaints?|apolog\w*|support tickets?|angry|"
    r"(customer|shopper)s?'? trust|double[- ]s(old|ales?|ells?|elling)|sold out|outages?|lost (sales?|orders?|revenue)|"
    r"(two|both) (customers|shoppers|people|buyers|orders)|(cannot|can't|never) (send|ship|deliver)|"
    r"broken promises?|corrupt\w* (data|stock|orders?))\b", re.IGNORECASE)
_NUMBER = (r"(\d+(\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
           r"half an?|a couple of|a few|several)")
#: An amount of cost: a number of a unit of time, people or money ("two weeks", "ten working days",
#: "two engineer-weeks", "USD 4k"); "a bit more work" and "the work is small" are not amounts.
_AMOUNT = re.compile(r"(\b" + _NUMBER + r"\s+(\w+[\s-]){0,2}?(hours?|days?|weeks?|months?|sprints?|quarters?|"
                     r"engineers?|people|developers?|fortnights?)\b|[£$€]\s?\d|\b(usd|eur|gbp)\s?\d|\bfortnight\b)",
                     re.IGNORECASE)
#: Words that make an amount a cost of the work ("costs", "takes", "of one engineer").
_COST_CUE = re.compile(r"\b(cost\w*|takes?|taking|took|needs?|work\w*|effort|engineer\w*|build\w*|spend\w*|"
                       r"time|price|budget|approve|developers?|people|person)\b", re.IGNORECASE)
#: A recommendation that makes a choice: a recommending phrase and, in the same sentence, what is chosen
#: (an option's name, "option 2", "it", "doing …"). "I would only revisit this" and "we will see" are not.
_ADVISE = re.compile(r"\b(recommend\w*|propose|suggest|advi[cs]e|we should|you should|let's|let’s|my pick|"
                     r"go(ing)? with|i vote|my choice|please approve|i would (pick|choose|use|go)|"
                     r"i'd (pick|choose|use|go)|i’d (pick|choose|use|go)|"
                     r"my (answer|view|take|preference) is|i would (ship|build|do|start|take))\b", re.IGNORECASE)
_CHOICE = re.compile(r"\b(redis|postgres\w*|database|zoo ?keeper|etcd|option \w+|the (first|second|safer|cheaper) "
                     r"(one|option)|it|this|doing|preventing|building|using)\b", re.IGNORECASE)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;])\s+|\n+", text) if s.strip()]


def recommends(text: str) -> bool:
    """Whether the note makes a choice: a recommending phrase with what it recommends in the same sentence."""
    for sentence in _sentences(text):
        advice = _ADVISE.search(sentence)
        tail = sentence[advice.end():] if advice else ""
        # an option's name, or its letter or number in a list ("My recommendation: B.")
        if advice and (_CHOICE.search(tail) or re.search(r"\b[A-D1-4]\b", tail)):
            return True
    return False


def names_cost(text: str) -> bool:
    """Whether the note puts an amount on the cost: a number of weeks, people or money, said as a cost."""
    return any(_AMOUNT.search(s) and _COST_CUE.search(s) for s in _sentences(text))


def names_risk(text: str) -> bool:
    """Whether the note says what goes wrong for a customer or the business."""
    return bool(_CONSEQUENCE.search(text))


#: Words a product manager should not have to look up. A senior engineer translates them.
JARGON = ("fencing", "linearizable", "linearizability", "quorum", "raft", "zxid", "fsync", "split-brain", "split brain",
          "ttl", "consensus", "sentinel", "redlock", "advisory lock", "mutex", "jvm", "lease", "p99", "idempotent")
_JARGON = re.compile(r"\b(" + "|".join(re.escape(j) for j in JARGON) + r")\b", re.IGNORECASE)
#: The note's length: long enough to weigh two options and their costs, short enough to be read.
STAKEHOLDER_WORDS = (40, 250)
#: What this check cannot judge, said with its feedback (issue #15).
STAKEHOLDER_LIMITS = ("This check reads the note's parts only; it cannot judge whether your risk and cost are right, "
                      "or whether the head of product will be persuaded (assess that with the rubric).")


def jargon_in(text: str) -> list[str]:
    return sorted({m.group(0).lower() for m in _JARGON.finditer(text)})


def stakeholder_problems(text: Any) -> list[str]:
    """What a note for a non-technical stakeholder lacks: both options, the risk, the cost, a
    recommendation, plain words, a readable length. Structure only; the rubric covers the rest."""
    if not isinstance(text, str):
        return ["text"]
    problems = []
    named = [name for name, pattern in _FAMILIES.items() if re.search(pattern, text, re.IGNORECASE)]
    if len(named) < 2:
        problems.append("both options by name (e.g. the Redis we run and the Postgres database)")
    if not names_risk(text):
        problems.append("the risk (what goes wrong for customers or the business: an oversold item, a refund)")
    if not names_cost(text):
        problems.append("the cost (an amount of time, people or money: 'about two weeks of one engineer')")
    if not recommends(text):
        problems.append("a recommendation that makes a choice ('I recommend Postgres')")
    found = jargon_in(text)
    if found:
        problems.append(f"plain words: translate {', '.join(repr(j) for j in found)}")
    words = len(text.split())
    if not STAKEHOLDER_WORDS[0] <= words <= STAKEHOLDER_WORDS[1]:
        problems.append(f"a length of {STAKEHOLDER_WORDS[0]}–{STAKEHOLDER_WORDS[1]} words (yours has {words})")
    return problems


def _text_check(problems_of, limits: str = "") -> checks.Comparator:
    """A comparator over free text: pass when ``problems_of`` finds nothing missing. Every verdict ends with
    ``limits``, what the check cannot judge."""

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        if not isinstance(answer, str):
            return checks.not_yet(f"Expected your text as a string; got {checks.describe(answer)}.")
        if not answer.strip():
            return checks.Verdict(checks.NOT_ATTEMPTED, "The text is empty.")
        missing = problems_of(answer)
        if not missing:
            return checks.Verdict(checks.PASS, limits)
        return checks.not_yet(" ".join(x for x in ("Missing: " + "; ".join(missing) + ".", limits) if x))

    return compare


STAKEHOLDER_RUBRIC = Rubric(
    id="02.stakeholder-note",
    title="Explaining the lock choice to Cartwheel's head of product",
    criteria=(
        "Leads with what the business risks (an oversold item, a refund, a support ticket), not with technology.",
        "Puts both options side by side on the same terms: what each costs and what each risks.",
        "Makes one recommendation and says what would change it.",
        "Gives the stakeholder a decision they can take or a question they can answer, in words they use.",
    ),
    mid_level=(
        "We compared Redis and Postgres for the reservation lock. Redis is faster and we already run it, but it is "
        "less safe because it can lose the lock during a failover, so there is a risk of overselling. Postgres is "
        "safer but adds some load to the database and will take the team a couple of weeks to build. I recommend "
        "Postgres because safety matters more than speed here."
    ),
    senior_level=(
        "We need a way to stop two checkout workers selling the last unit of an item twice. We already run two tools "
        "that could do it. The Redis we use for caching is fast and costs nothing new, but if it restarts at the "
        "wrong moment two workers can both think they won, and we oversell; a customer gets a cancellation email "
        "instead of a parcel. The Postgres database that holds inventory can make the second worker's sale fail "
        "safely; it costs about two weeks of one engineer and a little more load on a database we already run. I "
        "recommend Postgres. I would only revisit this if reservations grow past what that database can take, and we "
        "will see that coming in its dashboards months ahead. Can we agree on two weeks this quarter?"
    ),
)

ADR_RUBRIC = Rubric(
    id="02.adr",
    title="The reasoning in your ADR",
    criteria=(
        "The Context states the forces without arguing for the answer (a reader could disagree with the Decision).",
        "The hard constraint is named and justified by the worst case, separately from the weights.",
        "The Consequences include what gets worse, with numbers, not only what gets better.",
        "It says what would reopen the decision (the flip point, or a change in the use case).",
    ),
    mid_level=(
        "Context: we need a lock for inventory reservations. Decision: We will use Postgres advisory locks because "
        "they scored highest among the locks. Consequences: simpler operations, and we already run Postgres."
    ),
    senior_level=(
        "Context: a reservation is read-modify-write on a stock row that lives in Postgres; an oversell is the worst "
        "case, so options whose resource cannot refuse a stale holder's write are out before any weighing. Decision: "
        "We will not run a lock: each reservation is one UPDATE stock SET qty = qty - 1 WHERE item = $1 AND qty > 0, "
        "and an update that changes no row means sold out. Consequences: nothing new to run and no lease to tune (+); "
        "buyers of one hot item queue on its row, and a reservation of several steps needs SELECT … FOR UPDATE in one "
        "transaction (−); revisit if stock moves out of Postgres or a reservation spans several databases, where a "
        "lock service whose tokens the stores check (etcd) comes back."
    ),
)


# -- the exercise -----------------------------------------------------------------------------
#: The run the exercise counts writes in: 4 clients, a 300 ms lease, A paused for 305 ms. The
#: seed is one where the next holder reads the stock *before* A's late write lands, the case
#: write-only fencing lets through (``tests/test_tradeoffs.py`` checks that it does).
EXERCISE_RUN = {"n_clients": 4, "lease_ms": 300, "pause_ms": 305, "seed": 0}
#: The criterion whose flip point the exercise asks for, under the efficiency lock.
FLIP_CRITERION = "availability"


@lru_cache(maxsize=1)
def _exercise_writes() -> pd.DataFrame:
    return simulate_lease_lock(**EXERCISE_RUN).writes[["time_ms", "client", "token", "lease_expires_ms"]]


def exercise_write_log() -> pd.DataFrame:
    """The write log of ``EXERCISE_RUN``, as a storage server would record it (no verdicts).
    A fresh copy each call, so a learner's edits never reach the reference answers."""
    return _exercise_writes().copy()


@lru_cache(maxsize=1)
def _exercise_events() -> pd.DataFrame:
    return event_log(simulate_lease_lock(**EXERCISE_RUN))


def exercise_event_log() -> pd.DataFrame:
    """Reads and writes of ``EXERCISE_RUN`` in the order the store saw them: each reservation's
    read (when it took the lock) and its writes. A fresh copy each call."""
    return _exercise_events().copy()


def _stale_under(store: str) -> int:
    return stale_reservations(exercise_event_log(), store)


def _stale_writes_under(store: str) -> int:
    """A misconception's count: accepted writes on a stale read, not reservations."""
    return int(store_verdicts(exercise_event_log(), store)["stale_read"].sum())


@lru_cache(maxsize=1)
def _cached_scores() -> pd.DataFrame:
    return options_table()


def _scores() -> pd.DataFrame:
    """The reference scores (a copy: reference code must not share a frame with anyone)."""
    return _cached_scores().copy()


def _efficiency_allowed() -> pd.Series:
    """The options the efficiency lock allows (all but the database-only conditional write)."""
    return eligible(fencing_by_option(), "efficiency")


def _efficiency_flip() -> Flip:
    return flip_point(_scores(), TEAM_WEIGHTS, FLIP_CRITERION, _efficiency_allowed())


def _crossing_with(option: str, mean_scale: bool = False) -> float:
    """The weight change at which ``option`` would draw level with the winner, computed with
    totals (right) or with weighted *means* (a misconception: the mean's divisor moves too)."""
    scores, flip = _scores(), _efficiency_flip()
    values = weighted_scores(scores, TEAM_WEIGHTS) if mean_scale else weighted_totals(scores, TEAM_WEIGHTS)
    slope = scores.loc[option, FLIP_CRITERION] - scores.loc[flip.winner, FLIP_CRITERION]
    return float((values[flip.winner] - values[option]) / slope)


def _best_on_flip_criterion() -> str:
    """The option (other than the winner) that scores highest on the flip criterion."""
    scores, flip = _scores(), _efficiency_flip()
    column = scores[FLIP_CRITERION][_efficiency_allowed().reindex(scores.index).to_numpy(bool)].drop(flip.winner)
    return str(column.idxmax())


def _pair(answer: Any) -> tuple[int, int] | None:
    if isinstance(answer, Mapping):
        answer = tuple(answer.values())
    if not isinstance(answer, tuple | list) or len(answer) != 2:
        return None
    out = []
    for value in answer:
        if isinstance(value, bool | np.bool_):
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if not math.isfinite(number) or number != int(number):
            return None
        out.append(int(number))
    return out[0], out[1]


def _compare_counts(answer: Any, expected: tuple[int, int]) -> checks.Verdict:
    got = _pair(answer)
    if got is None:
        return checks.not_yet("Expected a pair of whole numbers: (corrupted without fencing, corrupted with fencing); "
                              f"got {checks.describe(answer)}.")
    if got == tuple(expected):
        return checks.OK
    if got[0] == expected[0]:
        return checks.not_yet("The count without fencing is right; the count with fencing is not.")
    if got[1] == expected[1]:
        return checks.not_yet("The count with fencing is right; the count without fencing is not.")
    return checks.not_yet(f"{got} is not what the write log gives.")


def _flip_answer(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                 allowed: pd.Series | None) -> float | None:
    return flip_point(scores, weights, criterion, allowed).change


def _flip_one_way(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                  allowed: pd.Series | None) -> float | None:
    """A misconception: only ever raise the weight."""
    flip = flip_point(scores, weights, criterion, allowed, low=weights_series(weights)[criterion])
    return flip.change


def _flip_no_constraint(scores: pd.DataFrame, weights: Mapping[str, float], criterion: str,
                        allowed: pd.Series | None) -> float | None:
    """A misconception: ignore the hard constraint."""
    return flip_point(scores, weights, criterion, None).change


#: Weight sets the stretch function is checked on (besides the team's): all equal, an SRE who
#: weighs safety first, and a performance-minded engineer.
CHECK_WEIGHTS: dict[str, dict[str, float]] = {
    "team": TEAM_WEIGHTS,
    "even": dict.fromkeys(CRITERIA, 3.0),
    "sre": {"safety": 5.0, "availability": 4.0, "latency": 1.0, "throughput": 1.0, "simplicity": 3.0,
            "familiarity": 1.0, "footprint": 1.0},
    "speed": {"safety": 1.0, "availability": 2.0, "latency": 5.0, "throughput": 4.0, "simplicity": 2.0,
              "familiarity": 1.0, "footprint": 0.5},
}


def _flip_cases() -> list[tuple[Any, ...]]:
    scores, fencing = _scores(), fencing_by_option()
    return [(scores, weights, criterion, eligible(fencing, case))
            for weights in CHECK_WEIGHTS.values() for case in USE_CASES for criterion in CRITERIA]


def _same_change(a: Any, b: Any) -> bool:
    blank_a = a is None or (isinstance(a, float) and math.isnan(a))
    blank_b = b is None or (isinstance(b, float) and math.isnan(b))
    if blank_a or blank_b:
        return blank_a and blank_b
    try:
        return math.isclose(float(a), float(b), abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def _compare_flip_function(answer: Any, expected: Any) -> checks.Verdict:
    """The learner's flip function against ``expected`` (a function) on every criterion, both
    use cases and four weight sets, within 1e-6 (``None`` or NaN both mean "never")."""
    if not callable(answer):
        return checks.not_yet(f"Expected a function; got {checks.describe(answer)}.")
    results = []
    for args in _flip_cases():
        try:
            got = answer(*args)
        except Exception as error:  # the learner's code: report, never raise
            return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for criterion {args[2]!r}.")
        results.append((args, got))
    if all(got is None or got is Ellipsis for _, got in results):
        return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
    for args, got in results:
        want = expected(*args)
        if not _same_change(got, want):
            case = "correctness" if not bool(args[3].all()) else "efficiency"
            return checks.not_yet(f"For criterion {args[2]!r} ({case} lock, weights {dict(args[1])}) your function "
                                  f"returns {got!r}; the reference gives {want!r}.")
    return checks.OK


def _is_nan(answer: Any) -> bool:
    try:
        return bool(np.ndim(answer) == 0 and np.isnan(float(answer)))
    except (TypeError, ValueError):
        return False


def _names(answer: Any) -> set[str] | None:
    """The option names in a list-like answer, or None for anything else."""
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__iter__"):
        return None
    try:
        names = list(answer)
    except TypeError:
        return None
    return set(names) if all(isinstance(name, str) for name in names) else None


TASKS = TaskSet(MODULE)

TASKS.add(Task(
    id="02.weighted-scores",
    title="Weighted scores in pandas",
    prompt="With the team's weights (`lesson.TEAM_WEIGHTS`), the weighted mean score of each option on the 1–5 "
           "scale: a Series option → score.",
    reference=lambda: weighted_scores(_scores(), TEAM_WEIGHTS),
    compare=checks.series(rel=1e-3, what="weighted score"),
    hints=[
        "If latency weighs 3 and throughput 1, how much more should a point of latency count — and what do "
        "you divide by so the result stays on the 1–5 scale?",
        "Pivot the long table to options × criteria, multiply each column by its weight (`wide * pd.Series(weights)`), "
        "sum across the row, then divide by the sum of the weights.",
    ],
    misconceptions=[
        Misconception(
            "took the plain mean of the scores",
            "That is every criterion weighing the same. Where do the team's weights come in?",
            lambda: _scores().mean(axis=1),
        ),
        Misconception(
            "kept the weighted sum",
            "Those are weighted sums, not on the 1–5 scale any more. What do you divide by so they are?",
            lambda: weighted_totals(_scores(), TEAM_WEIGHTS),
        ),
        Misconception(
            "divided by the number of criteria, not the sum of the weights",
            "You divided by 7, the number of criteria. A weighted mean divides by what instead?",
            lambda: weighted_totals(_scores(), TEAM_WEIGHTS) / len(CRITERIA),
        ),
    ],
))

TASKS.add(Task(
    id="02.correctness-shortlist",
    title="Apply the hard constraint",
    prompt="For the inventory-reservation (correctness) lock, the options still allowed, best first by the team's "
           "weighted score: a list of option names.",
    reference=lambda: list(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
                           .query("eligible").index),
    compare=checks.same_items(ordered=True, what="options"),
    hints=[
        "For a lock whose failure oversells stock, which property must an option have before its score matters at all?",
        "Keep the options whose `fencing_token` is True (a filter, before any weighing), then sort them by your "
        "weighted scores, highest first.",
    ],
    misconceptions=[
        Misconception(
            "ranked every option, ignoring the constraint",
            "Every option is still in your list. Which ones cannot give the resource a fencing token, and what does "
            "that mean for a lock that must never let two writers through?",
            lambda: list(weighted_scores(_scores(), TEAM_WEIGHTS).sort_values(ascending=False).index),
            # Every option, in any order: the efficiency lock's ranking, or all seven by score.
            matches=lambda answer: _names(answer) == set(_scores().index),
        ),
        Misconception(
            "kept the options without a fencing token",
            "Those are exactly the options that *cannot* produce a fencing token. Did the filter keep the wrong side?",
            lambda: list(weighted_scores(_scores(), TEAM_WEIGHTS)[~fencing_by_option()]
                         .sort_values(ascending=False).index),
        ),
        Misconception(
            "sorted worst first",
            "The right options, with the weakest first. Which end of a ranking does a reader look at?",
            lambda: list(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
                         .query("eligible").index[::-1]),
        ),
    ],
))

TASKS.add(Task(
    id="02.flip-point",
    title="The flip point",
    prompt=f"Under the efficiency lock with the team's weights, by how much must the weight of `{FLIP_CRITERION}` "
           "rise before another option draws level with the winner? A number: the change in weight (not the new weight).",
    reference=lambda: _efficiency_flip().change,
    compare=checks.number(rel=1e-3, abs=1e-6, unit="weight units"),
    hints=[
        f"Each option's *total* (Σ weight × score) is a straight line in the {FLIP_CRITERION} weight. What is each "
        "line's slope, and where does a line that is steeper than the winner's catch up with it?",
        "For each other option o: gap = total(winner) − total(o); slope = score(o) − score(winner) on that criterion. "
        "Where slope > 0 the crossing is gap / slope. The flip is the smallest such crossing, and the weight must "
        "stay within 0–5.",
    ],
    misconceptions=[
        Misconception(
            "gave the weight at the flip, not the change",
            "That is the weight at which the decision flips. The task asks how far it must *move* from where it is.",
            lambda: _efficiency_flip().at,
        ),
        Misconception(
            "used the gap between weighted means",
            "You divided the gap between weighted *means* by the score difference. When one weight moves, what "
            "happens to the sum of the weights the mean divides by? Work with totals instead.",
            lambda: _crossing_with(_efficiency_flip().challenger, mean_scale=True),
        ),
        Misconception(
            "assumed the option best on that criterion catches up first",
            "That is where the option that scores *highest* on the criterion catches up. Does the steepest line "
            "always cross first, or does its starting gap matter too?",
            lambda: _crossing_with(_best_on_flip_criterion()),
        ),
        Misconception(
            "found no crossing (the conditional write left in, or the slope reversed)",
            "In your computation no option catches up, and the smallest of no crossings is NaN. Which options "
            "are in the race for the cache rebuild: did the conditional write (`database_only`) stay in? And is "
            "each slope the other option's score minus the winner's?",
            lambda: math.nan,
            matches=lambda answer: _is_nan(answer),
        ),
    ],
))

def _correctness_allowed() -> pd.Series:
    return eligible(fencing_by_option(), "correctness")


def _correctness_winner_index() -> int:
    return list(_scores().index).index(ranking(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness").index[0])


def _holds(allowed: pd.Series | None, clip: bool = True) -> float:
    """Share of draws the correctness winner wins, with or without the constraint or the clip."""
    winners = draw_winners(_scores(), TEAM_WEIGHTS, allowed, clip=clip)
    return float(np.mean(winners == _correctness_winner_index()))


def _as_share(answer: Any) -> float | None:
    """A percentage answer (1 < it ≤ 100) as the share it stands for, else None."""
    try:
        value = float(answer)
    except (TypeError, ValueError):
        return None
    return value / 100 if 1 < value <= 100 else None


def _holds_down_only() -> float:
    """A misconception: ``rng.integers(-1, 1)`` (the upper end is exclusive) moves every score by −1 or 0."""
    scores = _scores()
    weights = weights_series(TEAM_WEIGHTS, list(scores.columns)).to_numpy(float)
    noise = np.random.default_rng(MC_SEED).integers(-1, 1, size=(MC_DRAWS, *scores.shape))
    totals = np.clip(scores.to_numpy(float)[None] + noise, 1, 5) @ weights
    totals[:, ~_correctness_allowed().reindex(scores.index).to_numpy(bool)] = -np.inf
    return float(np.mean(np.argmax(totals, axis=1) == _correctness_winner_index()))


def _holds_with_weights_moved() -> float:
    """A misconception: move the *weights* by ±1 (kept ≥ 0) instead of the scores."""
    scores = _scores()
    weights = weights_series(TEAM_WEIGHTS, list(scores.columns)).to_numpy(float)
    moved = np.clip(weights[None, :] + np.random.RandomState(MC_SEED).randint(-1, 2, size=(MC_DRAWS, len(weights))),
                    0, None)
    totals = moved @ scores.to_numpy(float).T
    totals[:, ~_correctness_allowed().reindex(scores.index).to_numpy(bool)] = -np.inf
    return float(np.mean(np.argmax(totals, axis=1) == _correctness_winner_index()))


TASKS.add(Task(
    id="02.winner-holds",
    title="How often does the winner hold?",
    prompt="The scores are judgments. Under the correctness lock with the team's weights, move every score by −1, 0 "
           f"or +1 at random (each equally likely, all at once, kept on the 1–5 scale), {MC_DRAWS:,} times. In what "
           "share of the draws does the winner at the written scores still come first? A number from 0 to 1 "
           "(any seed: the check allows for the draw's noise).",
    reference=lambda: winner_holds(_scores(), TEAM_WEIGHTS, _correctness_allowed()),
    compare=checks.number(rel=0.0, abs=0.03, unit="share of draws"),
    hints=[
        "If a colleague moved any score by a point, would the reservation's winner still win? What would you "
        "repeat many times to say *how often*, and which options may not win at all?",
        "`rng = np.random.default_rng(0)`; `noise = rng.integers(-1, 2, size=(4000, *wide.shape))`; add it to the "
        "score table, `np.clip(..., 1, 5)`, multiply by the weights (`@ w`), set the excluded options' totals to "
        "`-np.inf`, take `argmax` per draw, and compare with the winner's row.",
    ],
    misconceptions=[
        Misconception(
            "ignored the hard constraint in the draws",
            "Your draws let options without a fencing token win. Can a lock that cannot refuse a stale write win "
            "the reservation, however its scores move?",
            lambda: _holds(None),
        ),
        Misconception(
            "did not keep the scores on the 1–5 scale",
            "A 5 moved up becomes a 6 in your draws. Can an option score better than the best on the scale? Clip the "
            "moved scores to 1–5.",
            lambda: _holds(_correctness_allowed(), clip=False),
        ),
        Misconception(
            "moved the weights instead of the scores",
            "That is how robust the winner is to the *weights*, which the flip points already told you. Which "
            "numbers in the table are the judgments the task asks about?",
            _holds_with_weights_moved,
        ),
        Misconception(
            "gave the runner-up's share",
            "That is how often the winner *loses*. The task asks how often it holds.",
            lambda: 1.0 - winner_holds(_scores(), TEAM_WEIGHTS, _correctness_allowed()),
        ),
        Misconception(
            "gave a percentage, not a share",
            "Is that out of 1 or out of 100? The task asks for a share of the draws, a number from 0 to 1.",
            lambda: 100 * winner_holds(_scores(), TEAM_WEIGHTS, _correctness_allowed()),
            matches=lambda answer: _as_share(answer) is not None and checks.number(rel=0.0, abs=0.03)(
                _as_share(answer), winner_holds(_scores(), TEAM_WEIGHTS, _correctness_allowed())).status == checks.PASS,
        ),
        Misconception(
            "moved the scores by −1 or 0 only",
            "Your draws never move a score *up*. `rng.integers(-1, 1)` draws −1 or 0: is its upper end "
            "included? Which call draws −1, 0 or +1?",
            _holds_down_only,
        ),
    ],
))

TASKS.add(Task(
    id="02.stale-writes",
    title="Corrupted writes, with and without fencing",
    prompt="In the write log `lesson.exercise_write_log()`, how many writes corrupt the resource without fencing "
           "tokens, and how many with them? A pair of counts: (without, with).",
    reference=lambda: (corrupted_writes(exercise_write_log(), False), corrupted_writes(exercise_write_log(), True)),
    compare=_compare_counts,
    hints=[
        "A write corrupts the resource when it lands *after* work done under a newer lock. Which column tells you "
        "how new a writer's lock is, and what must you compare each write's value with?",
        "Sort by time. Without fencing, count writes whose token is lower than the highest token written before "
        "them (`token < token.cummax().shift()`). With fencing the store drops exactly those: of the writes it "
        "keeps, how many are out of order?",
    ],
    misconceptions=[
        Misconception(
            "counted the writes fencing rejects as corrupted",
            "With fencing, the stale writes are *rejected*: they never reach the resource. Can a write that never "
            "landed corrupt it?",
            lambda: (corrupted_writes(exercise_write_log(), False), corrupted_writes(exercise_write_log(), False)),
            matches=lambda a: _pair(a) == (corrupted_writes(exercise_write_log(), False),) * 2,
        ),
        Misconception(
            "counted every write made after the writer's lease expired",
            "You counted writes after the writer's lease expired. If nobody else has written yet, what has a late "
            "write overwritten?",
            lambda: (int((exercise_write_log().eval("time_ms > lease_expires_ms")).sum()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int(exercise_write_log().eval("time_ms > lease_expires_ms").sum()),
        ),
        Misconception(
            "counted reservations, not writes",
            "You counted the jobs (tokens) that wrote out of order. The task counts *writes*: how many of that "
            "job's writes landed after a newer token's?",
            lambda: (int(exercise_write_log().pipe(lambda f: f.loc[f["token"] < f["token"].cummax().shift(),
                                                                    "token"]).nunique()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int(exercise_write_log().pipe(lambda f: f.loc[f["token"] < f["token"].cummax().shift(),
                                                                      "token"]).nunique()),
        ),
        Misconception(
            "counted every write by the paused client",
            "That is every write client A made, including its later, perfectly good jobs. Which of its writes came "
            "after a newer token's?",
            lambda: (int((exercise_write_log()["client"] == "A").sum()), 0),
            matches=lambda a: (p := _pair(a)) is not None
            and p[0] == int((exercise_write_log()["client"] == "A").sum()),
        ),
    ],
))


TASKS.add(Task(
    id="02.stale-read",
    title="Read-modify-write: what write-only fencing lets through",
    prompt="A reservation reads the stock when it takes the lock, then writes. In `lesson.exercise_event_log()` "
           "(reads and writes, in the order the store saw them), the store checks fencing tokens on **writes only**: "
           "it rejects a write whose token is lower than the highest it has accepted. How many reservations does it "
           "still let sell stock on a stale read, i.e. accept a write of theirs after another reservation's "
           "accepted write landed between their read and that write? A count.",
    reference=lambda: _stale_under("fence-writes"),
    compare=checks.integer(),
    hints=[
        "Fencing compares tokens; a reservation's write also depends on what it *read*. Which reservation took the "
        "lock while A was paused, and did A's late write land before or after that reservation read the stock?",
        "Walk the log in order, keeping the highest accepted write token. A write is accepted if its token is at "
        "least that. For each accepted write, ask: did another token's accepted write land after this token's "
        "read? Count the distinct tokens for which the answer is yes.",
    ],
    misconceptions=[
        Misconception(
            "checked only that accepted writes arrive in token order",
            "Every write the store accepted did arrive in token order, so nothing looks corrupted. But what stock did "
            "the next holder *read*, and had A's write landed yet?",
            lambda: corrupted_writes(exercise_write_log(), True),
        ),
        Misconception(
            "counted with no fencing at all",
            "That is the count when the store accepts every write. With write-only fencing, which of A's late "
            "writes does the store reject, and which does it still accept?",
            lambda: _stale_under("none"),
        ),
        Misconception(
            "counted writes, not reservations",
            "You counted every accepted write made on a stale read. One reservation makes several writes but sells "
            "one unit: how many *reservations* (tokens) are they?",
            lambda: _stale_writes_under("fence-writes"),
        ),
    ],
))


def _sample_adr() -> str:
    """A model ADR for the reservation lock: rendered, then edited as a person would."""
    text = render_adr(_scores(), TEAM_WEIGHTS, fencing_by_option(), "correctness")
    failover = ("- Negative: a Postgres failover aborts the reservations in flight; the workers must retry them, and "
                "a retry must not reserve twice (the reservation's id makes the retry safe).\n")
    return text.replace("\nProposed\n", "\nAccepted\n").replace("- Neutral:", failover + "- Neutral:", 1)


def _adr_without_commitment() -> str:
    head, _, tail = _sample_adr().partition("## Decision")
    decision, _, rest = tail.partition("## Consequences")
    return head + "## Decision" + _COMMITS.sub("We could", decision) + "## Consequences" + rest


def _adr_only_upsides() -> str:
    text = _sample_adr()
    head, _, tail = text.partition("## Consequences")
    positives = [line for line in tail.splitlines() if line.startswith("- Positive")]
    return head + "## Consequences\n\n" + "\n".join(positives) + "\n"


def _adr_bad_status() -> str:
    return _sample_adr().replace("\nAccepted\n", "\nDone\n")


def _section(text: Any, name: str) -> str:
    return adr_sections(text).get(name, "") if isinstance(text, str) else ""


TASKS.add(Task(
    id="02.adr",
    title="An ADR in Nygard's format",
    prompt="The ADR for the inventory-reservation lock, as Markdown text: a title, then Status, Context, Decision "
           "and Consequences sections. The structure is checked; the reasoning is yours to assess with the rubric.",
    reference=lambda: "an ADR with every part",
    compare=_text_check(adr_problems, ADR_LIMITS),
    sample_answer=_sample_adr,
    hints=[
        "Six months from now someone asks why the team did not pick etcd. Which section of your ADR answers them, "
        "and does it say what you gave up as well as what you gained?",
        "Start from `lesson.render_adr(...)` or the explorer's ADR and edit it: the Status is one of proposed, "
        "accepted, deprecated, superseded; the Decision starts 'We will'; the Consequences include a 'Negative:' line.",
    ],
    misconceptions=[
        Misconception(
            "wrote the decision as an option, not a commitment",
            "Your Decision describes what the team *could* do. An ADR records what it *will* do: how does Nygard's "
            "Decision section start?",
            _adr_without_commitment,
            matches=lambda a: bool(_section(a, "decision")) and not commits(_section(a, "decision")),
        ),
        Misconception(
            "listed only the upsides",
            "Every consequence you list is good news. What does the team give up with this choice, and who will "
            "feel it first?",
            _adr_only_upsides,
            matches=lambda a: bool(_section(a, "consequences")) and not has_downside(_section(a, "consequences")),
        ),
        Misconception(
            "used a status Nygard's format does not have",
            "A reader scans the Status to know whether the decision still holds. Which four words does Nygard's "
            "format allow there?",
            _adr_bad_status,
            matches=lambda a: isinstance(a, str) and "status" in adr_sections(a)
            and not re.search(r"\b(" + "|".join(ADR_STATUSES) + r")\b", _section(a, "status"), re.I),
        ),
    ],
))

#: A note with jargon a head of product would have to look up (the misconception's example).
_NOTE_JARGON = (
    "We need to stop two checkout workers selling the last unit of an item twice. Redis, which we already run, is "
    "cheap, but its locks have no fencing tokens and a failover can cause split-brain, so we risk overselling. "
    "Postgres gives us a fencing counter in the same transaction and costs about two weeks of one engineer. "
    "I recommend Postgres, and I would revisit it if reservations outgrow that database."
)
#: A note that lays out both options and never says which one to pick.
_NOTE_NO_RECOMMENDATION = (
    "We need to stop two checkout workers selling the last unit of an item twice. The Redis we already run for "
    "caching is fast and costs nothing new, but if it restarts at the wrong moment two workers can both think they "
    "won, and we oversell: a customer gets a cancellation email instead of a parcel. The Postgres database that "
    "holds inventory can make the second sale fail safely; it costs about two weeks of one engineer. Both are "
    "reasonable and the team is happy with either."
)
#: A note with the risk and a recommendation but no word of what it costs.
_NOTE_NO_COST = (
    "We need to stop two checkout workers selling the last unit of an item twice. The Redis we already run for "
    "caching is fast, but if it restarts at the wrong moment two workers can both think they won, and we oversell: "
    "a customer gets a cancellation email instead of a parcel. The Postgres database that holds inventory can make "
    "the second sale fail safely instead. I recommend Postgres for this, and Redis for the jobs where a duplicate "
    "only wastes a little computing."
)

TASKS.add(Task(
    id="02.stakeholder-note",
    title="Explain it to the head of product",
    prompt="A note of 40–250 words for Cartwheel's head of product: both options, the risk, the cost, and your "
           "recommendation, in words they use. The structure is checked; assess the reasoning with the rubric.",
    reference=lambda: "a note with every part",
    compare=_text_check(stakeholder_problems, STAKEHOLDER_LIMITS),
    sample_answer=lambda: STAKEHOLDER_RUBRIC.senior_level,
    hints=[
        "What does the head of product lose sleep over: a lock, or a customer who paid for an item that is not "
        "there? Which words in your note would they have to ask you about?",
        "Name both options in plain words (the Redis we run, the Postgres database), say what goes wrong for "
        "customers, what each costs in time or people, and finish with 'I recommend …'.",
    ],
    misconceptions=[
        Misconception(
            "used jargon the stakeholder would have to look up",
            "Would your head of product know what those words mean? Say what the mechanism *does* for customers "
            "instead of what it is called.",
            lambda: _NOTE_JARGON,
            matches=lambda a: isinstance(a, str) and bool(jargon_in(a)),
        ),
        Misconception(
            "laid out the options without recommending one",
            "You described both options well, then handed the decision back. What would you do, and why?",
            lambda: _NOTE_NO_RECOMMENDATION,
            matches=lambda a: isinstance(a, str) and not recommends(a),
        ),
        Misconception(
            "named the risk but not the cost",
            "The note says what could go wrong, but not what the safer option costs. What will the stakeholder "
            "be asked to give up: weeks, people, money?",
            lambda: _NOTE_NO_COST,
            matches=lambda a: isinstance(a, str) and not names_cost(a),
        ),
    ],
))

TASKS.add(Task(
    id="02.flip-function",
    title="Stretch: the flip point as a function",
    prompt="Write `flip(scores, weights, criterion, allowed)` that returns the signed change of one weight at which "
           "another allowed option draws level with the winner (the smallest |change| keeping the weight within "
           "0–5), or None when no change within the range does. It is checked on every criterion, both use cases "
           "and four weight sets.",
    reference=lambda: _flip_answer,
    compare=_compare_flip_function,
    hints=[
        "Moving one weight by δ moves every option's total along a straight line. Which options can catch the "
        "winner if the weight goes *up*, and which if it goes *down*?",
        "For every allowed option o ≠ winner: gap = T(winner) − T(o), slope = s(o, c) − s(winner, c); if slope ≠ 0 "
        "the crossing is δ = gap / slope (negative when slope < 0). Keep the δ with the smallest |δ| whose "
        "weight + δ stays in [0, 5]; a gap of 0 means δ = 0.",
    ],
    misconceptions=[
        Misconception(
            "searched upwards only",
            "Your function only ever raises the weight. A decision can also flip when a weight is *lowered*: which "
            "options gain on the winner then?",
            lambda: _flip_one_way,
        ),
        Misconception(
            "ignored the hard constraint",
            "Your function lets excluded options draw level. Can an option that has no fencing token win the "
            "correctness lock at any weight?",
            lambda: _flip_no_constraint,
        ),
    ],
    stretch=True,
))

