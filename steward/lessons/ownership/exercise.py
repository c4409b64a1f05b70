"""Module 08 (own the un-owned) · the linters, rubrics and tasks (``TASKS``)."""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from steward import cartwheel, checks
from steward.datagen import load
from steward.lessons.ownership.model import (
    MAX_INCIDENTS_PER_SHIFT,
    MODULE,
    SHIFT_HOURS,
    SHIFT_START_HOUR,
    WEEKS_IN_QUARTER,
    after_hours_noise_per_week,
    first_time,
    incidents_per_shift,
    minutes_between,
    noisy_alerts,
    non_actionable_pct,
    pages_per_alert,
    projected_reduction_pct,
    removed_mask,
    shift_start,
    shifts_over_limit,
    smallest_top_for_actionable_majority,
    time_to_detect,
    time_to_mitigate,
)
from steward.tasks import Misconception, Rubric, Task, TaskSet

# -- the blame linter ------------------------------------------------------------------------------
#: The people in INC-0611's log. Names are facts in a timeline; as the *cause* they are blame.
TEAM = ("Marco", "Dana", "Priya", "Aiko", "Sam", "Tomás")
MAX_FINDINGS = 1000


@dataclass(frozen=True)
class Finding:
    """One blameful phrase: where it is, why it is blameful, and a systemic rewording to try."""

    line: int
    phrase: str
    rule: str
    reason: str
    suggestion: str

    def __str__(self) -> str:
        return f"line {self.line}: '{self.phrase}' — {self.reason} Try: {self.suggestion}"


@dataclass(frozen=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    reason: str
    suggestion: str


RULES: tuple[_Rule, ...] = (
    _Rule("human-error", re.compile(r"\b(?:human|operator|user|engineer|pilot|individual)\s+(?:errors?|mistakes?|slips?|failures?)\b", re.I),
          "'Human error' ends the analysis at a person, where it should start.",
          "Name the condition that made the error possible and the check that would have caught it."),
    _Rule("forgot", re.compile(r"\b(?:forgot|forgets|forgotten|forgetting|neglected)\b", re.I),
          "It names a lapse of memory as the cause; memory is not a control.",
          "Say what made the step easy to miss, e.g. 'the runbook did not include the step'."),
    _Rule("hindsight", re.compile(r"\b(?:should|could|ought\s+to|must)\s+(?:have|'ve)\b|\bshould've\b|\bcould've\b", re.I),
          "Hindsight: it judges a decision by an outcome nobody knew at the time.",
          "Describe what was known then, and what the system made easy or hard."),
    _Rule("failed-to", re.compile(r"\b(?:failed|fails|failing)\s+to\b", re.I),
          "It frames an omission as a personal failure.",
          "State what did not happen, e.g. 'the check did not run', and why."),
    _Rule("judgement", re.compile(
        r"\b(?:careless(?:ly|ness)?|sloppy|negligen(?:t|ce)|incompeten(?:t|ce)|lazy|reckless(?:ly)?|stupid|dumb|"
        r"(?:his|her|their)\s+(?:fault|mistake)|to\s+blame|blamed?|didn't\s+bother|did\s+not\s+bother|ignored|"
        r"should\s+know\s+better|rookie|(?:not|\w+n't)\s+paying\s+attention|asleep\s+at\s+the\s+wheel|"
        r"\w+'s\s+(?:fault|mistake|error|blunder)|made\s+(?:a|an|the)\s+(?:\w+\s+)?(?:mistake|error|blunder)|"
        r"(?:wrong|bad|poor)\s+(?:call|decision|judge?ment|choice))\b", re.I),
          "It judges a person instead of describing what happened.",
          "Describe the action and the conditions around it in neutral words."),
)

#: Verbs that make a person the cause. Neutral actions ("deployed", "pushed", "rolled back") are
#: timeline facts: blameless does not mean nameless, so "Dana deployed the fix at 15:07" passes.
_CAUSE = (r"(?:caused|causing|broke|breaks|took\s+down|brought\s+down|led\s+to|resulted\s+in|forgot|missed|ignored|"
          r"failed|mistake|error|fault|screwed|responsible\s+for)")
#: A neutral action made a judgement by its object: "Marco pushed a bad config".
_NEUTRAL = r"(?:pushed|deployed|shipped|merged|applied|made|wrote|approved)"
_FAULTY = r"(?:bad|wrong|broken|untested|faulty|buggy|dodgy|sloppy)\b"
#: People named by their role: "the developer made a mistake" blames as surely as a name does.
_ROLE = r"(?:the\s+)?(?:(?:on-?call|oncall)\s+)?(?:engineer|developer|dev|operator|reviewer|on-?call|intern|admin|author|person)"
_ROOT_CAUSE_PERSON = r"root\s+causes?\s*(?:was|is|:|=|-)\s*(?:{who}|{role})\b"
_COUNTERFACTUAL = r"\bif\s+(?:{who}|{role}|he|she|they)\s+had\b|\bhad\s+(?:{who})\s+\w+ed\b"
_CAUSE_LATER = r"(?:[^.;]{0,80}?)\b(?:broke|caused|took\s+down|brought\s+down|led\s+to|resulted\s+in)\b"


@lru_cache(maxsize=16)
def _name_rule(names: tuple[str, ...]) -> re.Pattern[str] | None:
    cleaned = sorted({n.strip() for n in names if isinstance(n, str) and n.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    who = "|".join(re.escape(n) for n in cleaned)
    # a name next to a cause verb, within a few words (either order), "because (of) <name>", a
    # person as the root cause, or a person as the subject of a sentence that ends in "which broke …"
    return re.compile(
        rf"\b(?:(?:{who})(?:'s)?(?:\s+\S+){{0,3}}?\s+{_CAUSE}\b|{_CAUSE}(?:\s+\S+){{0,2}}?\s+by\s+(?:{who})\b|"
        rf"because\s+(?:of\s+)?(?:{who})\b|" + _ROOT_CAUSE_PERSON.format(who=who, role=_ROLE) + "|"
        rf"^\W*(?:\S+\s+){{0,2}}(?:{who}|{_ROLE})\b{_CAUSE_LATER}|"
        rf"(?:{who})\s+(?:\S+\s+){{0,1}}{_NEUTRAL}\s+(?:a|an|the|his|her|their)?\s*{_FAULTY})",
        re.I,
    )


@lru_cache(maxsize=16)
def _counterfactual_rule(names: tuple[str, ...]) -> re.Pattern[str]:
    """A counterfactual about a person ("If Priya had escalated, …"): hindsight, however politely put.
    One about the system ("If the alert had fired …") is how action items are found."""
    cleaned = sorted({n.strip() for n in names if isinstance(n, str) and n.strip()}, key=len, reverse=True)
    who = "|".join(re.escape(n) for n in cleaned) or r"(?!x)x"
    return re.compile(_COUNTERFACTUAL.format(who=who, role=_ROLE), re.I)


def _as_text(text: Any) -> str:
    if text is None or text is Ellipsis:
        return ""
    if isinstance(text, bytes):
        return text.decode("utf-8", errors="replace")
    return text if isinstance(text, str) else str(text)


def lint_blame(text: Any, names: Iterable[str] = TEAM) -> list[Finding]:
    """Blameful phrasing in ``text``, line by line: each finding has the line (from 1), the
    phrase, the rule, the reason and a systemic rewording to try.

    Pure and total: any text (empty, a megabyte, non-ASCII, even a non-string, which is read
    as its ``str``) gives a list, never an exception. At most ``MAX_FINDINGS`` are returned."""
    body = _as_text(text)
    try:
        people = tuple(names) if names is not None else ()
    except TypeError:
        people = ()
    name_rule = _name_rule(tuple(str(n) for n in people))
    findings: list[Finding] = []
    for number, line in enumerate(body.splitlines(), start=1):
        if len(findings) >= MAX_FINDINGS:
            break
        hits: list[tuple[int, Finding]] = []
        for rule in RULES:
            for match in rule.pattern.finditer(line):
                hits.append((match.start(), Finding(number, match.group(0), rule.name, rule.reason, rule.suggestion)))
        for match in _counterfactual_rule(tuple(str(n) for n in people)).finditer(line):
            hits.append((match.start(), Finding(number, match.group(0), "hindsight", RULES[2].reason, RULES[2].suggestion)))
        if name_rule is not None:
            for match in name_rule.finditer(line):
                hits.append((match.start(), Finding(
                    number, match.group(0), "name-as-cause", "It names a person as the cause.",
                    "Name the change or the role instead: 'config change #4411 lowered the limit', not who pushed it.")))
        findings.extend(f for _, f in sorted(hits, key=lambda h: h[0]))
    return findings[:MAX_FINDINGS]


def blame_report(text: Any, names: Iterable[str] = TEAM) -> str:
    """The findings as plain text, for a notebook cell."""
    if text is Ellipsis or text is None:
        return "Nothing to lint yet: replace the ... with your text."
    if not _as_text(text).strip():
        return "Nothing to lint yet: the text is empty."
    findings = lint_blame(text, names)
    if not findings:
        return f"No blameful phrasing found. {BLAME_LIMITS}"
    return "\n".join([*(str(f) for f in findings), BLAME_LIMITS])


#: What the blame linter cannot judge, said with its report.
BLAME_LIMITS = ("(The linter reads phrasing: it cannot tell a fair account from a blaming one told in neutral words, "
                "nor whether the causes named are the real ones.)")


BLAMEFUL_DRAFT = """Summary: recommendations were slow for an hour because Marco pushed a bad Redis config.
Root cause: human error. Marco forgot to check the production memory size and should have used a canary.
Aiko approved the review but failed to notice the eviction policy change, which was careless.
Detection: the alert fired 22 minutes late; Priya should have escalated when she saw the spike at 14:12.
Resolution: Dana made the call to roll back at 14:55 and the rollback finished at 15:07."""


# -- the postmortem's structure --------------------------------------------------------------------
def _has(pattern: str) -> Callable[[str], bool]:
    compiled = re.compile(pattern, re.I)
    return lambda text: bool(compiled.search(text))


_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_OWNER = re.compile(r"\bowner\b|@[\w.-]+", re.I)


_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?([A-Za-z][A-Za-z ,'/-]{2,40}?)(?:\*\*)?\s*:?\s*(?:\*\*)?\s*$|"
                      r"^\s*(?:#+\s*)?(?:\*\*)?([A-Za-z][A-Za-z ,'/-]{2,40}?)(?:\*\*)?\s*:\s*\S")
_ACTION_HEADING = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?\s*(?:action\s+items?|actions|follow[- ]ups?|remediation)\b", re.I)
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.*\S)")
#: Exhortations: an action item that asks people to try harder changes nothing in the system.
_EXHORTATION = re.compile(
    r"\b(?:be\s+(?:more\s+)?(?:careful|vigilant|mindful|aware|diligent)|take\s+(?:more\s+)?care|"
    r"pay\s+(?:more\s+)?attention|remember\s+to|make\s+sure\s+(?:to|that\s+(?:we|people|engineers))|"
    r"try\s+harder|double[- ]check|(?:re-?)?train\s+(?:the\s+)?(?:engineer|team|people|staff)|"
    r"remind\s+(?:the\s+)?(?:team|engineers|people|everyone)|communicate\s+better|improve\s+communication)\b",
    re.I)


def action_items(text: Any) -> list[str]:
    """The action items of a postmortem: the list items (``-``, ``*``, ``1.``) under an
    "Action items" heading, up to the next heading or blank-line-separated paragraph."""
    items: list[str] = []
    inside = False
    for line in _as_text(text).splitlines():
        if _ACTION_HEADING.match(line):
            inside = True
            rest = line.split(":", 1)[1].strip() if ":" in line else ""
            if rest:  # "Action items: add a canary (Owner: Sam, due 2024-07-05); ..." on one line
                items += [part.strip() for part in re.split(r";\s*", rest) if part.strip()]
            continue
        if not inside:
            continue
        item = _ITEM.match(line)
        if item:
            items.append(item.group(1))
        elif line.strip() and not line.startswith((" ", "\t")):
            inside = False  # the next section begins
    if not items:  # one paragraph: "… Action items: be careful; add monitoring. Lessons: …"
        inline = _INLINE_ACTIONS.search(_as_text(text))
        if inline:
            items = [part.strip(" .") for part in re.split(r";\s*", inline.group(1)) if part.strip(" .")]
    return items


_INLINE_ACTIONS = re.compile(r"(?i:action\s+items?)\s*:\s*(.+?)(?=\.\s+[A-Z][a-z]+(?:\s+[a-z]+)?\s*:|\n|$)")


@dataclass(frozen=True)
class ActionItemReview:
    """What a reviewer asks of one action item."""

    item: str
    has_owner: bool
    has_date: bool
    #: It changes the system (a stage, an alert, a checklist item), not people's effort.
    changes_the_system: bool

    @property
    def passes(self) -> bool:
        return self.has_owner and self.has_date and self.changes_the_system

    def problems(self) -> list[str]:
        out = []
        if not self.has_owner:
            out.append("no owner")
        if not self.has_date:
            out.append("no due date (YYYY-MM-DD)")
        if not self.changes_the_system:
            out.append("asks people to try harder instead of changing the system")
        return out


def review_action_item(item: Any) -> ActionItemReview:
    """Owner, date, and whether it changes the system (no "be careful", "double-check", "retrain")."""
    text = _as_text(item)
    return ActionItemReview(text, bool(_OWNER.search(text) or re.search(r"\(\s*[A-Z][\w'-]+\s*,", text)),
                            bool(_DATE.search(text)), bool(text.strip()) and not _EXHORTATION.search(text))


def _action_items_have_owners_and_dates(text: str) -> bool:
    """Every action item has an owner and a date, and there is at least one."""
    reviews = [review_action_item(i) for i in action_items(text)]
    return bool(reviews) and all(r.has_owner and r.has_date for r in reviews)


def _action_items_change_the_system(text: str) -> bool:
    """No action item merely exhorts ("be more careful", "double-check", "retrain the team")."""
    reviews = [review_action_item(i) for i in action_items(text)]
    return bool(reviews) and all(r.changes_the_system for r in reviews)


def _blameless(text: str) -> bool:
    return not lint_blame(text)


# -- reading a postmortem by its sections -----------------------------------------------------------
#: The names a writer gives each section. A section is found under any of them, as "Name: …" or a
#: Markdown heading; a section whose body says nothing ("TBD", "see above", "nowhere") is hollow.
_SECTION_NAMES = {
    "summary": r"summary|tl;?dr|overview|executive summary|what happened",
    "impact": r"(?:customer |user |business )?impact|who was affected|what (?:customers|users) saw",
    "root causes": r"root causes?|contributing (?:causes?|factors?)|causes?|why it happened",
    "trigger": r"trigger|what set it off|what triggered it",
    "detection": r"detection|how we found out|how it was detected",
    "resolution": r"resolution|mitigation(?: and recovery)?|recovery|how we fixed it",
    "action items": r"action items?|actions|follow[- ]ups?|remediation",
    "went well": r"(?:what )?went well|what worked",
    "went wrong": r"(?:what )?went wrong|what (?:didn't|did not) go well|what went badly|what hurt",
    "lucky": r"(?:where )?we got lucky|lucky|luck|where luck helped",
    "timeline": r"timeline(?: of events)?|sequence of events(?: \(utc\))?|chronology",
}
_SECTION_LINE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*([A-Za-z][A-Za-z ;,'/()-]{1,45}?)\s*(?:\*\*)?\s*(?::\s*(.*))?$")
_HOLLOW_BODY = re.compile(r"^\W*(?:tbd|tbc|n/?a|none|nothing|nowhere|see above|yes|no|ok|fine|some|bad|good|fixed|"
                          r"unknown|todo|later|morning|\?+|-+|…)\W*$", re.I)
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_RESOLVING = re.compile(r"\b(roll\w*\s+back|rollback|revert\w*|restart\w*|fail\w*\s+over|disabl\w*|scal\w*|restor\w*|"
                        r"purg\w*|flush\w*|warm\w*|patch\w*|redeploy\w*|undo\w*|resiz\w*)\b", re.I)
_MIN_WORDS = {"summary": 6, "impact": 4, "root causes": 6, "trigger": 3, "detection": 3, "resolution": 5,
              "went well": 3, "went wrong": 3, "lucky": 3, "timeline": 3}


_NAMES = {part: re.compile(rf"^(?:{pattern})$", re.I) for part, pattern in _SECTION_NAMES.items()}


@lru_cache(maxsize=64)
def postmortem_sections(text: str) -> dict[str, str]:
    """The postmortem's sections by part, each with its body (continuation lines included)."""
    names = _NAMES
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _SECTION_LINE.match(line) if not _ITEM.match(line) else None
        heading = line.lstrip().startswith("#")
        label = match.group(1).strip().rstrip(":") if match and (match.group(2) is not None or heading) else None
        part = next((p for p, rx in names.items() if label and rx.match(label)), None)
        if part:
            current = part
            found.setdefault(part, []).append(match.group(2) or "")
        elif heading or (label and match.group(2) is not None and len(label.split()) <= 3 and not _ITEM.match(line)
                         and label.lower() not in {"owner", "due"}):
            current = None
        elif current is not None:
            found[current].append(line)
    return {part: "\n".join(body).strip() for part, body in found.items()}


def _section(part: str, ok: Callable[[str], bool] = lambda body: True) -> Callable[[str], bool]:
    """The part is there when its section has a body that says something (and passes ``ok``)."""
    def present(text: str) -> bool:
        body = postmortem_sections(text).get(part, "")
        if not body or _HOLLOW_BODY.match(body) or len(body.split()) < _MIN_WORDS.get(part, 1):
            return False
        return ok(body)
    return present


_NUMBER_WORDS = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty|fifty|sixty|" \
                r"(?:twenty|thirty|forty|fifty|sixty)-(?:one|two|three|four|five|six|seven|eight|nine))"

POSTMORTEM_PARTS: dict[str, Callable[[str], bool]] = {
    "summary": _section("summary"),
    "impact": _section("impact"),
    "root causes": _section("root causes", lambda b: not re.match(r"^\W*see\b", b, re.I)),
    "trigger": _section("trigger"),
    "detection": _section("detection"),
    "resolution": _section("resolution", lambda b: bool(_CLOCK_TIME.search(b) or _RESOLVING.search(b))),
    "action items": lambda text: bool(action_items(text)),
    "action items, each with an owner and a due date (YYYY-MM-DD)": _action_items_have_owners_and_dates,
    "action items that change the system, not 'be careful'": _action_items_change_the_system,
    "lessons: what went well": _section("went well"),
    "lessons: what went wrong": _section("went wrong"),
    "lessons: where we got lucky": _section("lucky"),
    "timeline": _section("timeline", lambda b: len(_CLOCK_TIME.findall(b)) >= 2),
    "time to detect, in minutes": _has(rf"\bdetect\w*\b[\s\S]{{0,80}}?\b{_NUMBER_WORDS}\s*(?:min|minutes)\b"),
    "time to mitigate, in minutes": _has(rf"\bmitigat\w*\b[\s\S]{{0,80}}?\b{_NUMBER_WORDS}\s*(?:min|minutes)\b"),
    "blameless wording (the blame linter finds nothing)": _blameless,
}
#: What the structure check cannot judge, said with every verdict.
POSTMORTEM_LIMITS = ("It finds the sections and what is hollow in them; it cannot judge whether the causes are the "
                     "real ones or the action items the right ones: the rubric does that.")


#: A short code per postmortem part, for measuring the check on a labelled corpus.
POSTMORTEM_CODES = dict(zip(POSTMORTEM_PARTS, (
    "summary", "impact", "root-causes", "trigger", "detection", "resolution", "action-items", "owners-dates",
    "system-actions", "went-well", "went-wrong", "lucky", "timeline", "ttd", "ttm", "blame"), strict=True))


def blame_rules(text: Any) -> list[str]:
    """The codes of the blame linter's findings (for measuring it on a labelled corpus)."""
    return [f.rule for f in lint_blame(text)]


def postmortem_rules(text: Any) -> list[str]:
    """The codes of the parts a postmortem lacks (for measuring the check on a labelled corpus)."""
    return [POSTMORTEM_CODES[name] for name, ok in check_postmortem(text).items() if not ok]


def _postmortem_compare(answer: Any, expected: Any) -> checks.Verdict:
    verdict = checks.structured_text(POSTMORTEM_PARTS, min_words=120)(answer, expected)
    if verdict.status == checks.NOT_ATTEMPTED:
        return verdict
    return checks.Verdict(verdict.status, " ".join(x for x in (verdict.message, POSTMORTEM_LIMITS) if x))


def check_postmortem(text: Any) -> dict[str, bool]:
    """Which parts of the template a postmortem has (structure only; the judgment is yours)."""
    body = _as_text(text)
    return {name: bool(present(body)) for name, present in POSTMORTEM_PARTS.items()}


POSTMORTEM_SAMPLE = """# Postmortem: INC-0611, recommendations degraded after a Redis configuration change
Summary: for 63 minutes on 11 June 2024, about 30% of product pages showed no recommendations because a
Redis configuration change evicted most cached stock levels and pushed the load onto the inventory service.
Impact: recommendations missed their 200 ms latency SLO from 14:09 to 15:12; 4 support tickets; checkout unaffected.
Root causes: the change (#4411) set an 8 GB limit taken from a staging sizing document, while production holds
11 GB of hot keys; the config pipeline applies redis-cache changes to every shard at once, with no canary; the
review checklist has no item for eviction-policy or memory-limit changes.
Trigger: config change #4411 applied at 14:02.
Detection: the fast burn-rate alert fired at 14:31, so time to detect was 22 minutes from the start of impact;
the eviction storm was visible on the Redis dashboard from 14:04, but nothing alerted on it.
Resolution: the change was rolled back at 14:58 and the rollback completed at 15:07; time to mitigate was
63 minutes from the start of impact. Resolved at 16:40 once the cache had warmed.
Action items:
- Add a canary stage for redis-cache config changes. Owner: Sam. Due: 2024-07-05.
- Alert on eviction rate above 500/s for 5 minutes. Owner: Aiko. Due: 2024-06-28.
- Add memory-limit and eviction-policy checks to the config review checklist. Owner: Dana. Due: 2024-06-21.
- Size production limits from production metrics, not staging documents. Owner: Tomás. Due: 2024-07-12.
Lessons learned
What went well: the burn-rate alert paged 22 minutes into the impact; roles were assigned 10 minutes after the alert;
status updates went out on a 20-minute cadence, so responders were left alone.
What went wrong: nothing alerted on the eviction storm for 27 minutes; the first response scaled the inventory service,
because the dashboards did not show cache misses next to inventory load.
Where we got lucky: it was a Tuesday afternoon with the config's reviewer online, not the Black Friday weekend.
Timeline: 14:02 change applied; 14:09 impact starts; 14:31 alert; 14:35 acknowledged; 14:41 commander named;
14:55 decision to roll back; 15:07 rollback complete; 15:12 mitigated; 16:40 resolved."""


POSTMORTEM_RUBRIC = Rubric(
    id="08.postmortem-rubric",
    title="A blameless postmortem",
    criteria=[
        "Every number (impact window, time to detect, time to mitigate) comes from the event log, with its definition.",
        "The root causes are conditions of the system (no canary, a checklist gap), not a person's lapse.",
        "Each action item would have prevented or shortened *this* incident, and has one owner and a date.",
        "It says where we got lucky, so the next incident does not depend on the same luck.",
        "A newcomer could read it in five minutes and explain what happened and what is changing.",
    ],
    mid_level=("Summary: recs were slow for an hour because of a bad Redis config. Root cause: the memory limit was "
               "wrong. Action items: be more careful with config changes; add monitoring. Lessons: we fixed it "
               "quickly once we found it."),
    senior_level=POSTMORTEM_SAMPLE,
)


# -- action items a reviewer would accept ------------------------------------------------------------
#: Candidate action items for INC-0611, as a team brainstorms them. :func:`review_action_item`
#: decides which a reviewer would accept; the exercise asks the learner to decide first.
ACTION_ITEM_CANDIDATES: dict[str, str] = {
    "A": "Add a canary stage for redis-cache config changes. Owner: Sam. Due: 2024-07-05.",
    "B": "Engineers must be more careful when changing Redis memory settings. Owner: Dana. Due: 2024-06-21.",
    "C": "Alert on Redis evictions above 500/s for 5 minutes, linked to a runbook. Owner: Aiko. Due: 2024-06-28.",
    "D": "Investigate the inventory service's connection pool sizing.",
    "E": "Remind the team to double-check config diffs before applying them. Owner: Marco. Due: 2024-06-20.",
    "F": "Add eviction-policy and memory-limit questions to the config review checklist. Owner: Dana. Due: 2024-06-21.",
    "G": "Size production memory limits from production metrics, not staging documents. Owner: Tomás.",
}


def accepted_action_items(candidates: Mapping[str, str] = ACTION_ITEM_CANDIDATES) -> list[str]:
    """The ids of the candidates a reviewer accepts: owner, date, and a change to the system."""
    return [key for key, text in candidates.items() if review_action_item(text).passes]


# -- the first story and the second story ------------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    """A sentence someone might write about INC-0611, and which story it tells."""

    id: str
    text: str
    #: "first": who did what, judged by the outcome; "second": what made the action reasonable at the
    #: time (the conditions a fix can change).
    story: str
    why: str


#: After Allspaw, "Blameless PostMortems and a Just Culture" (2012) and Dekker, *The Field Guide to
#: Understanding 'Human Error'*: the first story stops at a person; the second asks why the action made
#: sense to them. Names may appear in either: blameless is not nameless.
STATEMENTS: tuple[Statement, ...] = (
    Statement("S1", "Marco applied a config change that lowered Redis's memory limit to 8 GB.", "first",
              "A fact of the timeline, but it stops at who did what."),
    Statement("S2", "The 8 GB figure came from a staging sizing document; nothing pointed the author at production's 11 GB.",
              "second", "It says why 8 GB looked right at the time."),
    Statement("S3", "Aiko approved the review without noticing the eviction-policy change.", "first",
              "It judges the reviewer by what the outcome revealed."),
    Statement("S4", "The review checklist had no item for eviction-policy or memory-limit changes, so Aiko's review "
                    "had nothing that pointed at them.", "second",
              "A condition of the system; it names Aiko and still blames no one."),
    Statement("S5", "The config pipeline applies redis-cache changes to every shard at once; there is no canary, so "
                    "a wrong value reaches all traffic before anyone can see it.", "second",
              "It explains why one change could affect everyone."),
    Statement("S6", "Priya saw the spike at 14:12 but did not escalate.", "first",
              "Hindsight: it judges a choice by an outcome she could not see."),
    Statement("S7", "Nothing defines when a spike seen on a dashboard should become an incident, so asking in a "
                    "channel was the normal thing to do at 14:12.", "second",
              "It says why not escalating made sense at the time."),
    Statement("S8", "The first responders scaled the inventory service because the dashboards showed inventory load, "
                    "not cache misses next to it.", "second",
              "It explains the first (unhelpful) action from what the responders could see."),
)


def second_story() -> list[str]:
    """The ids of the statements that tell the second story."""
    return [s.id for s in STATEMENTS if s.story == "second"]


# -- the architecture review ------------------------------------------------------------------------
@dataclass(frozen=True)
class ChecklistItem:
    id: str
    question: str
    passes: Callable[[Mapping[str, Any]], bool]


def _dependencies_guarded(p: Mapping[str, Any]) -> bool:
    return all(d.get("timeout_ms") and d.get("fallback") for d in p.get("dependencies", []))


def _capacity(p: Mapping[str, Any]) -> bool:
    peak, tested = p.get("peak_rps"), p.get("load_tested_rps")
    return bool(peak and tested and tested >= 2 * peak)


def _alerts_on_symptoms(p: Mapping[str, Any]) -> bool:
    return all(a.get("on") == "symptom" for a in p.get("alerts", []) if a.get("pages"))


def _runbooks(p: Mapping[str, Any]) -> bool:
    return all(a.get("runbook") for a in p.get("alerts", []) if a.get("pages"))


CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem("owner", "Is there an owning team with an on-call rotation?",
                  lambda p: bool(p.get("owner_team") and p.get("on_call"))),
    ChecklistItem("slo", "Does the new path have an SLO, stated as an SLI and a target?", lambda p: bool(p.get("slo"))),
    ChecklistItem("dependencies", "Does every new dependency have a timeout and a fallback?", _dependencies_guarded),
    ChecklistItem("rollback", "Can it be turned off without a deploy (a flag or a config switch)?",
                  lambda p: bool(p.get("kill_switch"))),
    ChecklistItem("capacity", "Was it load-tested to at least twice the expected peak?", _capacity),
    ChecklistItem("alerts", "Do its paging alerts fire on symptoms users feel, not on causes?", _alerts_on_symptoms),
    ChecklistItem("runbooks", "Does every paging alert link a runbook?", _runbooks),
    ChecklistItem("rollout", "Does it roll out gradually (canary or percentage), with a stated abort signal?",
                  lambda p: bool(p.get("rollout", {}).get("gradual") and p.get("rollout", {}).get("abort_on"))),
)

PROPOSAL: dict[str, Any] = {
    "title": "Real-time inventory checks in recommendations",
    "owner_team": "recommendations",
    "on_call": "recs-primary (8 engineers)",
    "slo": f"{cartwheel.LATENCY.statement()}, unchanged",
    "dependencies": [
        {"name": "inventory-service /stock", "timeout_ms": cartwheel.INVENTORY.timeout_ms,
         "fallback": f"cached stock level from {cartwheel.CACHE_STORE}"},
        {"name": "pricing-service /price", "timeout_ms": None, "fallback": None},
    ],
    "kill_switch": "flag recs.realtime_inventory (default off)",
    # every recommendation call checks stock, so the new path's peak is the calls' peak (the canon)
    "peak_rps": cartwheel.PEAK_CALLS_PER_S,
    "load_tested_rps": int(1.5 * cartwheel.PEAK_CALLS_PER_S),
    "alerts": [
        {"name": "RecsErrorBudgetBurnFast", "on": "symptom", "pages": True, "runbook": "runbooks/recs-burn.md"},
        {"name": "InventoryCallLatencyHigh", "on": "cause", "pages": True, "runbook": None},
        {"name": "InventoryFallbackRateHigh", "on": "cause", "pages": False, "runbook": None},
    ],
    "rollout": {"gradual": "1% → 10% → 50% → 100% over a week",
                "abort_on": f"fast burn-rate alert or p99 > {cartwheel.LATENCY.threshold_ms:.0f} ms"},
}

#: The lesson's worked example (the exercise reviews PROPOSAL).
EXAMPLE_PROPOSAL: dict[str, Any] = {
    "title": "Personalised ranking from a new feature-store endpoint",
    "owner_team": "recommendations",
    "on_call": None,
    "slo": None,
    "dependencies": [{"name": "feature-store /v2/features", "timeout_ms": 50, "fallback": "popularity ranking"}],
    "kill_switch": None,
    "peak_rps": cartwheel.PEAK_CALLS_PER_S,  # ranking runs on every recommendation call
    "load_tested_rps": int(2.5 * cartwheel.PEAK_CALLS_PER_S),
    "alerts": [{"name": "RankingErrorRate", "on": "symptom", "pages": True, "runbook": "runbooks/ranking.md"}],
    "rollout": {"gradual": None, "abort_on": None},
}


def review(proposal: Mapping[str, Any], checklist: Sequence[ChecklistItem] = CHECKLIST) -> dict[str, bool]:
    """Apply the checklist: item id → whether the proposal passes it."""
    if not isinstance(proposal, Mapping):
        raise ValueError("a proposal is a dict of its fields, like lesson.PROPOSAL")
    return {item.id: bool(item.passes(proposal)) for item in checklist}


def review_gaps(proposal: Mapping[str, Any] = PROPOSAL) -> list[str]:
    """The checklist items the proposal fails, in checklist order."""
    return [item for item, ok in review(proposal).items() if not ok]


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _p() -> pd.DataFrame:
    return load("pages")


def _e() -> pd.DataFrame:
    return load("incident_events")


@lru_cache(maxsize=1)
def _counts() -> pd.Series:
    return pages_per_alert(_p())


def _actionable_ranking() -> list[str]:
    p = _p()
    ranked = p[p.actionable].groupby("alert").size().sort_values(ascending=False, kind="mergesort")
    return list(ranked.index[: len(noisy_alerts(p))])


TASKS.add(Task(
    id="08.noisy-alerts",
    title="The few alerts behind most pages",
    prompt="Which alerts, fewest possible, together account for at least half of all pages? A list of alert names, "
           "most pages first.",
    reference=lambda: noisy_alerts(_p()),
    compare=checks.same_items(ordered=True, what="alerts"),
    hints=[
        "If you sorted the alerts by how often they page, how far down the list do you go to reach half the pages?",
        "pages.alert.value_counts() sorts for you; a cumulative sum divided by the total tells you where half is.",
    ],
    misconceptions=[
        Misconception("ranked by actionable pages",
                      "Those are the alerts behind most *actionable* pages. The noise is in all pages: rank by every page.",
                      _actionable_ranking),
        Misconception("stopped one alert short of half",
                      "Those alerts account for less than half of the pages. Include the one that crosses the line.",
                      lambda: noisy_alerts(_p())[:-1]),
        Misconception("went one alert past half",
                      "Half was already reached one alert earlier. The task asks for the fewest alerts.",
                      lambda: list(_counts().index[: len(noisy_alerts(_p())) + 1])),
    ],
))

TASKS.add(Task(
    id="08.non-actionable",
    title="Pages that needed nothing",
    prompt="What percentage of the quarter's pages needed no action? A number between 0 and 100.",
    reference=lambda: non_actionable_pct(_p()),
    compare=checks.number(rel=1e-3, unit="percent"),
    hints=[
        "Which column says whether the on-call had to do something, and what share of pages is False there?",
        "(~pages.actionable).mean() is a fraction; multiply by 100.",
    ],
    misconceptions=[
        Misconception("gave the actionable share", "That is the share that *did* need action. The task asks about the rest.",
                      lambda: 100 - non_actionable_pct(_p())),
        Misconception("gave a fraction", "That is a fraction between 0 and 1. The task asks for a percentage.",
                      lambda: non_actionable_pct(_p()) / 100),
        Misconception("gave a count", "That is how many pages needed nothing. Out of how many pages, as a percentage?",
                      lambda: float((~_p().actionable.astype(bool)).sum())),
    ],
))

TASKS.add(Task(
    id="08.after-hours-noise",
    title="Woken for nothing",
    prompt=f"How many pages a week fired after hours *and* needed no action? The file covers {WEEKS_IN_QUARTER} "
           "weeks. A number of pages per week.",
    reference=lambda: after_hours_noise_per_week(_p()),
    compare=checks.number(rel=1e-3, unit="pages a week"),
    hints=[
        "Which two conditions must a page meet to wake someone for nothing, and how do you turn a quarter into a week?",
        "Count the rows with after_hours true and actionable false, then divide by the number of weeks.",
    ],
    misconceptions=[
        Misconception("counted every after-hours page",
                      "That counts every after-hours page, including the real ones. Which of them needed nothing?",
                      lambda: float(_p().after_hours.sum() / WEEKS_IN_QUARTER)),
        Misconception("gave pages a day", "That looks like a daily rate. The task asks per week.",
                      lambda: after_hours_noise_per_week(_p()) / 7),
        Misconception("gave the quarter's total", "That is the whole quarter. Per week?",
                      lambda: after_hours_noise_per_week(_p()) * WEEKS_IN_QUARTER),
        Misconception("counted the daytime noise too",
                      "That counts every page that needed nothing, by day too. Which of them woke someone?",
                      lambda: float((~_p().actionable.astype(bool)).sum() / WEEKS_IN_QUARTER)),
        Misconception("counted the weeks from the first page to the last",
                      "Your weeks run from the first page to the last, which is less than the quarter the file covers. "
                      "How many weeks does the task say it covers?",
                      lambda: _weeks_between_pages()),
        Misconception("divided by twelve weeks",
                      f"Your weeks are one short: {WEEKS_IN_QUARTER - 1} instead of the {WEEKS_IN_QUARTER} the task says "
                      "the file covers (a quarter is not three times four weeks). Which number of weeks did you divide by?",
                      lambda: after_hours_noise_per_week(_p()) * WEEKS_IN_QUARTER / (WEEKS_IN_QUARTER - 1)),
        Misconception("gave a percentage",
                      "That is a percentage of the pages. The task asks how many pages a week.",
                      lambda: 100 * float((_p().after_hours.astype(bool) & ~_p().actionable.astype(bool)).mean())),
    ],
))


def _weeks_between_pages() -> float:
    p = _p()
    weeks = (p.fired_at.max() - p.fired_at.min()).days / 7
    return float((p.after_hours.astype(bool) & ~p.actionable.astype(bool)).sum() / weeks)


def _over_limit(groups: pd.Series, part: pd.DataFrame) -> int:
    return int((part.groupby(groups).incident_id.nunique() > MAX_INCIDENTS_PER_SHIFT).sum())


def _midnight_shifts_over_limit() -> int:
    p = _p()
    part = p[p.incident_id.notna()]
    return _over_limit(part.fired_at.dt.floor(f"{SHIFT_HOURS}h"), part)


def _all_pages_over_limit() -> int:
    p = _p()
    return int((p.groupby(shift_start(p.fired_at)).size() > MAX_INCIDENTS_PER_SHIFT).sum())


def _shifts_listed(answer: Any) -> bool:
    """The shifts over the limit themselves (a Series or a list), not how many there are."""
    return isinstance(answer, pd.Series | pd.Index | list) and len(answer) == shifts_over_limit(_p())


def _per_day_over_limit() -> int:
    p = _p()
    part = p[p.incident_id.notna()]
    return int((part.groupby(part.fired_at.dt.floor("D")).incident_id.nunique() > MAX_INCIDENTS_PER_SHIFT).sum())


def _pages_over_limit() -> int:
    p = _p()
    part = p[p.incident_id.notna()]
    return int((part.groupby(shift_start(part.fired_at)).size() > MAX_INCIDENTS_PER_SHIFT).sum())


TASKS.add(Task(
    id="08.shifts-over-limit",
    title="Shifts over the SRE guidance",
    prompt=f"Shifts run {SHIFT_START_HOUR:02d}:00–20:00 and 20:00–{SHIFT_START_HOUR:02d}:00. The SRE book's guidance "
           f"is at most {MAX_INCIDENTS_PER_SHIFT} incidents per 12-hour shift. In how many shifts did the on-call "
           "handle more than that? A whole number.",
    reference=lambda: shifts_over_limit(_p()),
    compare=checks.integer(),
    hints=[
        "An incident can page three times. What do you count per shift: pages, or something else?",
        "Keep pages with an incident_id; shift = (fired_at − 8 h).dt.floor('12h'); count distinct incident_id per "
        "shift; count shifts above the limit.",
    ],
    misconceptions=[
        Misconception("counted pages, not incidents",
                      "That counts incident *pages*. One incident that pages three times is still one incident.",
                      _pages_over_limit),
        Misconception("used calendar days, not 12-hour shifts",
                      "That count matches grouping by calendar day. The guidance is per 12-hour shift, starting at "
                      "08:00 and 20:00: where do your groups start and end?",
                      _per_day_over_limit),
        Misconception("started the shifts at midnight and noon",
                      "Your shifts start at 00:00 and 12:00. When do Cartwheel's shifts start, and how do you move "
                      "the 12-hour boundaries there?",
                      _midnight_shifts_over_limit),
        Misconception("counted every page, not incidents",
                      "That counts every page in a shift, most of them part of no incident. Which column says a page "
                      "belongs to an incident?",
                      _all_pages_over_limit),
        Misconception("listed the shifts, not how many",
                      "Those are the shifts over the limit. The task asks how many there are.",
                      lambda: list(range(shifts_over_limit(_p()))), matches=_shifts_listed),
        Misconception("counted shifts at the limit too",
                      "Two incidents is within the guidance. Count shifts with *more* than two.",
                      lambda: int((incidents_per_shift(_p()) >= MAX_INCIDENTS_PER_SHIFT).sum())),
    ],
))

def _share_of_top_alerts_pages(top: int) -> float:
    """The tuned pages as a percentage of the ``top`` alerts' own pages, not of all pages."""
    p = _p()
    removed = removed_mask(p, top, "tune")
    chosen = removed_mask(p, top, "delete")
    return float(100 * removed.sum() / chosen.sum())


TASKS.add(Task(
    id="08.projected-reduction",
    title="The proposal, as a number",
    prompt="Proposal: tune the three noisiest alerts so that their non-actionable pages stop (their actionable pages "
           "still fire). What percentage of all pages would that remove? A number between 0 and 100.",
    reference=lambda: projected_reduction_pct(_p(), 3, "tune"),
    compare=checks.number(rel=1e-3, unit="percent of pages"),
    hints=[
        "Which pages of those three alerts disappear when you tune them, and which must keep firing?",
        "Mark pages whose alert is in the top three by page count and that are not actionable; take their share of all pages.",
    ],
    misconceptions=[
        Misconception("deleted the alerts outright",
                      "That removes every page of the three alerts, including the ones that needed action. What would "
                      "the on-call miss?",
                      lambda: projected_reduction_pct(_p(), 3, "delete")),
        Misconception("gave a fraction", "That is a fraction. The task asks for a percentage.",
                      lambda: projected_reduction_pct(_p(), 3, "tune") / 100),
        Misconception("removed every non-actionable page",
                      "That tunes *every* alert. The proposal is about the top three.",
                      lambda: non_actionable_pct(_p())),
        Misconception("divided by the non-actionable pages, not all pages",
                      "That is a share of the pages that needed nothing. The task asks what share of *all* pages goes "
                      "away: which denominator is that?",
                      lambda: projected_reduction_pct(_p(), 3, "tune") / non_actionable_pct(_p()) * 100),
        Misconception("divided by the three alerts' own pages",
                      "That is a share of the three alerts' own pages: how much of *their* noise goes. The task asks "
                      "what share of *all* the quarter's pages goes away: which denominator is that?",
                      lambda: _share_of_top_alerts_pages(3)),
    ],
))

TASKS.add(Task(
    id="08.time-to-detect",
    title="Time to detect",
    prompt="From the incident_events log: minutes from the start of customer impact (`impact_start`) to the first "
           "alert (`alert`). A number, in minutes.",
    reference=lambda: time_to_detect(_e()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "When did users start to feel it, and when did a machine first tell a human?",
        "Take the time of the first row with kind == 'impact_start' and of the first with kind == 'alert'; subtract; convert to minutes.",
    ],
    misconceptions=[
        Misconception("measured from the change",
                      "That starts at the configuration change. Users did not feel anything until impact began.",
                      lambda: minutes_between(_e(), "change", "alert")),
        Misconception("measured to the acknowledgement",
                      "That runs until a human acknowledged. Detection is when the alert fired.",
                      lambda: minutes_between(_e(), "impact_start", "ack")),
        Misconception("measured to the page",
                      "That runs to the page, which the alert sent. Detection is the alert itself: which comes first?",
                      lambda: minutes_between(_e(), "impact_start", "page")),
        Misconception("gave seconds", "That looks like seconds: `total_seconds()` counts seconds. In minutes?",
                      lambda: 60 * time_to_detect(_e())),
    ],
))

TASKS.add(Task(
    id="08.time-to-mitigate",
    title="Time to mitigate",
    prompt="Minutes from the start of customer impact to mitigation (`mitigated`). A number, in minutes.",
    reference=lambda: time_to_mitigate(_e()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "When did users stop feeling it? Is that the same moment as 'resolved'?",
        "first time of kind == 'mitigated' minus first time of kind == 'impact_start', in minutes.",
    ],
    misconceptions=[
        Misconception("measured from detection", "That starts at the alert. Users had felt it since impact began.",
                      lambda: minutes_between(_e(), "alert", "mitigated")),
        Misconception("measured to resolution", "That runs until the incident was *resolved*. Impact ended at mitigation.",
                      lambda: minutes_between(_e(), "impact_start", "resolved")),
        Misconception("measured from the page", "That starts at the page. Users had felt it since impact began.",
                      lambda: minutes_between(_e(), "page", "mitigated")),
        Misconception("measured from the change",
                      "That starts at the configuration change. Users did not feel anything until impact began.",
                      lambda: minutes_between(_e(), "change", "mitigated")),
        Misconception("gave hours", "That looks like hours. The task asks for minutes.",
                      lambda: time_to_mitigate(_e()) / 60),
        Misconception("subtracted the clock's minutes",
                      "That is the difference of the two clock readings' minute fields (`.minute`), which ignores the "
                      "hours between them. How long is the whole interval?",
                      lambda: _clock_minutes()),
    ],
))

def _clock_minutes() -> float:
    e = _e()
    return float(first_time(e, "mitigated").minute - first_time(e, "impact_start").minute)


_ESSENTIALS = {
    "still says what changed (the configuration change)": _has(r"\b(?:config(?:uration)?|change|#?4411)\b"),
    "still says how it was mitigated (the rollback)": _has(r"\broll(?:ed)?\s*back|\brollback\b"),
}


def _rewrite_compare(answer: Any, expected: Any) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your rewritten draft as a string; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The text is empty.")
    findings = lint_blame(answer)
    if findings:
        first = findings[0]
        return checks.not_yet(f"The linter still finds {len(findings)} blameful phrase{'' if len(findings) == 1 else 's'}; the first is "
                              f"'{first.phrase}' on line {first.line}: {first.reason}")
    missing = [name for name, present in _ESSENTIALS.items() if not present(answer)]
    if missing:
        lost = [name.removeprefix("still says ") for name in missing]
        return checks.not_yet("Blameless, but it no longer says " + ", nor ".join(lost) + f": the postmortem needs {'both' if len(lost) > 1 else 'it'}.")
    return checks.OK


REWRITE_SAMPLE = """Summary: recommendations were slow for an hour after a Redis configuration change (#4411) lowered the memory limit.
Contributing causes: the limit came from a staging sizing document; the config pipeline has no canary for redis-cache;
the review checklist has no item for eviction-policy changes, so the review could not catch it.
Detection: the burn-rate alert fired 22 minutes after impact began; a latency spike was visible at 14:12, and there is no
agreed threshold for escalating a spike seen on a dashboard.
Resolution: the incident commander decided to roll back at 14:55 and the rollback finished at 15:07."""


def _names_removed_only(text: Any) -> bool:
    rules = {f.rule for f in lint_blame(text)}
    return bool(rules) and "name-as-cause" not in rules and "hindsight" in rules


TASKS.add(Task(
    id="08.blameless-rewrite",
    title="Make the draft blameless",
    prompt="Rewrite lesson.BLAMEFUL_DRAFT so that the blame linter finds nothing, while keeping the facts (the "
           "configuration change and the rollback). Text.",
    reference=lambda: "blameless",
    compare=_rewrite_compare,
    hints=[
        "For each finding, what condition of the system made the person's action possible or likely?",
        "Replace people with changes and roles ('config change #4411', 'the review'), hindsight with what was known "
        "then, and 'human error' with the missing check.",
    ],
    misconceptions=[
        Misconception("submitted the draft unchanged",
                      "That is the original draft. Run lesson.blame_report(draft) and rewrite each line it flags.",
                      lambda: BLAMEFUL_DRAFT, matches=lambda a: isinstance(a, str) and a.strip() == BLAMEFUL_DRAFT.strip()),
        Misconception("removed the names but kept the hindsight",
                      "The names are gone, but 'should have' still judges a decision by an outcome nobody knew. What "
                      "did people know at the time?",
                      lambda: "\n".join(line for line in BLAMEFUL_DRAFT.replace("Marco", "the engineer").replace(
                          "Priya", "the engineer").replace("Aiko", "the reviewer").splitlines()),
                      matches=_names_removed_only),
    ],
    sample_answer=lambda: REWRITE_SAMPLE,
))


#: A due date written some other way than YYYY-MM-DD: 05/07/2024, 5.7.24, July 5, 5 July.
_OTHER_DATE = re.compile(r"\b\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                         r"[a-z]*\.?\s+\d{1,2}\b|\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)", re.I)


def _dates_in_another_format(text: Any) -> bool:
    """Owners are there and the items carry dates, just not written YYYY-MM-DD."""
    if not _no_owners(text):
        return False
    items = action_items(text)
    return bool(items) and all(review_action_item(i).has_owner and _OTHER_DATE.search(i) for i in items)


def _no_owners(text: Any) -> bool:
    return (isinstance(text, str) and bool(text.strip()) and not _action_items_have_owners_and_dates(text)
            and all(present(text) for name, present in POSTMORTEM_PARTS.items() if "owner" not in name))


TASKS.add(Task(
    id="08.postmortem",
    title="Write the postmortem",
    prompt="Write a blameless postmortem of INC-0611 from the event log, with the template's sections: summary, "
           "impact, root causes, trigger, detection, resolution, action items (each with an owner and a YYYY-MM-DD "
           "date), lessons (what went well, what went wrong, where we got lucky), a timeline, and the time to detect "
           "and to mitigate in minutes. Text; only its structure is checked.",
    reference=lambda: "structure",
    compare=_postmortem_compare,
    hints=[
        "Which sections would a reader who missed the incident need, and which numbers would they ask for first?",
        "Follow the template in the lesson; give each action item 'Owner: name. Due: 2024-07-01.'; run "
        "lesson.blame_report on your text before you check it.",
    ],
    misconceptions=[
        Misconception("wrote the due dates in another format",
                      "Your action items have owners and dates, but not written YYYY-MM-DD as the template asks. Does "
                      "05/07 mean May or July to the reader in another office?",
                      lambda: re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3/\2/\1", POSTMORTEM_SAMPLE),
                      matches=_dates_in_another_format),
        Misconception("action items without owners or dates",
                      "Every section is there, but no action item has an owner and a date. Who will do it, and by when?",
                      lambda: re.sub(r" Owner: \w+\. Due: \d{4}-\d{2}-\d{2}\.", "", POSTMORTEM_SAMPLE, flags=re.UNICODE),
                      matches=_no_owners),
    ],
    sample_answer=lambda: POSTMORTEM_SAMPLE,
))

TASKS.add(Task(
    id="08.review-gaps",
    title="Review the proposal",
    prompt="Apply the architecture-review checklist (lesson.CHECKLIST) to lesson.PROPOSAL. Which items does it "
           "fail? A list of item ids.",
    reference=lambda: review_gaps(PROPOSAL),
    compare=checks.same_items(what="checklist items"),
    hints=[
        "For each question in the checklist, which field of the proposal answers it, and does it?",
        "Read each dependency's timeout and fallback, the load test against twice the peak, and every *paging* alert.",
    ],
    misconceptions=[
        Misconception("listed the items it passes",
                      "Those are the items the proposal *passes*. The review is about what it fails.",
                      lambda: [i for i, ok in review(PROPOSAL).items() if ok]),
        Misconception("compared the load test with the peak, not twice the peak",
                      f"The load test ({PROPOSAL['load_tested_rps']:,} calls/s) is above the peak "
                      f"({PROPOSAL['peak_rps']:,}), but the checklist asks for twice the peak. Is "
                      f"{PROPOSAL['load_tested_rps']:,} at least {2 * PROPOSAL['peak_rps']:,}?",
                      lambda: [i for i in review_gaps(PROPOSAL) if i != "capacity"]),
        Misconception("listed an item the proposal passes",
                      "One of your items is one the proposal passes. For that item, which field of the proposal "
                      "answers its question?",
                      lambda: [*review_gaps(PROPOSAL), next(i for i, ok in review(PROPOSAL).items() if ok)],
                      matches=lambda a: _mentions(a, [i for i, ok in review(PROPOSAL).items() if ok])),
    ],
))

def _mentions(answer: Any, ids: Sequence[str]) -> bool:
    """A list answer that holds any of ``ids`` (case and spacing ignored)."""
    if isinstance(answer, str) or not isinstance(answer, Iterable):
        return False
    wanted = {str(i).strip().lower() for i in ids}
    return any(str(x).strip().lower() in wanted for x in answer)


def _no_exhortation_filter() -> list[str]:
    return [k for k, t in ACTION_ITEM_CANDIDATES.items() if review_action_item(t).has_owner
            and review_action_item(t).has_date]


def _exhortations() -> list[str]:
    return [k for k, t in ACTION_ITEM_CANDIDATES.items() if not review_action_item(t).changes_the_system]


def _without_owner_or_date() -> list[str]:
    return [k for k, t in ACTION_ITEM_CANDIDATES.items()
            if not (review_action_item(t).has_owner and review_action_item(t).has_date)]


def _system_only() -> list[str]:
    return [k for k, t in ACTION_ITEM_CANDIDATES.items() if review_action_item(t).changes_the_system]


TASKS.add(Task(
    id="08.action-items",
    title="Action items a reviewer would accept",
    prompt="Which of lesson.ACTION_ITEM_CANDIDATES would a postmortem reviewer accept as written: one owner, a due "
           "date, and a change to the system rather than to people's effort? A list of ids.",
    reference=accepted_action_items,
    compare=checks.same_items(what="action items"),
    hints=[
        "For each item: who will do it, by when, and what will be different in the system once it is done?",
        "Drop any item without 'Owner:' and a YYYY-MM-DD date, and any that asks people to be careful, remember or "
        "double-check.",
    ],
    misconceptions=[
        Misconception("accepted 'be careful' because it has an owner and a date",
                      "Some of your items have an owner and a date but only ask people to try harder. What changes in "
                      "the system when someone is 'more careful'?",
                      _no_exhortation_filter, matches=lambda a: _mentions(a, _exhortations())),
        Misconception("accepted good ideas with no owner or date",
                      "Those items would change the system, but who does them, and by when? An item without both is a "
                      "wish.",
                      _system_only, matches=lambda a: _mentions(a, _without_owner_or_date())),
    ],
))


def _named_statements_as_first() -> list[str]:
    names = "|".join(TEAM)
    return [s.id for s in STATEMENTS if s.story == "second" and not re.search(rf"\b({names})\b", s.text)]


TASKS.add(Task(
    id="08.second-story",
    title="The second story",
    prompt="Which of lesson.STATEMENTS tell the *second story* of INC-0611 (what made an action reasonable at the "
           "time), rather than the first (who did what, judged by the outcome)? A list of ids.",
    reference=second_story,
    compare=checks.same_items(what="statements"),
    hints=[
        "For each statement: does it stop at a person's action, or does it tell you why that action made sense then?",
        "A second-story statement names a condition you could change (a document, a checklist, a pipeline, a "
        "dashboard); a name in it is not what decides.",
    ],
    misconceptions=[
        Misconception("treated every statement that names a person as blame",
                      "You left out a statement that names someone but explains the conditions around them. Blameless "
                      "is not nameless: does the statement stop at the person, or explain them?",
                      _named_statements_as_first),
        Misconception("picked the first story",
                      "Those are the first story: who did what. Which statements explain why it made sense at the time?",
                      lambda: [s.id for s in STATEMENTS if s.story == "first"]),
        Misconception("gave the statements' numbers, not their ids",
                      "Your list holds numbers. How are the statements labelled when you print them?",
                      lambda: [int(s.id.lstrip("S")) for s in STATEMENTS if s.story == "second"],
                      matches=lambda a: not isinstance(a, str) and isinstance(a, Iterable) and any(
                          isinstance(x, numbers.Integral) for x in a)),
    ],
))


TASKS.add(Task(
    id="08.tune-until-actionable",
    title="How many alerts to tune?",
    prompt="Tune the noisiest alerts one at a time (their non-actionable pages stop). What is the fewest alerts to "
           "tune so that at least half of the remaining pages are actionable? A whole number.",
    reference=lambda: smallest_top_for_actionable_majority(_p()),
    compare=checks.integer(),
    hints=[
        "After tuning k alerts, which pages are left, and what share of them needs action?",
        "Loop k from 0 upwards: drop non-actionable pages of the top-k alerts; stop at the first k where the "
        "actionable share of the rest is at least 0.5.",
    ],
    misconceptions=[
        Misconception("stopped one alert early",
                      "With one fewer alert tuned, fewer than half the remaining pages are actionable. Check your stopping rule.",
                      lambda: smallest_top_for_actionable_majority(_p()) - 1),
        Misconception("went one alert past",
                      "Half of the remaining pages were already actionable one alert earlier. The task asks for the fewest.",
                      lambda: smallest_top_for_actionable_majority(_p()) + 1),
        Misconception("listed the alerts to tune, not how many",
                      "Those are the alerts you would tune. The task asks how many of them.",
                      lambda: list(_counts().index[: smallest_top_for_actionable_majority(_p())]),
                      matches=lambda a: isinstance(a, list | tuple | pd.Index | pd.Series) and len(a) > 0
                      and all(isinstance(x, str) for x in a)),
    ],
    stretch=True,
))
