"""Module 11 (the seniority paradox) · the linters, rubrics and tasks (``TASKS``)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from steward import cartwheel, checks
from steward.lessons.seniority.model import (
    CAPSTONE_KEYS,
    HOUR_COST,
    MODULE,
    MULT_HIGH,
    MULT_LOW,
    REVIEW,
    REVIEW_DELAY_DAYS,
    SLO_MS,
    SMALL_SYSTEM_MULTIPLIER,
    STRETCH_MULTIPLIER,
    CapstoneFacts,
    _first_upper,
    _ms,
    break_even_multiplier,
    break_even_probability,
    call_hit_share,
    call_p99_at_ttl,
    capstone_facts,
    capstone_inputs,
    delay_hours_per_day,
    expected_net_hours,
    format_input,
    max_review_hours,
    model_design_doc,
    reference_revenue_range,
    savings_range,
)

# re-exported for the lesson: the self-assessment radar again, beside module 00's
from steward.lessons.start_here import SHIFTS as SHIFTS
from steward.lessons.start_here import SelfAssessment as SelfAssessment
from steward.lessons.start_here import draw_radar as draw_radar
from steward.tasks import ComposedRubric, Misconception, Task, TaskSet


# -- 2. the design-doc linter -----------------------------------------------------------------
@dataclass(frozen=True)
class Finding:
    """One thing a design doc lacks: which check, what is missing, a question that fixes it."""

    check: str
    missing: str
    question: str

    def __str__(self) -> str:
        return f"[{self.check}] missing {self.missing}. Ask: {self.question}"


@dataclass(frozen=True)
class Section:
    level: int
    title: str  # lower-cased, stripped
    body: str  # everything up to the next heading of the same or a higher level


_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_HEADING_EMPTY = re.compile(r"^ {0,3}(#{1,6})[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_BULLET = re.compile(r"^ {0,3}([-*+]|\d+[.)])[ \t]+\S")


def _lines_outside_code(text: str) -> list[tuple[str, bool]]:
    """Each line with a flag: is it inside a fenced code block (where '#' is a comment)?"""
    out, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append((line, True))
        else:
            out.append((line, fenced))
    return out


def _heading(line: str) -> tuple[int, str] | None:
    match = _HEADING.match(line)
    if match:
        return len(match.group(1)), " ".join(match.group(2).lower().split())
    match = _HEADING_EMPTY.match(line)
    if match:
        return len(match.group(1)), ""
    return None


def headings(markdown: str) -> list[str]:
    """Every Markdown heading's text, in order: a line starting with 1–6 '#' and a space
    (up to three spaces of indent), lower-cased, spaces collapsed, trailing '#'s dropped.
    Lines inside ``` or ~~~ fences are code, not headings."""
    if not isinstance(markdown, str):
        return []
    found = []
    for line, in_code in _lines_outside_code(markdown):
        if not in_code and (parsed := _heading(line)) is not None:
            found.append(parsed[1])
    return found


def sections(markdown: str) -> list[Section]:
    """The doc split at its headings; each body includes its subsections."""
    lines = _lines_outside_code(markdown)
    marks = [(i, parsed) for i, (line, code) in enumerate(lines) if not code and (parsed := _heading(line)) is not None]
    out = []
    for k, (start, (level, title)) in enumerate(marks):
        end = next((i for i, (lv, _) in marks[k + 1:] if lv <= level), len(lines))
        out.append(Section(level, title, "\n".join(line for line, _ in lines[start + 1:end])))
    return out


def _find(secs: list[Section], pattern: str, exclude: str | None = None) -> list[Section]:
    rx = re.compile(pattern)
    ex = re.compile(exclude) if exclude else None
    return [s for s in secs if rx.search(s.title) and not (ex and ex.search(s.title))]


def _has_text(body: str) -> bool:
    return any(line.strip() and not _heading(line) for line in body.splitlines())


#: A section with no claim: a placeholder, a pointer elsewhere, one stray character.
_HOLLOW = re.compile(r"^\W*(tbd|tbc|todo|n/?a|none( expected| foreseen| known| yet| planned)?|nothing( yet)?|\w|-+|\?+|"
                     r"to be (decided|determined|written|done|defined)|see (above|below|the [\w -]{0,30})|later|"
                     r"coming soon|same as (above|before))\W*$", re.I)
#: A context that opens with a claim of need instead of the situation ("We need this.").
_FILLER = re.compile(r"^\W*(we need (this|it)|this is (needed|important|required|necessary)|"
                     r"it is (needed|important|required|necessary))\W*$", re.I)
#: Non-goals said as a sentence ("We are not building …", "This design does not …").
_NOT_DOING = re.compile(r"\b(we are not|we're not|we will not|we won't|we do not plan to|"
                        r"this (doc|design|work|project|change) (does not|doesn't|will not|won't))\s+(\w+\W+){3,}", re.I)
_NUMBER_WORD = (r"\b(one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|fifty|hundred|thousand|half|"
                r"a third|a quarter)\b")
#: A metric's frame: a window it is measured over, or a baseline it is compared with.
_WINDOW = re.compile(r"\b(over|per|each|every|within|in|for) (a |the |one )?(\w+ )?(seconds?|minutes?|hours?|days?|"
                     r"weeks?|months?|quarters?|years?)\b|\b(daily|weekly|monthly|hourly|a day|a week|a month|a year)\b", re.I)
_BASELINE = re.compile(r"\b(today|currently|baseline|compared (with|to)|vs\.?|versus|before|as it is|now|from \S+.{0,30}"
                       r"\bto\b)", re.I)
_ROLLBACK = re.compile(r"roll[- ]?back|revert|kill[- ]?switch|turn (?:it|the flag|the feature) off|switch (?:it )?off|"
                       r"disable the (?:flag|feature)|(?:flip|switch|turn|set) (?:it|the flag|the feature|the switch)"
                       r"(?: \w+)? (?:back|off)", re.I)
_ALTERNATIVES = r"alternative|\boptions?\b|rejected|considered|other (approaches|designs|ideas)"
_NOT_ALTERNATIVES = r"roll[- ]?out|launch"
_REASON = re.compile(r"[:—–(]| - |\b(because|but|since|too|would|could|costs?|adds?|loses?|rejected|instead)\b", re.I)

#: What the linter cannot judge, said with its report (issue #15).
DESIGN_DOC_LIMITS = ("The linter reads structure and hollow sections only; it cannot judge whether the design is "
                     "right, the alternatives fair or the numbers true (that is the review's job).")


def _prose(body: str) -> str:
    """A section's words without its headings and code blocks."""
    return "\n".join(line for line, code in _lines_outside_code(body) if not code and _heading(line) is None).strip()


def _substantive(body: str, min_words: int = 4) -> bool:
    """Whether a section says something: not a placeholder ("TBD", "N/A", "None expected", "x"), and at
    least ``min_words`` words."""
    prose = _prose(body)
    return not _HOLLOW.match(prose) and len(prose.split()) >= min_words


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]{4,}", text.lower())


def _real_non_goal(item: str, doc: str) -> bool:
    """A non-goal a reviewer could hold the doc to: not a placeholder ("none"), and either a phrase of three
    words or more, or about something the doc discusses (a word it shares with the rest of the doc)."""
    item = item.strip()
    if not re.search(r"\w", item) or _HOLLOW.match(item):
        return False
    if len(item.split()) >= 3:
        return True
    everywhere = _words(doc)
    return any(everywhere.count(w) > _words(item).count(w) for w in set(_words(item)))


def _non_goals(text: str, secs: list[Section]) -> bool:
    """A non-goals heading with content, a 'Non-goals:' (or 'Out of scope:') label followed by content, or
    a sentence saying what the work will not do; content that is a placeholder or off the doc's subject
    ("world peace") does not count."""
    only_non_goals = [s for s in _find(secs, r"non[- ]?(goals?|objectives?)|out of scope|not (doing|in scope)")
                      if not re.search(r"goal|objective", re.sub(r"non[- ]?(goals?|objectives?)", "", s.title))]
    if any(_real_non_goal(_prose(s.body), text) for s in only_non_goals):
        return True
    lines = [line for line, code in _lines_outside_code(text) if not code]
    label = re.compile(r"^\s*(?:[-*+]\s*)?(?:\*\*|__)?\s*(?:non[- ]?goals?|non[- ]?objectives?|out of scope)\s*"
                       r"(?:\*\*|__)?\s*:?\s*(?:\*\*|__)?\s*(.*)$", re.I)
    for i, line in enumerate(lines):
        match = label.match(line)
        if not match:
            continue
        if re.search(r"\w", match.group(1)):
            if _real_non_goal(match.group(1), text):
                return True
            continue
        for after in lines[i + 1:]:
            if not after.strip():
                continue
            if _heading(after) or re.match(r"^\s*(?:\*\*|__)?[^:]{1,40}(?:\*\*|__)?\s*:\s*$", after):
                break
            if _real_non_goal(re.sub(r"^\s*([-*+]|\d+[.)])\s*", "", after), text):
                return True
    return bool(_NOT_DOING.search(_prose(text)))


def _goals(secs: list[Section]) -> bool:
    """A goals section that states something (five words or more before any non-goals)."""
    for sec in _find(secs, r"(?<!non-)(?<!non )(?<!non)\b(goals?|objectives?)\b"):
        prose = _prose(sec.body)
        prose = re.split(r"(?im)^\s*(?:[-*+]\s*)?(?:\*\*|__)?\s*(?:non[- ]?goals?|non[- ]?objectives?|out of scope)\b"
                         r"|\b(?:we are not|we're not|we will not|we won't)\b", prose)[0]
        prose = re.sub(r"(?im)^\s*(?:\*\*|__)?\s*(goals?|objectives?)\s*(?:\*\*|__)?\s*:", "", prose)
        if _substantive(prose, 5):
            return True
    return False


def _context(secs: list[Section]) -> bool:
    """A context that states the situation: eight words or more, not a placeholder, not opening with a bare
    claim of need ("We need this.")."""
    for sec in _find(secs, r"context|scope|background|overview|problem"):
        prose = _prose(sec.body)
        first = re.split(r"(?<=[.!?])\s+", prose, maxsplit=1)[0]
        if _substantive(prose, 8) and not _FILLER.match(first):
            return True
    return False


def _design(secs: list[Section]) -> bool:
    """A design section that says something (eight words or more); a heading inside the alternatives
    ("Coordinating …: this design needs no lock") is an alternative, not the design."""
    inside = {x.title for alt in _find(secs, _ALTERNATIVES, _NOT_ALTERNATIVES) for x in sections(alt.body)}
    return any(_substantive(s.body, 8) for s in _find(
        secs, r"design|proposal|architecture|approach|solution|how it works", r"\bdocs?\b|alternative|review|other ")
        if s.title not in inside)


def _metrics(secs: list[Section]) -> bool:
    """A metric with a number and its frame: a window ("over 30 days", "daily") or a baseline ("12 ms today")."""
    for sec in _find(secs, r"metric|measur|success|\bslos?\b|\bslis?\b"):
        for part in re.split(r"\n\s*(?:[-*+]|\d+[.)])\s+|(?<=[.;])\s+", _prose(sec.body)):
            has_number = re.search(r"\d", part) or re.search(_NUMBER_WORD, part, re.I)
            if has_number and (_WINDOW.search(part) or _BASELINE.search(part)):
                return True
    return False


def _rollback(plain: str) -> bool:
    """A way back, said with content: "Rollback: TBD" is a label over nothing."""
    for line in plain.splitlines():
        if not _ROLLBACK.search(line):
            continue
        rest = re.sub(r"^\W*(rollback|roll back)( plan)?\W*:\s*", "", line.strip(), flags=re.I)
        if rest != line.strip() and (_HOLLOW.match(rest) or len(rest.split()) < 3):
            continue
        return True
    return False


def _alternatives(secs: list[Section], reasoned: bool = False) -> int:
    """How many alternatives the doc considers: its subsections, or else its top-level list items. With
    ``reasoned``, only those that say something about the option (a reason, or six words or more):
    "- Option A" is a name, not an alternative considered."""
    best = 0
    for sec in _find(secs, _ALTERNATIVES, _NOT_ALTERNATIVES):
        subs_all = sections(sec.body)
        top = min((x.level for x in subs_all), default=0)
        subs = [x.title + " " + _prose(x.body) for x in subs_all if x.level == top]
        items: list[str] = []
        for line, code in _lines_outside_code(sec.body):
            if code or _heading(line) is not None:
                continue
            if _BULLET.match(line):
                items.append(line)
            elif items and line.startswith((" ", "\t")) and line.strip():
                items[-1] += " " + line.strip()
        if reasoned:
            def says(x: str) -> bool:
                x = re.sub(r"^ {0,3}([-*+]|\d+[.)])\s+", "", x)
                return len(x.split()) >= 6 or (len(x.split()) >= 3 and bool(_REASON.search(x)))

            subs, items = [x for x in subs if says(x)], [x for x in items if says(x)]
        best = max(best, len(subs), len(items))
    return best


#: The linter's checks in order: id, what a reviewer would miss, the question that fixes it.
CHECKS = (
    ("context", "a context and scope section", "What is the situation today, and which part of the system does this change?"),
    ("goals", "a goals section", "What must be true when this is done, in numbers you could check?"),
    ("non-goals", "non-goals with at least one item",
     "Which plausible goal are you deliberately *not* pursuing (so no one reviews the doc against it)?"),
    ("design", "the design itself", "What are the components, the calls between them and the data they keep?"),
    ("alternatives", "at least two alternatives considered", "What else could solve this, and why is it worse here?"),
    ("cross-cutting", "cross-cutting concerns (security, privacy, observability)",
     "Who can call this, what data does it expose, and how will you see it misbehave?"),
    ("failure-modes", "failure modes", "How does this fail at 3 AM on a holiday weekend, and what does the user see then?"),
    ("metrics", "metrics with numbers", "Which number, measured how and over what window, tells you it worked?"),
    ("rollout", "a rollout plan", "Who gets it first, how much traffic, and what do you watch before widening?"),
    ("rollback", "a way to roll back", "If the numbers go wrong, how do you turn it off, and how fast?"),
)


def lint_design_doc(text: Any) -> list[Finding]:
    """Everything the design doc lacks, as findings with a question each (empty: it passes).

    A pure function over any text: it never raises. The sections follow Ubl's "Design Docs
    at Google" (context and scope, goals and non-goals, the design, alternatives considered,
    cross-cutting concerns), plus what a review here asks for: failure modes, metrics with
    numbers, and rollout with rollback. It checks structure, not judgment."""
    if text is None or text is Ellipsis:
        return [Finding("text", "the doc (nothing written yet)", "Which section can you write first: the context and scope?")]
    if not isinstance(text, str):
        return [Finding("text", "the doc itself (expected Markdown text as one string)",
                        f"Did you pass the doc? Got {checks.describe(text)}.")]
    secs = sections(text)
    # the words of the doc without its headings: a "Rollout and rollback" heading is not a rollback plan
    plain = "\n".join(line for line, code in _lines_outside_code(text) if code or _heading(line) is None)
    present = {
        "context": _context(secs),
        "goals": _goals(secs),
        "non-goals": _non_goals(text, secs),
        "design": _design(secs),
        "alternatives": _alternatives(secs, reasoned=True) >= 2,
        "cross-cutting": any(_substantive(s.body) for s in _find(secs, r"cross[- ]?cutting|security|privacy|observability")),
        "failure-modes": any(_substantive(s.body) for s in _find(
            secs, r"fail|degrad|what (can|could|might|will) (go wrong|break)|\brisks?\b|when things (break|go wrong)")),
        "metrics": _metrics(secs),
        "rollout": any(_substantive(s.body) for s in _find(secs, r"roll[- ]?out|launch|deploy|release|migration")),
        "rollback": _rollback(plain),
    }
    return [Finding(check, missing, question) for check, missing, question in CHECKS if not present[check]]


def lint_report(text: Any) -> str:
    """The findings as a short text a reviewer would write."""
    if text is None or text is Ellipsis or (isinstance(text, str) and not text.strip()):
        return "Nothing written yet. Which section can you write first: the context and scope?\n" + DESIGN_DOC_LIMITS
    findings = lint_design_doc(text)
    if not findings:
        return "The linter finds nothing missing. " + DESIGN_DOC_LIMITS
    return f"{things_missing(len(findings))}:\n" + "\n".join(f"- {f}" for f in findings) + "\n" + DESIGN_DOC_LIMITS


def things_missing(count: int) -> str:
    """"1 thing missing", "3 things missing" (never "thing(s)")."""
    return f"{count} thing{'' if count == 1 else 's'} missing"


# -- the capstone's check: your numbers, true claims, the options weighed -----------------------
def _spelled(text: str, spellings: set[str], after: str = "") -> bool:
    return any(re.search(rf"(?<![\d.,]){re.escape(s)}(?![\d]){after}", text) for s in spellings if s)


def _number_spellings(value: float, formats: tuple[str, ...] = (".0f", "g", ".1f", ".2f")) -> set[str]:
    return {format(value, spec) for spec in formats} | {format(value, "," + spec) for spec in formats if spec != "g"}


def _quotes(key: str, value: Any, text: str) -> bool:
    """Does the doc quote this input (in any of the usual spellings)?"""
    kind = CAPSTONE_KEYS[key][2]
    if kind == "ms":
        return _spelled(text, _number_spellings(float(value)), r"\s*ms")
    if kind == "seconds":
        if float(value) == 0:
            return bool(re.search(r"(?i)\bno cache\b|\bwithout (?:a|the|any) cache\b|\bTTL (?:of )?0 ?s\b", text))
        return _spelled(text, _number_spellings(float(value)), r"\s*(?:s|sec|seconds?)\b")
    if kind == "fraction":
        return _spelled(text, _number_spellings(100 * float(value), (".2f", ".3f", ".4f", "g")), r"\s*%")
    if kind == "range":
        def one(x: float) -> bool:
            shapes = {cartwheel.money(x).lstrip("-" + cartwheel.CURRENCY_SYMBOL), f"{x:,.0f}", f"{x:.0f}",
                      f"{x / 1e3:,.0f}k", f"{x / 1e3:.1f}k", f"{x / 1e6:.2f}M", f"{x / 1e6:.1f}M"}
            return _spelled(text, shapes)
        return all(one(float(x)) for x in value)
    if kind == "text":
        if key == "02.choice":  # stated as the choice, not only weighed among the alternatives
            for section in _find(sections(text), r"alternative"):
                text = text.replace(section.body, "")
        return " ".join(str(value).lower().split()) in " ".join(text.lower().split())
    return True


#: The inputs the doc must quote (yours where kept, else the reference values).
QUOTED_KEYS = ("02.choice", "03.availability", "04.p99_ms", "07.revenue_range", "09.ttl_s")

_CLAIM_WORD = re.compile(r"(?i)\b(inside|within|meets?|meeting|keeps?|stays?|under|outside|breach\w*|exceed\w*|"
                         r"miss(?:es)?|violat\w*|past|over|above|below)\b")
_SLO_WORD = re.compile(r"(?i)\b(SLOs?|objective)\b")


def _claims(sentence: str) -> list[str]:
    """The claim word nearest before each mention of an SLO (within 45 characters): 'stays
    outside the SLO' claims *outside*."""
    found = []
    for mention in _SLO_WORD.finditer(sentence):
        words = _CLAIM_WORD.findall(sentence[max(0, mention.start() - 45):mention.start()])
        if words:
            found.append(words[-1].lower())
    return found
_INSIDE = {"latency": {"inside", "within", "meet", "meets", "meeting", "keep", "keeps", "stay", "stays", "under", "below"},
           "availability": {"inside", "within", "meet", "meets", "meeting", "keep", "keeps", "stay", "stays", "above"}}
_OTHER_PERCENTILE = re.compile(r"(?i)\b(p(?:50|75|90|95|999)|p99\.9|median|mean|average)\b")
_P99 = re.compile(r"(?i)\bp99\b[^\d;\n]{0,40}?(\d+(?:[.,]\d+)?)\s*ms\b")
_TTL_IN = re.compile(r"(?i)(\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)\s*TTL|\bTTL (?:of )?(\d+(?:\.\d+)?)\s*(?:s|sec|seconds?)\b")
_DEPENDENCY = re.compile(r"(?i)inventor|dependenc|redis|downstream|budget|timeout")
_NO_CACHE = re.compile(r"(?i)\bno cache\b|\bwithout (?:a|the|any) cache\b|\buncached\b")


def _claim_sentences(text: str) -> list[str]:
    plain = "\n".join(line for line, code in _lines_outside_code(text) if not code)
    return [s.strip() for s in re.split(r"(?<=[.;!?])\s+|\n(?=\s*(?:[-*+]|#|\d+[.)])\s)|\n\n", plain) if s.strip()]


def _ttls_in(sentence: str, facts: CapstoneFacts) -> list[float]:
    found = [float(a or b) for a, b in _TTL_IN.findall(sentence)]
    if _NO_CACHE.search(sentence):
        found.append(0.0)
    return found or [facts.ttl_s]


def _close(value: float, candidates: list[float]) -> bool:
    return any(abs(value - c) <= max(0.5, 0.02 * c) for c in candidates)


def slo_claim_problems(text: str, facts: CapstoneFacts) -> list[str]:
    """Each sentence that says the call is inside or outside an SLO, or quotes a p99, checked
    against the canon's SLI on the data. Empty: every claim is true."""
    problems = []
    for sentence in _claim_sentences(text):
        ttls = _ttls_in(sentence, facts)
        # a dependency's own p99 ("inventory's p99 is 45 ms") is not a claim about the call
        p99s_of_the_call = [float(m.group(1).replace(",", "")) for m in _P99.finditer(sentence)
                            if not _DEPENDENCY.search(sentence[max(0, m.start() - 30):m.end()])]
        candidates = [facts.p99_today_ms, cartwheel.call_p99_ms(), facts.p99_no_cache_ms, facts.p99_today_ttl_ms,
                      *(call_p99_at_ttl(t) for t in ttls)]
        for value in p99s_of_the_call:
            if value != SLO_MS and not _close(value, candidates):
                problems.append(f"'{_short(sentence)}' quotes a p99 of {value:g} ms; the request log gives "
                                f"{_ms(call_p99_at_ttl(ttls[0]))} at {'no cache' if ttls[0] == 0 else f'a {ttls[0]:g} s TTL'}, "
                                f"and your p99 is {facts.p99_today}")
        for word in _claims(sentence):
            kind = "availability" if re.search(r"(?i)availab", sentence) else "latency"
            if kind == "latency" and _OTHER_PERCENTILE.search(sentence):
                problems.append(f"'{_short(sentence)}' judges the latency SLO on a "
                                f"{_OTHER_PERCENTILE.search(sentence).group(1)}; the SLO is on the "
                                f"{cartwheel.LATENCY.percentile_label} of calls")
                break
            says_inside = word in _INSIDE[kind]
            if kind == "availability":
                truth, what = facts.availability_ok, f"your availability is {facts.availability_text}"
            else:
                values = [v for v in p99s_of_the_call if v != SLO_MS]
                truth = all(cartwheel.LATENCY.met_by(v) for v in values) if values else \
                    all(cartwheel.LATENCY.met_by(call_p99_at_ttl(t)) for t in ttls)
                what = (f"the p99 it quotes is {', '.join(f'{v:g} ms' for v in values)}" if values else
                        f"the call's p99 on the request log is {_ms(call_p99_at_ttl(ttls[0]))}")
            if says_inside != truth:
                problems.append(f"'{_short(sentence)}' says {'inside' if says_inside else 'outside'} the SLO, "
                                f"but {what} ({'inside' if truth else 'outside'})")
                break
    return problems


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_capstone(answer: Any, expected: Any = None) -> checks.Verdict:
    """The capstone passes when the linter finds nothing, it is long enough to carry the
    reasoning, it quotes *your* numbers (kept results; the reference values only where you
    kept none), every claim about the SLO is true on the data, and its alternatives weigh the
    options module 02 ranked."""
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your design doc as one Markdown string; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The doc is empty.")
    findings = lint_design_doc(answer)
    if findings:
        return checks.not_yet(f"The linter finds {things_missing(len(findings))}: {', '.join(f.check for f in findings)}. "
                              "Run lesson.lint_report(doc) for the questions. " + DESIGN_DOC_LIMITS)
    words = len(answer.split())
    if words < 250:
        return checks.not_yet(f"{words} words is too short to carry a design and its trade-offs; aim for at least 250.")
    inputs = capstone_inputs(quiet=True)
    missing = [f"{inputs[k]['what']} ({format_input(k, inputs[k]['value'])}"
               f"{', yours' if inputs[k]['source'] == 'yours' else ', the reference: you kept none'})"
               for k in QUOTED_KEYS if not _quotes(k, inputs[k]["value"], answer)]
    if missing:
        return checks.not_yet(f"Quote your own numbers: the doc does not mention {'; '.join(missing)}.")
    facts = capstone_facts(inputs)
    problems = slo_claim_problems(answer, facts)
    if problems:
        return checks.not_yet("A claim about the SLO is not what the data says: " + problems[0] + ".")
    alternatives = "\n".join(s.body for s in _find(sections(answer), r"alternative")).lower()
    unweighed = [o for o in facts.ranked if " ".join(o.lower().split()) not in " ".join(alternatives.split())]
    if unweighed:
        return checks.not_yet(f"Your alternatives do not weigh {', '.join(unweighed)}, which module 02 ranked for the "
                              f"correctness lock. Why does each lose to {facts.choice} here?")
    return checks.OK


# -- ADRs -------------------------------------------------------------------------------------
ADR_STATUSES = ("proposed", "accepted", "deprecated", "superseded")


def _adr_part(pattern: str):
    return lambda text: bool(re.search(pattern, text, re.I | re.M))


ADR_PARTS = {
    "a title (a first-line heading)": lambda text: bool(re.match(r"\s*#{1,6}\s+\S", text)),
    "a Status of proposed, accepted, deprecated or superseded": _adr_part(
        r"^\W*status\W*:?\W*\s*(?:\n\s*)?\W*(" + "|".join(ADR_STATUSES) + r")\b"),
    "a Context section": _adr_part(r"^\W*context\b"),
    "a Decision section": _adr_part(r"^\W*decision\b"),
    "a decision in the active voice ('We will …')": _adr_part(r"\bwe(?: will|['’]ll)\b"),  # "We'll" commits too
    "a Consequences section": _adr_part(r"^\W*consequences\b"),
}


def model_adr(inputs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The model ADR for the capstone's cache decision, from your TTL: every figure computed."""
    f = capstone_facts(inputs)
    inv = cartwheel.INVENTORY
    if f.cached:
        title = f"Cache stock levels in {cartwheel.CACHE_STORE} for recommendations"
        decision = (f"We will cache stock levels in {cartwheel.CACHE_STORE} with a {f.ttl} TTL, and call the inventory "
                    f"service on a miss with a {inv.latency_budget_ms:.0f} ms timeout behind a circuit breaker.")
        positive = (f"{f.latency_claim()}, and inventory serves {1 / f.read_factor:.0%} of the reads it would serve "
                    f"without a cache.")
        negative = (f"up to {f.ttl} of staleness; a second caching pattern beside the platform's, which we must "
                    f"explain.")
        neutral = f"{cartwheel.CACHE_STORE} memory grows by the size of the stock table."
    else:
        title = "Check stock with the inventory service on every call, without a cache"
        decision = (f"We will call the inventory service on every recommendation call, with a "
                    f"{inv.latency_budget_ms:.0f} ms timeout behind a circuit breaker, and cache nothing.")
        positive = "every answer is fresh, and there is no cache to run, size or invalidate."
        negative = (f"inventory serves every call's read, {1 / (1 - call_hit_share(cartwheel.CACHE_TTL_TODAY_S)):.1f}× "
                    f"what it serves behind today's {cartwheel.CACHE_TTL_TODAY_S} s cache; its owner must agree.")
        neutral = f"the {cartwheel.CACHE_STORE} stock cache can be retired."
    return f"""# ADR 7: {title}

Status: accepted

## Context
Recommendations show sold-out items. The latency SLO: {cartwheel.LATENCY.statement()}. {_first_upper(f.no_cache_claim())}.

## Decision
{decision}

## Consequences
Positive: {positive}
Negative: {negative}
Neutral: {neutral}
"""


def capstone_senior_example(inputs: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The rubric's senior-level example, composed from the inputs like the model doc."""
    f = capstone_facts(inputs)
    if f.cached:
        body = (f"We rejected a synchronous call on every request: {f.no_cache_claim()}, and inventory would serve "
                f"{f.read_factor:.1f}× our reads. {f.latency_claim()}; if inventory is slow the breaker opens and we "
                f"serve cached levels. Reservation, and with it module 02's {f.choice}, is a separate decision "
                f"(module 02 ranked {', '.join(f.ranked)}); cache writes are versioned and take no lock.")
    else:
        body = (f"We need no cache: {f.no_cache_claim()}. We rejected today's {cartwheel.CACHE_TTL_TODAY_S} s "
                f"{cartwheel.CACHE_STORE} cache: it spares inventory reads at the cost of staleness. {f.choice} stays "
                f"with reservation, out of scope (module 02 ranked {', '.join(f.ranked)}).")
    return (f"Non-goals: exact counts on the product page; reserving stock. {body} A nightly batch is a day stale in a "
            f"sale. 1% → 10% → 100% behind a flag, watching p99 and freshness; the flag turns it off in under a minute.")


# -- tasks --------------------------------------------------------------------------------------
#: A weak first draft of the capstone's doc: the linter's exercise.
DRAFT_DOC = """# Real-time inventory checks

## Context
Recommendations show sold-out items. We will fix that by checking stock.

## Goals and non-goals
Goals: show only items in stock; keep it fast.

Non-goals:

## Design
The engine calls the inventory service for each recommended item before returning.

```python
# Alternatives: we could also cache
stock = inventory.get(item_id)
```

## Alternatives considered
- Cache stock levels in Redis.

## Metrics
Latency should stay good and customers should be happier.
"""

TASKS = TaskSet(MODULE)
R = REVIEW


def _net(m: float, **changes: float) -> float:
    return expected_net_hours(**{**R, **changes}, multiplier=m)


TASKS.add(Task(
    id="11.expected-savings",
    title="What one review saves, net",
    prompt=f"A number, in hours: the expected hours the review saves, net of its own cost, if a late flaw costs "
           f"{STRETCH_MULTIPLIER:g}× (REVIEW holds the other parameters).",
    reference=lambda: _net(STRETCH_MULTIPLIER),
    compare=checks.number(rel=1e-6, unit="hours"),
    hints=[
        "The review saves something only if three things happen: what are they, and what does it cost even when none do?",
        "p_flaw × catch_share × (multiplier − 1) × fix_hours, minus review_hours.",
    ],
    misconceptions=[
        Misconception("forgot the review's own cost", "That is the gross saving. The review costs its hours whether it finds "
                      "anything or not: where are they?", lambda: _net(STRETCH_MULTIPLIER) + R["review_hours"]),
        Misconception("used m instead of m − 1", "A flaw caught early still costs fix_hours to fix. What does catching it "
                      "early *save*: m × F, or the difference?", lambda: _net(STRETCH_MULTIPLIER) + R["p_flaw"] * R["catch_share"] * R["fix_hours"]),
        Misconception("assumed the review catches every flaw", "That assumes the review catches every flaw. What share does it "
                      "catch?", lambda: _net(STRETCH_MULTIPLIER, catch_share=1.0)),
        Misconception("assumed there is always a flaw", "That assumes the design always has a flaw. How likely is it?",
                      lambda: _net(STRETCH_MULTIPLIER, p_flaw=1.0)),
        Misconception("subtracted the saving from the cost", "Your sign is flipped: you took the saving from the review's "
                      "cost. The task asks what the review *saves*, net: positive when it pays for itself. Which term "
                      "comes first?", lambda: -_net(STRETCH_MULTIPLIER)),
        Misconception("used the folklore 100×", "That is the saving at 100×. Which multiplier does the task give "
                      "(lesson.STRETCH_MULTIPLIER)?", lambda: _net(MULT_HIGH)),
    ],
))

TASKS.add(Task(
    id="11.break-even",
    title="The break-even multiplier",
    prompt="A number: the late-cost multiplier at which the review exactly pays for itself, in closed form, with REVIEW's parameters.",
    reference=lambda: break_even_multiplier(**R),
    compare=checks.number(rel=1e-6),
    hints=[
        "Set the expected net saving to zero. Which variable do you solve for?",
        "0 = p·q·(m − 1)·F − H, so m = 1 + H / (p·q·F).",
    ],
    misconceptions=[
        Misconception("dropped the + 1", "Close: that is m − 1. A multiplier of 1 means late costs the same as early: what does "
                      "the review save then?", lambda: break_even_multiplier(**R) - 1),
        Misconception("forgot the probability of a flaw", "That assumes there is always a flaw to find. Where does p_flaw go?",
                      lambda: 1 + R["review_hours"] / (R["catch_share"] * R["fix_hours"])),
        Misconception("forgot the catch share", "That assumes the review catches every flaw. Where does catch_share go?",
                      lambda: 1 + R["review_hours"] / (R["p_flaw"] * R["fix_hours"])),
    ],
))

TASKS.add(Task(
    id="11.savings-range",
    title="An honest answer is a range",
    prompt=f"A Series with index ['low', 'high']: the expected net hours at MULT_LOW = {MULT_LOW:g}× and MULT_HIGH = "
           f"{MULT_HIGH:g}×, the two ends of the contested range.",
    reference=lambda: savings_range(**R, low=MULT_LOW, high=MULT_HIGH),
    compare=checks.series(rel=1e-6, what="net hours"),
    hints=[
        "If the sources disagree about the multiplier, what is the honest way to report the saving?",
        "Evaluate the same net-savings formula at MULT_LOW and at MULT_HIGH; put them in pd.Series({'low': …, 'high': …}).",
    ],
    misconceptions=[
        Misconception("gross savings, no review cost", "Both ends leave out the review's own hours. At 1× the review saves "
                      "nothing: what does it cost?", lambda: savings_range(**R) + R["review_hours"]),
        Misconception("used the folklore 100× for both ends", "Both ends use 100×. The low end is the sceptical reading: what "
                      "does Menzies et al. (2017) suggest?", lambda: savings_range(**R, low=MULT_HIGH, high=MULT_HIGH)),
        Misconception("gave the two numbers without their labels", "Which of your two numbers is the low end and which "
                      "the high? A list carries no labels; a Series (or a dict) keyed 'low' and 'high' does.",
                      lambda: list(savings_range(**R, low=MULT_LOW, high=MULT_HIGH)),
                      matches=lambda answer: _unlabelled_range(answer)),
    ],
))


def _unlabelled_range(answer: Any) -> bool:
    """A list, tuple or array of the two ends (in either order), with no labels."""
    if isinstance(answer, str | Mapping) or not isinstance(answer, list | tuple | np.ndarray):
        return False
    try:
        values = sorted(float(x) for x in answer)
    except (TypeError, ValueError):
        return False
    want = sorted(savings_range(**R, low=MULT_LOW, high=MULT_HIGH).to_numpy(float))
    return len(values) == 2 and all(math.isclose(v, x, rel_tol=1e-3, abs_tol=1e-9) for v, x in zip(values, want, strict=True))


def _max_review(m: float, **changes: float) -> float:
    return max_review_hours(**{**R, **changes}, multiplier=m)


TASKS.add(Task(
    id="11.small-system",
    title="Cartwheel's case: a small, non-critical system",
    prompt=f"A number, in person-hours: the most a review may cost and still pay for itself if late flaws cost "
           f"SMALL_SYSTEM_MULTIPLIER = {SMALL_SYSTEM_MULTIPLIER:g}× (Boehm & Basili's figure for small, noncritical "
           f"systems), with REVIEW's probability, catch share and fix cost.",
    reference=lambda: _max_review(SMALL_SYSTEM_MULTIPLIER),
    compare=checks.number(rel=1e-6, unit="person-hours"),
    hints=[
        "Set the net saving to zero again, but this time the multiplier is known. Which variable is left to solve for?",
        "0 = p·q·(m − 1)·F − H, so H = p·q·(m − 1)·F at m = SMALL_SYSTEM_MULTIPLIER.",
    ],
    misconceptions=[
        Misconception("used the folklore 100×", "That is the review budget at 100×. Which multiplier do Boehm and Basili "
                      "give for a small, non-critical system like a recommendation carousel?",
                      lambda: _max_review(MULT_HIGH)),
        Misconception("used m instead of m − 1", "A flaw caught early still costs F to fix. What does catching it *save*?",
                      lambda: R["p_flaw"] * R["catch_share"] * SMALL_SYSTEM_MULTIPLIER * R["fix_hours"]),
        Misconception("assumed there is always a flaw", "That assumes the design always has a flaw. How likely is it?",
                      lambda: _max_review(SMALL_SYSTEM_MULTIPLIER, p_flaw=1.0)),
        Misconception("gave the planned review's net saving", f"That is what the planned review saves, net, at "
                      f"{SMALL_SYSTEM_MULTIPLIER:g}×. The task asks the most a review may *cost* and still break even: which variable is the unknown now?",
                      lambda: _net(SMALL_SYSTEM_MULTIPLIER)),
        Misconception("used task 1's multiplier", "That is the budget at task 1's multiplier (`m`). Which multiplier do Boehm "
                      "and Basili give for a small, non-critical system (`m5`)?", lambda: _max_review(STRETCH_MULTIPLIER)),
    ],
))


def _delay_break_even(per_day: float | None = None) -> float:
    per_day = delay_hours_per_day() if per_day is None else per_day
    return break_even_multiplier(**R, delay_hours=REVIEW_DELAY_DAYS * per_day)


TASKS.add(Task(
    id="11.cost-of-delay",
    title="The review's calendar: cost of delay",
    prompt=f"A number: the break-even multiplier when the launch waits REVIEW_DELAY_DAYS = {REVIEW_DELAY_DAYS:g} days for "
           f"the review. A day of delay costs lesson.delay_hours_per_day() engineer-hours (the low end of module 07's "
           f"revenue range ÷ 30 days ÷ HOUR_COST). Then compare it with SMALL_SYSTEM_MULTIPLIER.",
    reference=_delay_break_even,
    compare=checks.number(rel=1e-6),
    hints=[
        "What does the review cost besides the hours in the room, if the launch waits for it?",
        "m* = 1 + (H + D) / (p·q·F), with D = REVIEW_DELAY_DAYS × lesson.delay_hours_per_day().",
    ],
    misconceptions=[
        Misconception("ignored the delay", "That is the break-even of the review's hours alone. The launch waits "
                      f"{REVIEW_DELAY_DAYS:g} days for it: what does Cartwheel lose in those days?",
                      lambda: break_even_multiplier(**R)),
        Misconception("one day, not the whole wait", "That counts one day of delay. How many days does the launch wait?",
                      lambda: _delay_break_even(delay_hours_per_day() / REVIEW_DELAY_DAYS)),
        Misconception("used the high end of the revenue range", "That uses the optimistic end of module 07's range. Which "
                      "end is the cautious one to put against a review?",
                      lambda: _delay_break_even(delay_hours_per_day(max(reference_revenue_range())))),
        Misconception("added money to hours", "The delay went in as money, not hours: the break-even is enormous. What "
                      "does HOUR_COST turn a day's revenue into?",
                      lambda: _delay_break_even(delay_hours_per_day() * HOUR_COST)),
        Misconception("counted the delay but not the review's hours", "The review still costs its hours in the room. The "
                      "launch's wait comes on top: what is the review's whole cost?",
                      lambda: 1 + REVIEW_DELAY_DAYS * delay_hours_per_day() / (R["p_flaw"] * R["catch_share"] * R["fix_hours"])),
        Misconception("dropped the + 1", "Close: that is m − 1. A multiplier of 1 means late costs the same as early: what does "
                      "the review save then?", lambda: _delay_break_even() - 1),
    ],
))


def _headings_levels_two(markdown: str) -> list[str]:
    return [p[1] for line, code in _lines_outside_code(markdown) if not code and (p := _heading(line)) and p[0] == 2]


def _headings_ignoring_fences(markdown: str) -> list[str]:
    return [p[1] for line in markdown.splitlines() if (p := _heading(line)) is not None]


def _headings_case_kept(markdown: str) -> list[str]:
    out = []
    for line, code in _lines_outside_code(markdown):
        match = _HEADING.match(line)
        if not code and match:
            out.append(" ".join(match.group(2).split()))
    return out


def _headings_trailing_kept(markdown: str) -> list[str]:
    out = []
    for line, code in _lines_outside_code(markdown):
        match = re.match(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*$", line)
        if not code and match:
            out.append(" ".join(match.group(2).lower().split()))
    return out


def _heading_cases() -> list[tuple[str]]:
    return [
        ("# Title\n\n## Context\ntext\n## Goals\n",),
        (DRAFT_DOC,),
        ("## Design ##\n```\n# not a heading\n```\n### Alternatives Considered\n",),
        ("no headings here\n#hashtag\n   # Indented Three\n",),
        ("",),
        (model_design_doc(),),
    ]


TASKS.add(Task(
    id="11.headings",
    title="Read a doc's headings",
    prompt="Write `headings(markdown) -> list[str]`: every heading's text in order. A heading is a line that starts "
           "(after at most three spaces) with 1–6 '#' and a space; return its text lower-cased, spaces collapsed, any "
           "trailing '#'s removed. Lines inside ``` fences are code, not headings.",
    reference=lambda: headings,
    compare=checks.function_on(_heading_cases, what="the doc"),
    hints=[
        "In the draft doc, a line inside the code block starts with '#'. Is it a heading?",
        "Walk the lines; flip an in_code flag on each line that starts with ```; otherwise match r'^ {0,3}(#{1,6})[ \\t]+(.*?)[ \\t]*#*[ \\t]*$'.",
    ],
    misconceptions=[
        Misconception("counted comments in code blocks", "Your function reads '# comment' lines inside a ``` block as headings. "
                      "How do you know you are inside a code block?", lambda: _headings_ignoring_fences),
        Misconception("only level-2 headings", "Only '## ' headings: the title and the '###' subsections are missing. How many "
                      "'#' can a heading have?", lambda: _headings_levels_two),
        Misconception("kept the trailing #s", "A heading may close with #s ('## Design ##'); they are not part of its text. "
                      "Where do you strip them?", lambda: _headings_trailing_kept),
        Misconception("kept the case", "Close: the text keeps its capitals. The task asks for lower case, so 'Context' and "
                      "'context' compare equal.", lambda: _headings_case_kept),
    ],
))


def _draft_findings() -> list[str]:
    return [f.check for f in lint_design_doc(DRAFT_DOC)]


TASKS.add(Task(
    id="11.draft-findings",
    title="What the first draft lacks",
    prompt="A list of check ids (from lesson.CHECKS) that DRAFT_DOC fails. Read the draft and predict first; then run "
           "the linter and compare.",
    reference=_draft_findings,
    compare=checks.same_items(ordered=False, what="checks"),
    hints=[
        "The draft has a 'Non-goals:' line and an 'Alternatives' heading. Does having the heading mean the check passes?",
        "[f.check for f in lesson.lint_design_doc(DRAFT_DOC)] gives the linter's view; compare it with your prediction.",
    ],
    misconceptions=[
        Misconception("only the missing headings", "You listed only the sections with no heading. Which checks look at what is "
                      "*under* a heading (non-goals, alternatives, metrics)?",
                      lambda: [c for c in _draft_findings() if c not in {"non-goals", "alternatives", "metrics", "rollback"}]),
        Misconception("trusted the code comment", "The alternatives section has one item; the other 'alternative' is a comment "
                      "inside a code block. Does that count?", lambda: [c for c in _draft_findings() if c != "alternatives"]),
        Misconception("listed every check", "That is every check the linter has. The draft has a context, goals, a design "
                      "and metrics headings: which of those sections pass?", lambda: [c for c, _, _ in CHECKS]),
        Misconception("passed the findings, not their ids", "Those are the linter's findings, each a whole sentence with a "
                      "question. The task asks for the check ids: which attribute of a finding holds it?",
                      lambda: lint_design_doc(DRAFT_DOC),
                      matches=lambda answer: isinstance(answer, list | tuple) and bool(answer)
                      and all(isinstance(x, Finding) for x in answer)),
    ],
))


def _adr_without(pattern: str, replacement: str) -> str:
    return re.sub(pattern, replacement, model_adr(capstone_inputs(quiet=True)), flags=re.I | re.M)


def _adr_misses(part: str):
    def matches(answer: Any) -> bool:
        if not isinstance(answer, str):
            return False
        missing = [name for name, present in ADR_PARTS.items() if not present(answer)]
        return missing == [part]

    return matches


TASKS.add(Task(
    id="11.adr",
    title="Record the decision as an ADR",
    prompt="A Markdown string: an ADR in Nygard's format for one decision in your design (title; Status: proposed, "
           "accepted, deprecated or superseded; Context; Decision, starting 'We will'; Consequences: positive, negative, neutral).",
    reference=lambda: "structure",
    compare=checks.structured_text(ADR_PARTS, min_words=80),
    hints=[
        "Could someone who joins next year tell from your ADR what you decided, why, and what it cost?",
        "Headings: # ADR N: title; Status: accepted; ## Context; ## Decision (start with 'We will'); ## Consequences.",
    ],
    misconceptions=[
        Misconception("decision not in the active voice", "The decision does not say 'We will …'. Nygard writes decisions as "
                      "'We will …' so they read as a commitment: what exactly are you committing to?",
                      lambda: _adr_without(r"^We will", "Our plan is to"), matches=_adr_misses("a decision in the active voice ('We will …')")),
        Misconception("status not one of the four", "The status is not one of proposed, accepted, deprecated or superseded. "
                      "Which is it?", lambda: _adr_without(r"^Status: accepted", "Status: done"),
                      matches=_adr_misses("a Status of proposed, accepted, deprecated or superseded")),
    ],
    sample_answer=lambda: model_adr(capstone_inputs(quiet=True)),
))


def _doc_without(pattern: str, replacement: str = "") -> str:
    return re.sub(pattern, replacement, model_design_doc(capstone_inputs(quiet=True)), flags=re.S)


def _has_finding(check: str):
    return lambda answer: isinstance(answer, str) and check in {f.check for f in lint_design_doc(answer)}


def _one_alternative() -> str:
    doc = model_design_doc(capstone_inputs(quiet=True))
    start = doc.index("## Alternatives considered\n")
    end = doc.index("\n## ", start + 1)
    first = next(line for line in doc[start:end].splitlines() if line.startswith("- "))
    return doc[:start] + "## Alternatives considered\n" + first + "\n" + doc[end:]


def _with_sentence(sentence: str) -> str:
    doc = model_design_doc(capstone_inputs(quiet=True))
    return doc.replace("\n## Cross-cutting concerns", f"\n{sentence}\n\n## Cross-cutting concerns")


def _slo_problem(words: str):
    def matches(answer: Any) -> bool:
        return isinstance(answer, str) and any(words in p for p in slo_claim_problems(answer, capstone_facts()))
    return matches


def _without_options() -> str:
    doc = model_design_doc(capstone_inputs(quiet=True))
    start = doc.index("### Coordinating the reservation")
    end = doc.index("\n## ", start)
    return doc[:start] + doc[end + 1:]


def _unweighed(answer: Any) -> bool:
    if not isinstance(answer, str):
        return False
    alternatives = " ".join("\n".join(s.body for s in _find(sections(answer), r"alternative")).lower().split())
    return any(" ".join(o.lower().split()) not in alternatives for o in capstone_facts().ranked)


TASKS.add(Task(
    id="11.capstone",
    title="Capstone: the design doc",
    prompt="A Markdown string: your design doc for real-time inventory checks. It passes when the linter finds nothing, "
           "it has at least 250 words, it quotes your own results (module 02's choice, 03's availability, 04's p99, 07's "
           "revenue range, 09's TTL; the reference values only for what you did not keep), every sentence that puts the "
           "call inside or outside an SLO is true on the request log (the p99, as the canon's SLI), and the alternatives "
           "weigh every option module 02 ranked.",
    reference=lambda: "design doc",
    compare=check_capstone,
    hints=[
        "Which plausible goals will a reviewer assume you are pursuing, unless you say you are not?",
        "Start from lesson.design_doc_skeleton(inputs); run lesson.lint_report(doc) after each section and answer its "
        "questions. lesson.capstone_facts(inputs) holds your numbers and the p99 the request log gives at your TTL.",
    ],
    misconceptions=[
        Misconception("no non-goals", "The doc has no non-goals. Which plausible goal (exact counts on the product page? "
                      "reserving stock?) are you deliberately not pursuing?",
                      lambda: _doc_without(r"Non-goals:.*?(?=\n## )"), matches=_has_finding("non-goals")),
        Misconception("only one alternative", "One alternative is a strawman. What else could solve this, and why is it worse "
                      "*here*?", _one_alternative, matches=_has_finding("alternatives")),
        Misconception("no way back", "There is a rollout but no way back. If p99 jumps at 10% of traffic, what do you do in "
                      "the next minute?", lambda: _doc_without(r"Rollback:[^\n]*"), matches=_has_finding("rollback")),
        Misconception("judged the SLO on a p95", "The sentence puts the call inside the SLO on its p95. Which percentile "
                      "does Cartwheel's latency SLO bound, and what does the request log give for it?",
                      lambda: _with_sentence("The call's p95 stays inside the SLO with the cache."),
                      matches=_slo_problem("judges the latency SLO")),
        Misconception("an SLO claim the data does not give", "A sentence puts a p99 inside the SLO that the request log "
                      "does not give. What does lesson.call_p99_at_ttl(ttl) say for the TTL in that sentence?",
                      lambda: _with_sentence(f"With a 30 s TTL the call's p99 is {SLO_MS + 52:.0f} ms, inside the SLO."),
                      matches=_slo_problem("quotes a p99")),
        Misconception("weighed the designs but not module 02's options", "The alternatives weigh ways to learn stock "
                      "levels, but not the coordination options module 02 ranked. Why does each lose to your choice *here*?",
                      _without_options, matches=_unweighed),
    ],
    sample_answer=lambda: model_design_doc(capstone_inputs(quiet=True)),
))

TASKS.add(Task(
    id="11.break-even-probability",
    title="How likely must a flaw be? (stretch)",
    prompt=f"A number between 0 and 1: the probability of a flaw above which the review pays off, if late flaws cost "
           f"{STRETCH_MULTIPLIER:g}× (REVIEW's other parameters).",
    reference=lambda: break_even_probability(R["review_hours"], R["catch_share"], R["fix_hours"], STRETCH_MULTIPLIER),
    compare=checks.number(rel=1e-6),
    hints=[
        "This time the multiplier is fixed. Which variable do you solve the break-even equation for?",
        "0 = p·q·(m − 1)·F − H, so p = H / (q·(m − 1)·F).",
    ],
    misconceptions=[
        Misconception("used m instead of m − 1", "A flaw caught early still costs F to fix. What does catching it save?",
                      lambda: R["review_hours"] / (R["catch_share"] * STRETCH_MULTIPLIER * R["fix_hours"])),
        Misconception("forgot the catch share", "That assumes the review catches every flaw. Where does catch_share go?",
                      lambda: R["review_hours"] / ((STRETCH_MULTIPLIER - 1) * R["fix_hours"])),
        Misconception("gave a percentage, not a probability", "Is that out of 1 or out of 100? The task asks for a "
                      "probability, a number from 0 to 1.",
                      lambda: 100 * break_even_probability(R["review_hours"], R["catch_share"], R["fix_hours"], STRETCH_MULTIPLIER)),
    ],
    stretch=True,
))


# -- review checklist and rubric -----------------------------------------------------------------
REVIEW_CHECKLIST = (
    "Can I say in one sentence what changes for a customer, and what does not (the non-goals)?",
    f"Is every goal a number with a window ({cartwheel.LATENCY.percentile_label} ≤ {SLO_MS:.0f} ms over "
    f"{cartwheel.LATENCY.window_days} days), not an adjective?",
    "Are the alternatives real: would a reasonable engineer have picked one of them?",
    "For the top failure mode: what does the user see, who is paged, and how does the system recover?",
    "Does the latency budget add up: today's p99 plus the new call (or cache read) stays inside the SLO?",
    "Is there a way back that takes minutes, and a signal that says when to use it?",
    "Has everyone in the 'manage closely' quadrant seen this before the code exists?",
    "What would make us undo this decision in a year (and is that in an ADR)?",
)

CAPSTONE_RUBRIC = ComposedRubric(
    id="11.capstone-review",
    title="Capstone design doc: a peer or mentor review",
    criteria=(
        "The non-goals name plausible goals a reviewer might have assumed",
        "The alternatives are real options, each rejected for a reason specific to Cartwheel",
        "The numbers come from your own work (failure mode, p99, availability, TTL, revenue) and add up",
        "Failure modes say what the customer sees and how the system degrades, not just that it 'handles errors'",
        "Rollout has stages and a signal to stop; rollback takes minutes",
    ),
    mid_level="We'll add an inventory check to the recommendation call. Alternatives: none needed, this is the obvious "
              "approach. We'll monitor latency and roll back if there are problems.",
    senior_level="(composed from your inputs when shown: see capstone_senior_example)",
    compose=capstone_senior_example,
)
