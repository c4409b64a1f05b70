"""Module 05's exercise: the status-update parts and rubric, and the tasks (``TASKS``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from steward import checks
from steward.datagen import load
from steward.lessons.incident.model import (
    ANSWER_MIN,
    CADENCE_SCENARIO,
    CADENCES,
    DEFAULTS,
    GAIN_SCENARIO,
    MAX_INTERRUPTED,
    MODULE,
    SEED,
    SMALL_TEAM_SCENARIO,
    TEAM_RANGE,
    UPDATE_WRITE_MIN,
    Interval,
    Simulation,
    _resample_adjusted,
    adjusted_difference,
    adjusted_interval,
    best_cadence,
    cadence_gains,
    cadence_spread,
    drills,
    durations,
    find_asks_for,
    focus_share,
    gain_by_team_size,
    gain_pct,
    mean_by,
    replay,
    simulate,
    smallest_helpful_team,
    stratified,
    team_spread,
)
from steward.tasks import Misconception, Rubric, Task, TaskSet

# -- the status update ---------------------------------------------------------------------------
# The check reads each part where a writer puts it: under a label ("Impact:", "What customers see:",
# "Now:", "Questions:"), or anywhere in prose when there is no label. A label with nothing behind it
# ("Impact: TBD", "Next update: soon") is a hollow part, and counts as missing.
_CLOCK = (r"\b\d{1,2}[:.h]\d{2}\b|\b\d{1,2}\s?(?:am|pm)\b|\bin\s+(?:\d+|a|an|one|two|five|ten|fifteen|twenty|thirty|"
          r"half an)\s*(?:min|minutes|mins|hours?|h)\b|\b\d+\s*(?:min|minutes)\b|"
          r"\b(?:quarter|half|ten|five|twenty)\s+(?:past|to)\s+\w+|\b\w+\s+o'clock\b|\bnoon\b|\bmidnight\b")
_NEXT = re.compile(r"\bnext\s+(?:update|post|message|status|note|bulletin)\b|\b(?:update|post|write|report)\s+again\b|"
                   r"\bupdates?\s+(?:at|by)\b", re.I)
_CONTACT_VERB = re.compile(r"\b(contact|questions?|reach|ping|ask|talk to|write to|come to|direct|who to ask)\b", re.I)
_CONTACT_WHERE = re.compile(
    r"([#@][\w-]+|\b(incident commander|commander|IC|comms lead|communications lead|on-call)\b"
    r"|\b(incident|status|war[- ]room)\s+(channel|room|bridge|call)\b)")
#: A named person after the verb: "Ask Dana", "contact Priya", "reach Tomás"; "ping me" names nobody.
_CONTACT_PERSON = re.compile(r"\b(?:[Aa]sk|[Cc]ontact|[Rr]each|[Pp]ing|[Tt]alk to|[Ww]rite to)\s+(?!me\b|us\b|the\b)[A-Z][\w'-]+")
#: What a reader outside the team sees (not the system's internals) …
_READER_NOUN = re.compile(r"\b(customers?|users?|shoppers?|buyers?|visitors?|people|product pages?|pages?|checkout|"
                          r"orders?|search|panel|basket|cart|buying|browse|pay)\b", re.I)
#: … and what happens to it.
_SYMPTOM = re.compile(r"\b(no|not|without|missing|cannot|can't|unable|errors?|fail\w*|slow\w*|down|unavailable|broken|"
                      r"time[sd]? out|timeouts?|degraded|blank|empty|works?|fine|normal\w*|unaffected|still)\b", re.I)
_ACTION = re.compile(
    r"\b((?:we are|we're|team is|currently)(?!\s+(?:hoping|waiting|trying|praying)\b)|we've|investigating|rolling back|rolled back|rollback|revert\w*|mitigat\w*|"
    r"working on|restart\w*|failing over|fail over|disabled?|disabling|scaling|paus\w*|in progress|applying|deploying)\b",
    re.I)
_HOLLOW = re.compile(r"^\W*(?:tbd|tbc|n/?a|none(?: yet)?|nothing(?: yet)?|minor|unknown|see above|\?+|-+|…|\.\.\.)\W*$", re.I)
_LABELS = {
    "impact": r"impact|customer impact|user impact|what (?:customers|users|shoppers) see|who is affected|affected",
    "action": r"current action|action|actions|now|what we(?:'re| are) doing|mitigation|status|next steps",
    "next": r"next update|next post|updates",
    "contact": r"contact|questions|who to ask|where to ask|comms|point of contact",
}
_LABEL_LINE = re.compile(r"^\s*(?:[-*•]\s*)?(?:\*\*)?\s*(" + "|".join(_LABELS.values()) + r")\s*(?:\*\*)?\s*:\s*(.*)$",
                         re.I | re.M)


def _labelled(text: str, part: str) -> list[str]:
    """The bodies of the lines labelled as ``part`` ("Impact: …")."""
    rx = re.compile(r"^(?:" + _LABELS[part] + r")$", re.I)
    return [m.group(2).strip() for m in _LABEL_LINE.finditer(text) if rx.match(m.group(1).strip())]


def _part(text: str, part: str, present: Callable[[str], bool]) -> bool:
    """A labelled part must carry its content; an unlabelled one is looked for in the whole text."""
    bodies = _labelled(text, part)
    if bodies:
        return any(body and not _HOLLOW.match(body) and present(body) for body in bodies)
    return present(text)


def _says_impact(text: str) -> bool:
    """A sentence about what readers outside the team see: one of their nouns and a symptom."""
    return any(_READER_NOUN.search(s) and _SYMPTOM.search(s) for s in re.split(r"(?<=[.;!?])\s+|\n", text))


def _says_action(text: str) -> bool:
    return bool(_ACTION.search(text))


def _says_next_update(text: str) -> bool:
    """A promise of the next update at a time: "Next update: 15:15 UTC", "next post by quarter past three"."""
    for match in _NEXT.finditer(text):
        if re.search(_CLOCK, text[match.start():match.start() + 90], re.I):
            return True
    return bool(_labelled(text, "next") and any(re.search(_CLOCK, b, re.I) for b in _labelled(text, "next")))


def _names_contact(text: str) -> bool:
    """Whom to contact: a verb of asking and a place or a person (a #channel, an @handle, a role,
    "the incident channel", or a capitalised name after the verb). "Ping me" names no place."""
    labelled = _labelled(text, "contact")
    if labelled:
        return any(_CONTACT_WHERE.search(b) or re.search(r"\b[A-Z][a-zá-ú]+\b", b) and not _HOLLOW.match(b)
                   and not re.match(r"^\W*(?:me|us|the team|someone)\W*$", b, re.I) for b in labelled)
    return bool(_CONTACT_VERB.search(text)) and bool(_CONTACT_WHERE.search(text) or _CONTACT_PERSON.search(text))


STATUS_PARTS: dict[str, Callable[[str], bool]] = {
    "impact (who is affected, and how)": lambda t: _part(t, "impact", _says_impact),
    "current action (what the team is doing now)": lambda t: _part(t, "action", _says_action),
    "next update time": _says_next_update,
    "who to contact": _names_contact,
}
#: What the structure check cannot judge, said with every verdict.
STATUS_LIMITS = ("It reads structure, not truth: it cannot tell whether the impact is right, or whether you will "
                 "keep the time you promise; the rubric judges that.")

STATUS_SAMPLE = (
    "[SEV2 · recommendations degraded · update 2]\n"
    "Impact: since 14:09 UTC about 30% of product pages show no 'You may also like' panel; checkout and "
    "search are not affected.\n"
    "Current action: we are rolling back this afternoon's Redis configuration change; early signs are good.\n"
    "Next update: 15:15 UTC, or sooner if anything changes.\n"
    "Contact: Dana (incident commander) in #inc-recs-0611; please ask there rather than DM the responders."
)


#: A short code per status-update part, for measuring the check on a labelled corpus.
STATUS_CODES = {"impact (who is affected, and how)": "missing-impact",
                "current action (what the team is doing now)": "missing-action",
                "next update time": "missing-next-update", "who to contact": "missing-contact"}
STATUS_MIN_WORDS = 25


def status_rules(text: Any) -> list[str]:
    """The codes of the rules a status update breaks: ``too-short`` or ``missing-<part>``."""
    if not isinstance(text, str) or not text.strip():
        return ["empty"]
    rules = ["too-short"] if len(text.split()) < STATUS_MIN_WORDS else []
    return rules + [STATUS_CODES[name] for name, present in STATUS_PARTS.items() if not present(text)]


def _no_next_update(text: Any) -> bool:
    return isinstance(text, str) and bool(text.strip()) and not STATUS_PARTS["next update time"](text) and all(
        present(text) for name, present in STATUS_PARTS.items() if name != "next update time")


def _status_compare(answer: Any, expected: Any) -> checks.Verdict:
    verdict = checks.structured_text(STATUS_PARTS, min_words=STATUS_MIN_WORDS)(answer, expected)
    if verdict.status == checks.NOT_ATTEMPTED:
        return verdict
    return checks.Verdict(verdict.status, " ".join(x for x in (verdict.message, STATUS_LIMITS) if x))


STATUS_RUBRIC = Rubric(
    id="05.status-update-rubric",
    title="A status update during an incident",
    criteria=[
        "Impact is in the reader's terms (what customers see, how many, since when), not in system internals.",
        "It says what we are doing now without promising a fix time we cannot know.",
        "It commits to the next update at a clock time, and then keeps that promise.",
        "It names one place and one person for questions, so the responders are left alone.",
        "It separates what we know from what we suspect; no blame, no guesses about root cause.",
    ],
    mid_level=("We're seeing some issues with the recommendation service after a Redis change. Looking into it, "
               "should be fixed soon. Ping me if you need anything."),
    senior_level=STATUS_SAMPLE,
)


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)




def _close_function(cases: Callable[[], Iterable[tuple[Any, ...]]], rel: float = 1e-6, abs_: float = 1e-9,
                    what: str = "case") -> checks.Comparator:
    """Like ``checks.function_on``, but numbers compare within a tolerance (the learner may
    add the terms in another order)."""

    def compare(answer: Any, expected: Callable[..., Any]) -> checks.Verdict:
        if not callable(answer):
            return checks.not_yet(f"Expected a function; got {checks.describe(answer)}.")
        blank = True
        for args in cases():
            want = expected(*args)
            try:
                got = answer(*args)
            except Exception as error:  # the learner's code: report, never raise
                return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for {what} {args!r}.")
            if checks.is_placeholder(got):
                continue
            blank = False
            value = checks._as_float(got)
            if value is None or math.isnan(value) or not math.isclose(value, want, rel_tol=rel, abs_tol=abs_):
                shown = f"{value:.4g}" if value is not None else checks.describe(got)  # 0.15, never 0.15000000000000002
                return checks.not_yet(f"For {what} {args!r} your function returns {shown}; the model gives {want:.4g}.")
        if blank:
            return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
        return checks.OK

    return compare


def _focus_cases() -> list[tuple[int, float, float]]:
    return [(f, a, s) for f in (1, 2, 4, 7) for a in (0.0, 3.0, 12.0, 40.0) for s in (0.0, 5.0, 15.0)]


def _focus_no_switch(fixers: float, asks: float, switch: float) -> float:
    return focus_share(fixers, asks, 0.0)


def _focus_not_shared(fixers: float, asks: float, switch: float) -> float:
    return focus_share(1, asks, switch)


def _focus_uncapped(fixers: float, asks: float, switch: float) -> float:
    return 1.0 - asks * (ANSWER_MIN + switch) / (60.0 * fixers)


def _focus_lost(fixers: float, asks: float, switch: float) -> float:
    return 1.0 - focus_share(fixers, asks, switch)


def _focus_capped_left(fixers: float, asks: float, switch: float) -> float:
    return max(MAX_INTERRUPTED, 1.0 - asks * (ANSWER_MIN + switch) / (60.0 * fixers))


def _focus_floored(fixers: float, asks: float, switch: float) -> float:
    return max(0.0, _focus_uncapped(fixers, asks, switch))


def _focus_per_minute(fixers: float, asks: float, switch: float) -> float:
    return focus_share(fixers, asks * 60.0, switch)


def _focus_percent(fixers: float, asks: float, switch: float) -> float:
    return 100.0 * focus_share(fixers, asks, switch)


def _same_function(reference: Callable[..., float]) -> Callable[[Any], bool]:
    compare = _close_function(_focus_cases)

    def matches(answer: Any) -> bool:
        return callable(answer) and compare(answer, reference).passed

    return matches


TASKS.add(Task(
    id="05.focus-share",
    title="How much of a fixer's time is left",
    prompt="Write `focus_share(fixers, asks_per_hour, switch_min)`: the share of each fixer's time left for the fix "
           "when the asks spread evenly over the fixers, each costing ANSWER_MIN plus `switch_min` minutes, with at "
           "most MAX_INTERRUPTED of anyone's time lost. A function returning a number between 0 and 1.",
    reference=lambda: focus_share,
    compare=_close_function(_focus_cases, what="(fixers, asks/h, switch min)"),
    hints=[
        "In one hour, how many minutes do the asks take from the whole team, and how many minutes does the team have?",
        "Lost share = asks × (ANSWER_MIN + switch_min) / (60 × fixers); cap it at MAX_INTERRUPTED; focus = 1 − lost.",
    ],
    misconceptions=[
        Misconception("left out the switch cost",
                      "Answering takes two minutes; what does getting back into the heap dump afterwards cost, and who pays it?",
                      lambda: _focus_no_switch, matches=_same_function(_focus_no_switch)),
        Misconception("charged every ask to every fixer",
                      "Each ask interrupts one person. How is the load shared when there are several fixers?",
                      lambda: _focus_not_shared, matches=_same_function(_focus_not_shared)),
        Misconception("did not cap the lost share",
                      "With 40 asks an hour and a 15-minute switch your share goes below zero. What do people do when "
                      "the questions would take all their time?",
                      lambda: _focus_uncapped, matches=_same_function(_focus_uncapped)),
        Misconception("capped at zero, not at MAX_INTERRUPTED",
                      "With 40 asks an hour and a 15-minute switch your fixers have no time left at all. Would "
                      "anyone really stop fixing entirely, and what does MAX_INTERRUPTED say?",
                      lambda: _focus_floored, matches=_same_function(_focus_floored)),
        Misconception("returned the share lost, not the share left",
                      "With no questions at all your function says 0. Is that the time lost to questions, or the "
                      "time left for the fix?",
                      lambda: _focus_lost, matches=_same_function(_focus_lost)),
        Misconception("read MAX_INTERRUPTED as a bound on the time left",
                      "MAX_INTERRUPTED bounds the share of time *lost* to questions. With 40 asks an hour, how much "
                      "is lost at most, and so how much is left at least?",
                      lambda: _focus_capped_left,
                      matches=lambda a: _same_function(_focus_capped_left)(a) or _same_function(
                          lambda f, q, w: min(MAX_INTERRUPTED, _focus_uncapped(f, q, w)))(a)),
        Misconception("mixed hours and minutes",
                      "The asks are counted per hour and each costs minutes. How many minutes does a fixer have in "
                      "that hour?",
                      lambda: _focus_per_minute, matches=_same_function(_focus_per_minute)),
        Misconception("gave a percentage, not a share",
                      "With no questions your function returns 100. The task asks for a share between 0 and 1.",
                      lambda: _focus_percent, matches=_same_function(_focus_percent)),
    ],
))

TASKS.add(Task(
    id="05.gain-at",
    title="The gain in one scenario",
    prompt=f"Run the simulator for {GAIN_SCENARIO}. By what percentage does a comms lead cut the mean time to "
           "mitigate (100 × (1 − mean with / mean without))? A number, in percent.",
    reference=lambda: gain_pct(**GAIN_SCENARIO),
    compare=checks.number(rel=1e-3, unit="percent"),
    hints=[
        "'Faster' by what measure: less time, or more speed? Which one does the task define?",
        "lesson.simulate(**GAIN_SCENARIO) returns a Simulation; compare its mean_with and mean_without.",
    ],
    misconceptions=[
        Misconception("reported the speed-up instead of the time saved",
                      "That is the change read as speed (time without / time with − 1). The task asks how much "
                      "*shorter* the time is. Which of the two would '40% faster recovery' mean?",
                      lambda: simulate(**GAIN_SCENARIO).speedup_pct),
        Misconception("gave a fraction, not a percentage",
                      "That is a fraction between 0 and 1. The task asks for percent.",
                      lambda: gain_pct(**GAIN_SCENARIO) / 100),
        Misconception("gave the minutes saved, not a percentage",
                      "That is the saving in minutes. As a share of the time without a comms lead, what is it?",
                      lambda: simulate(**GAIN_SCENARIO).mean_without - simulate(**GAIN_SCENARIO).mean_with),
        Misconception("divided the other way round",
                      "Your gain is negative: a comms lead that made recovery slower. Which mean goes on top, so "
                      "that time saved comes out positive?",
                      lambda: -gain_pct(**GAIN_SCENARIO)),
        Misconception("ran the lesson's default scenario",
                      "That is the gain for lesson.DEFAULTS. Which scenario does the task name?",
                      lambda: gain_pct(**DEFAULTS)),
        Misconception("compared medians, not means",
                      "That compares the medians. The task defines the gain with the mean time to mitigate; why "
                      "might the two differ for times with a long tail?",
                      lambda: 100 * (1 - float(np.median(simulate(**GAIN_SCENARIO).with_lead))
                                     / float(np.median(simulate(**GAIN_SCENARIO).without)))),
        Misconception("averaged each incident's gain",
                      "That averages each simulated incident's own gain. The task compares the two *mean* times; "
                      "which incidents carry most of a mean time?",
                      lambda: 100 * float(np.mean(1 - simulate(**GAIN_SCENARIO).with_lead
                                                  / simulate(**GAIN_SCENARIO).without))),
    ],
))

def _first_positive_gain() -> float:
    gains = gain_by_team_size(**SMALL_TEAM_SCENARIO)
    return float(gains[gains > 0].iloc[0])


def _is_a_positive_gain(answer: Any) -> bool:
    """The learner took a value of `gains` (the first positive one, or the smallest positive one)."""
    value = checks._as_float(answer)
    gains = gain_by_team_size(**SMALL_TEAM_SCENARIO)
    positive = gains[gains > 0]
    return value is not None and any(math.isclose(value, g, rel_tol=1e-6) for g in (positive.iloc[0], positive.min()))


TASKS.add(Task(
    id="05.smallest-team",
    title="When a comms lead starts to pay",
    prompt=f"With {SMALL_TEAM_SCENARIO}, what is the smallest team size (responders, including the comms lead) "
           "for which a comms lead shortens the mean time to mitigate? A whole number.",
    reference=lambda: smallest_helpful_team(**SMALL_TEAM_SCENARIO),
    compare=checks.integer(),
    hints=[
        "What does the team give up when one of its people stops fixing, and when is that worth it?",
        "lesson.gain_by_team_size(**SMALL_TEAM_SCENARIO) gives the gain per team size; find the first positive one.",
    ],
    misconceptions=[
        Misconception("counted fixers, not responders",
                      "That is the number of *fixers*. The task counts every responder, the comms lead included.",
                      lambda: smallest_helpful_team(**SMALL_TEAM_SCENARIO) - 1),
        Misconception("picked the team size with the largest gain",
                      "That is where the gain is largest. The task asks where it first becomes positive.",
                      lambda: int(gain_by_team_size(**SMALL_TEAM_SCENARIO).idxmax())),
        Misconception("gave the gain, not the team size",
                      "That is a gain in percent. Where in `gains` are the team sizes, in its values or in its index?",
                      lambda: _first_positive_gain(), matches=_is_a_positive_gain),
        Misconception("gave the position, not the team size",
                      "That is a position in `gains`, counted from 0. Which team size sits at that position?",
                      lambda: smallest_helpful_team(**SMALL_TEAM_SCENARIO) - TEAM_RANGE[0]),
        Misconception("counted the team sizes that gain",
                      "That is how many team sizes gain from a comms lead. Which is the smallest of them?",
                      lambda: int((gain_by_team_size(**SMALL_TEAM_SCENARIO) > 0).sum())),
    ],
))


def _conditions(value: Any) -> dict[str, float] | None:
    if not isinstance(value, Mapping):
        return None
    try:
        scenario = {k: float(value[k]) for k in DEFAULTS}
    except (KeyError, TypeError, ValueError):
        return None
    return scenario


def _gain_of(value: Any) -> float | None:
    scenario = _conditions(value)
    if scenario is None:
        return None
    try:
        return simulate(int(scenario["team_size"]), scenario["asks_per_hour"], scenario["switch_min"],
                        scenario["cadence_min"]).gain_pct
    except ValueError:
        return None


FORTY, FIVE = (35.0, 45.0), (0.0, 10.0)


def _pair_of_conditions(answer: Any) -> tuple[Any, Any] | None:
    if isinstance(answer, tuple | list) and len(answer) == 2:
        return answer[0], answer[1]
    return None


def _conditions_compare(answer: Any, expected: Any) -> checks.Verdict:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return checks.not_yet("Expected a pair: (conditions for about 40%, conditions for about 5%), each a dict with "
                              f"the keys {', '.join(DEFAULTS)}.")
    verdicts = []
    for label, conditions, (low, high) in (("first", pair[0], FORTY), ("second", pair[1], FIVE)):
        gain = _gain_of(conditions)
        if gain is None:
            return checks.not_yet(_not_conditions(label, conditions))
        if not low <= gain <= high:
            verdicts.append(f"your {label} scenario gives a gain of {gain:.1f}%, outside {low:g}–{high:g}%")
    if verdicts:
        text = "; ".join(verdicts) + "."
        return checks.not_yet(text[0].upper() + text[1:])
    return checks.OK


def _not_conditions(label: str, value: Any) -> str:
    """Why one half of the pair is not a scenario, in the learner's terms."""
    keys = ", ".join(DEFAULTS)
    if value is None:
        return (f"Your {label} scenario is None: did your search run through every value without finding a gain in "
                "the range? Which other slider could you move?")
    if isinstance(value, Simulation):
        return f"Your {label} scenario is a Simulation; pass the conditions you gave it, as a dict with the keys {keys}."
    if checks._as_float(value) is not None:
        return (f"Your {label} scenario is a number (a gain?). The task asks for the conditions that give that gain: "
                f"a dict with the keys {keys}.")
    if isinstance(value, Mapping):
        missing = [k for k in DEFAULTS if k not in value]
        if missing:
            return (f"Your {label} scenario lacks {', '.join(missing)}: give every key of lesson.DEFAULTS "
                    "(`{**lesson.DEFAULTS, ...}` starts from the defaults).")
    return (f"The {label} conditions are not a scenario the simulator can run: give a dict with the keys {keys}, a team "
            f"of at least two and a cadence above {UPDATE_WRITE_MIN:g} min.")


def _speedup_of(value: Any) -> float | None:
    scenario = _conditions(value)
    if scenario is None:
        return None
    try:
        return simulate(int(scenario["team_size"]), scenario["asks_per_hour"], scenario["switch_min"],
                        scenario["cadence_min"]).speedup_pct
    except ValueError:
        return None


def _forty_as_speed(answer: Any) -> bool:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return False
    speed, gain = _speedup_of(pair[0]), _gain_of(pair[0])
    return speed is not None and gain is not None and FORTY[0] <= speed <= FORTY[1] and not FORTY[0] <= gain <= FORTY[1]


def _swapped(answer: Any) -> bool:
    pair = _pair_of_conditions(answer)
    if pair is None:
        return False
    first, second = _gain_of(pair[0]), _gain_of(pair[1])
    return first is not None and second is not None and FIVE[0] <= first <= FIVE[1] and FORTY[0] <= second <= FORTY[1]


def _forty_and_five() -> tuple[dict[str, float], dict[str, float]]:
    return find_asks_for(40.0), find_asks_for(5.0)


TASKS.add(Task(
    id="05.forty-and-five",
    title="Make the gain 40%, then 5%",
    prompt="Find two scenarios: one where the comms lead's gain is about 40% (35–45%) and one where it is about 5% "
           f"(0–10%). Pass them as a pair of dicts with the keys {list(DEFAULTS)}.",
    reference=_forty_and_five,
    compare=_conditions_compare,
    hints=[
        "What has to be true of the interruptions for removing them to be worth one fewer fixer?",
        "Start from lesson.DEFAULTS and move one slider at a time; asks per hour and the switch cost move the gain most.",
    ],
    misconceptions=[
        Misconception("read '40% faster' as a 40% speed-up",
                      "Your first scenario makes recovery 1.4× as *fast*, which is only about 29% less *time*. The "
                      "task measures time saved. Which reading did the essay mean? Nobody can tell, which is a "
                      "question to ask of the claim.",
                      lambda: (find_asks_for(40.0, measure="speedup"), find_asks_for(5.0)), matches=_forty_as_speed),
        Misconception("swapped the two scenarios",
                      "Both scenarios work, in the other order: first the one for about 40%, then the one for about 5%.",
                      lambda: (find_asks_for(5.0), find_asks_for(40.0)), matches=_swapped),
    ],
))


def _incidents() -> pd.DataFrame:
    return load("incidents")


@lru_cache(maxsize=1)
def _durations() -> pd.DataFrame:
    return durations(_incidents())


@lru_cache(maxsize=1)
def _strata() -> pd.DataFrame:
    return stratified(_incidents())


def _mean_by(column: str) -> pd.Series:
    return _durations().groupby("commander")[column].mean()


TASKS.add(Task(
    id="05.naive-mttm",
    title="Mean time to mitigate, with and without a commander",
    prompt="From the incidents table: the mean minutes from detection to mitigation, for incidents without "
           "(False) and with (True) a named commander. A Series indexed by `commander`.",
    reference=lambda: mean_by(_incidents(), "ttm_min"),
    compare=checks.series(rel=1e-3, what="mean minutes to mitigate"),
    hints=[
        "Which two timestamps bound 'time to mitigate', and in what unit do you get their difference?",
        "(mitigated_at − detected_at).dt.total_seconds() / 60, then group by commander and take the mean.",
    ],
    misconceptions=[
        Misconception("measured to resolution, not mitigation",
                      "That runs until the incident was *resolved*. Mitigation is when customers stopped feeling it.",
                      lambda: _mean_by("ttr_min")),
        Misconception("measured from acknowledgement",
                      "That starts at acknowledgement. The task measures from detection: the clock customers feel "
                      "starts before anyone picks up the page.",
                      lambda: _mean_by("ttm_min") - _mean_by("tta_min")),
        Misconception("gave hours, not minutes",
                      "Those look like hours. The task asks for minutes.",
                      lambda: _mean_by("ttm_min") / 60),
        Misconception("gave seconds, not minutes",
                      "Those look like seconds: `total_seconds()` counts seconds. How many seconds make a minute?",
                      lambda: _mean_by("ttm_min") * 60),
        Misconception("used medians",
                      "Those are medians. The task asks for the mean (MTTM is a mean); why might the two differ for "
                      "times with a long tail?",
                      lambda: _durations().groupby("commander")["ttm_min"].median()),
    ],
))


def _is_means_table(answer: Any) -> bool:
    return isinstance(answer, pd.DataFrame) and {str(c) for c in answer.columns} == {"False", "True"}


TASKS.add(Task(
    id="05.by-severity",
    title="The difference within each severity",
    prompt="For each severity: mean minutes to mitigate without a commander − mean with one (positive means the "
           "commander's incidents were mitigated sooner). A Series indexed by `severity`.",
    reference=lambda: stratified(_incidents()).difference_min,
    compare=checks.series(rel=1e-3, what="difference in mean minutes"),
    hints=[
        "If bigger incidents get commanders and bigger incidents take longer, whom should you compare with whom?",
        "Group by severity and commander, take the mean of minutes to mitigate, unstack, then False − True.",
    ],
    misconceptions=[
        Misconception("subtracted the other way round",
                      "Your signs are flipped: the task asks for without − with, so positive means the commander helped.",
                      lambda: -_strata().difference_min),
        Misconception("used medians",
                      "Those are medians. The task asks for means (MTTM is a mean).",
                      lambda: _durations().pivot_table(index="severity", columns="commander", values="ttm_min",
                                                                  aggfunc="median").pipe(lambda t: t[False] - t[True])),
        Misconception("gave the table of means, not the difference",
                      "That is the table of means, a column per value of `commander`. The task wants one number per "
                      "severity: which column minus which?",
                      lambda: _strata()[["without_min", "with_min"]].set_axis([False, True], axis=1),
                      matches=_is_means_table),
        Misconception("divided instead of subtracting",
                      "Those are ratios of the two means. The task asks how many *minutes* sooner: a difference.",
                      lambda: _strata().without_min / _strata().with_min),
        Misconception("measured to resolution, not mitigation",
                      "Those differences run until the incidents were *resolved*. The task compares minutes to "
                      "mitigation, when customers stopped feeling it: which timestamp ends that clock?",
                      lambda: _durations().pivot_table(index="severity", columns="commander", values="ttr_min",
                                                       aggfunc="mean").pipe(lambda t: t[False] - t[True])),
    ],
))


def _unweighted() -> float:
    return float(_strata().difference_min.mean())


def _one_group_weights() -> tuple[float, float]:
    """The within-severity differences weighted by one group's counts: the commanded incidents', then the
    uncommanded ones' (a `groupby` on the filtered frame, or the wrong column of the counts)."""
    strata = _strata()
    return tuple(float(np.average(strata.difference_min, weights=strata[n])) for n in ("n_with", "n_without"))


def _misaligned() -> float:
    """``np.average(by_severity, weights=severity.value_counts())``: the weights in count order, the
    differences in severity order, paired by position."""
    counts = _incidents()["severity"].value_counts()
    return float(np.average(_strata().difference_min.to_numpy(), weights=counts.to_numpy()))


TASKS.add(Task(
    id="05.adjusted-effect",
    title="The commander's effect, adjusted for severity",
    prompt="Average the within-severity differences, weighting each severity by its number of incidents. "
           "A number, in minutes (positive: a commander shortens mitigation).",
    reference=lambda: adjusted_difference(_incidents()),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "Should a severity with a handful of incidents count as much as one with a hundred?",
        "Multiply each severity's difference by its incident count, sum, and divide by the total count.",
    ],
    misconceptions=[
        Misconception("compared the two groups without stratifying",
                      "That is the naive difference, which mixes a SEV1-heavy group with a SEV4-heavy one. What is "
                      "severity doing to both columns?",
                      lambda: float(_mean_by("ttm_min")[False] - _mean_by("ttm_min")[True])),
        Misconception("averaged the severities without weights",
                      "That gives the four SEV1 incidents without a commander as much say as 141 SEV4s. Weight each "
                      "severity by how many incidents it has.",
                      _unweighted),
        Misconception("paired each weight with another severity",
                      "Your weights and differences are in different orders: `value_counts()` sorts by count, your "
                      "differences by severity, and `np.average` pairs them by position. Which weight went with SEV1?",
                      _misaligned),
        Misconception("did not divide by the total weight",
                      "That is a sum of minutes × incidents. What do you divide by to make it an average?",
                      lambda: float((_strata().difference_min * _strata().n).sum())),
        Misconception("weighted by one group's incidents only",
                      "Your weights count only one group's incidents: those with a commander, or those without. "
                      "The task weights each severity by all its incidents. Which severities does one group's count "
                      "make too heavy?",
                      lambda: _one_group_weights()[0],
                      matches=lambda a: any(checks.number(rel=1e-3)(a, w).passed for w in _one_group_weights())),
        Misconception("subtracted the other way round",
                      "Your sign is flipped: the task asks for without − with, so positive means the commander helped.",
                      lambda: -adjusted_difference(_incidents())),
    ],
))


@lru_cache(maxsize=1)
def _interval() -> Interval:
    return adjusted_interval(_incidents())


def _pair(answer: Any) -> tuple[float, float] | None:
    if isinstance(answer, Interval):
        return answer.low, answer.high
    if isinstance(answer, np.ndarray | pd.Series | pd.Index) and answer.size == 2:  # np.percentile's array
        answer = list(np.asarray(answer).reshape(-1))
    if isinstance(answer, tuple | list) and len(answer) == 2:
        low, high = checks._as_float(answer[0]), checks._as_float(answer[1])
        if low is not None and high is not None and math.isfinite(low) and math.isfinite(high):
            return low, high
    return None


#: Bootstrap bounds move by a few tenths of a minute with the seed and the number of draws.
INTERVAL_TOLERANCE_MIN = 1.5


def _interval_compare(answer: Any, expected: Interval | tuple[float, float]) -> checks.Verdict:
    want = _pair(expected)
    if want is None:
        return checks.not_yet("The check has no interval to compare with.")
    pair = _pair(answer)
    if pair is None:
        if _has_nan(answer):
            return checks.not_yet("Your bounds are NaN: a resample with no incident in one severity × commander cell "
                                  "gives NaN, and one NaN makes the percentile NaN. Which resamples does the task say "
                                  "to skip?")
        return checks.not_yet(f"Expected a pair (low, high) of minutes; got {checks.describe(answer)}.")
    low, high = pair
    if low > high:
        return checks.not_yet("Your bounds are in the order (high, low). Give (low, high).")
    off = max(abs(low - want[0]), abs(high - want[1]))
    if off <= INTERVAL_TOLERANCE_MIN:
        return checks.OK
    return checks.not_yet(f"({low:.1f}, {high:.1f}) is not the bootstrap interval of the adjusted difference: a "
                          f"bound is {off:.1f} min from what 2,000 resamples give (tolerance ±{INTERVAL_TOLERANCE_MIN} min).")


def _has_nan(answer: Any) -> bool:
    try:
        return bool(np.isnan(np.asarray(answer, dtype=float)).any())
    except (TypeError, ValueError):
        return False


def _adjusted_draws() -> np.ndarray:
    d = _durations()
    values = _resample_adjusted(d, np.random.RandomState(SEED).randint(0, len(d), size=(2000, len(d))))
    return values[np.isfinite(values)]


def _quantiles_as_percentiles() -> tuple[float, float]:
    low, high = np.percentile(_adjusted_draws(), [0.025, 0.975])
    return float(low), float(high)


def _standard_error_interval() -> tuple[float, float]:
    draws = _adjusted_draws()
    half = 1.96 * draws.std() / math.sqrt(draws.size)
    return float(draws.mean() - half), float(draws.mean() + half)


def _naive_interval() -> tuple[float, float]:
    d = _durations()
    rng = np.random.RandomState(SEED)
    idx = rng.randint(0, len(d), size=(2000, len(d)))
    minutes, commander = d["ttm_min"].to_numpy()[idx], d["commander"].to_numpy()[idx]
    with np.errstate(invalid="ignore"):
        values = (np.where(~commander, minutes, 0).sum(1) / (~commander).sum(1)
                  - np.where(commander, minutes, 0).sum(1) / commander.sum(1))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


TASKS.add(Task(
    id="05.adjusted-interval",
    title="How sure is the adjusted effect?",
    prompt="Bootstrap the severity-adjusted difference: resample the year's incidents with replacement 2,000 times, "
           "compute the adjusted difference on each resample (skip a resample where a severity has no incident with "
           "or without a commander), and give the middle 95% as a pair (low, high), in minutes.",
    reference=_interval,
    compare=_interval_compare,
    hints=[
        "Only a few SEV1s had no commander. If the year had gone slightly differently, how far could your Task 7 "
        "number move?",
        "For 2,000 draws: pick row numbers with rng.integers and recompute the adjusted difference (with numpy "
        "arrays and np.bincount per severity × commander it takes a second; pandas per draw takes ten); "
        "np.percentile(values, [2.5, 97.5]).",
    ],
    misconceptions=[
        Misconception("bootstrapped the naive difference",
                      "That interval is around the naive difference, which mixes SEV1-heavy and SEV4-heavy groups. Which "
                      "statistic should each resample recompute?",
                      _naive_interval),
        Misconception("gave the range of the four severities' differences",
                      "Those are the smallest and largest within-severity differences. The interval is for the "
                      "*weighted average* of them, across resamples of the year.",
                      lambda: (float(_strata().difference_min.min()), float(_strata().difference_min.max()))),
        Misconception("asked np.percentile for 0.025 and 0.975",
                      "Those bounds sit among the smallest resamples. `np.percentile` counts from 0 to 100; "
                      "`quantile` from 0 to 1. Which scale did you give it?",
                      _quantiles_as_percentiles),
        Misconception("divided the spread by the square root of the draws",
                      "That is the standard error of the *mean of 2,000 draws*, which shrinks as you draw more. "
                      "Does drawing more resamples make the year's incidents more informative?",
                      _standard_error_interval),
    ],
))


TASKS.add(Task(
    id="05.drill-savings",
    title="What the guided choices would have saved",
    prompt="Replay INC-0611 (lesson.replay) with the guided option at every decision point of lesson.drills(). How many "
           "minutes of customer impact would that have saved against what happened? A number, in minutes.",
    reference=lambda: replay().impact_min - replay({p.id: p.guided for p in drills()}).impact_min,
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "What happened is one replay and the guided choices are another. Which quantity of the two do you subtract?",
        "lesson.replay() replays what happened; lesson.replay(choices) takes a dict decision id → option (each point "
        "of lesson.drills() has .id and .guided). Both give .impact_min.",
    ],
    misconceptions=[
        Misconception("gave the impact of the guided replay, not the saving",
                      "That is how long the impact lasts with the guided choices. How much shorter is it than what happened?",
                      lambda: replay({p.id: p.guided for p in drills()}).impact_min),
        Misconception("gave the error budget, not minutes",
                      "That is the error budget saved, in percent. The task asks for minutes of impact.",
                      lambda: replay().budget_pct - replay({p.id: p.guided for p in drills()}).budget_pct),
        Misconception("counted only the earlier declaration",
                      "Declaring when Priya noticed is one of the choices. What does rolling back before the diagnosis add?",
                      lambda: replay().impact_min - replay({"declare": "declare"}).impact_min),
        Misconception("counted only the earlier rollback",
                      "Rolling back when scaling failed is one of the choices. What does declaring when Priya noticed add?",
                      lambda: replay().impact_min - replay({"mitigate": "rollback"}).impact_min),
        Misconception("subtracted the other way round",
                      "A saving of minus that many minutes would mean the guided choices made it worse. Which replay "
                      "do you subtract from which?",
                      lambda: replay({p.id: p.guided for p in drills()}).impact_min - replay().impact_min),
    ],
))


#: Words of the system's internals: an impact written in them says nothing a customer would notice.
_INTERNAL = re.compile(r"\b(p\d\d|latency|evictions?|redis|cache|ms|5xx|errors? rate|cpu|memory|slo|timeouts?|"
                       r"service|api|pods?|shards?)\b", re.I)


def _missing_only(text: Any, part: str) -> bool:
    return isinstance(text, str) and bool(text.strip()) and status_rules(text) == [STATUS_CODES[part]]


def _internal_impact(text: Any) -> bool:
    """Only the impact is missing, and the text talks about the system instead."""
    return _missing_only(text, "impact (who is affected, and how)") and bool(_INTERNAL.search(text))


def _no_contact(text: Any) -> bool:
    return _missing_only(text, "who to contact")


_INTERNAL_IMPACT = STATUS_SAMPLE.replace(
    "Impact: since 14:09 UTC about 30% of product pages show no 'You may also like' panel; checkout and search are "
    "not affected.", "Impact: since 14:09 UTC recommendation-api p99 is over its SLO and Redis evictions are high.")
_NO_CONTACT = STATUS_SAMPLE.split("\nContact:")[0]


TASKS.add(Task(
    id="05.status-update",
    title="Write the status update",
    prompt="Write the second status update of the incident in lesson.STATUS_SCENARIO: impact, current action, the "
           "time of the next update, and whom to contact. Text; only its structure is checked.",
    reference=lambda: "structure",
    compare=_status_compare,
    hints=[
        "If you were the product manager reading this in a meeting, what four things would you need to know?",
        "Impact in customer terms; what we are doing now; 'Next update: HH:MM UTC'; a channel and a named person for questions.",
    ],
    misconceptions=[
        Misconception("left out when the next update comes",
                      "Without a time for the next update, what will every stakeholder do in ten minutes?",
                      lambda: STATUS_SAMPLE.replace("Next update: 15:15 UTC, or sooner if anything changes.\n", ""),
                      matches=_no_next_update),
        Misconception("described the impact in the system's terms",
                      "A product manager reads 'p99' or 'evictions'. What does a *customer* see on the page, and how "
                      "many of them?",
                      lambda: _INTERNAL_IMPACT, matches=_internal_impact),
        Misconception("left out whom to contact",
                      "A stakeholder with a question reads this. Where should they ask, and whom, so the responders "
                      "are left alone?",
                      lambda: _NO_CONTACT, matches=_no_contact),
    ],
    sample_answer=lambda: STATUS_SAMPLE,
))

STATUS_SCENARIO = (
    "14:02 UTC a Redis configuration change ships; 14:09 recommendation latency breaches its SLO and about 30% of "
    "product pages render without the 'You may also like' panel; 14:31 the burn-rate alert pages the on-call; 14:41 "
    "Dana is named incident commander and opens #inc-recs-0611; 14:45 the first update goes out; 14:58 the team "
    "starts rolling back the change. It is now 15:00 UTC."
)


def _cadence_minutes() -> float:
    gains = cadence_gains(**CADENCE_SCENARIO)
    return float(gains.idxmax() - gains.idxmin())


def _is_cadence_minutes(answer: Any) -> bool:
    value = checks._as_float(answer)
    return value is not None and math.isclose(abs(value), abs(_cadence_minutes()))


TASKS.add(Task(
    id="05.cadence-spread",
    title="How much does the update cadence matter?",
    prompt=f"With {CADENCE_SCENARIO}, compute the comms lead's gain at every cadence in {list(CADENCES)} minutes. "
           "By how many percentage points does the best cadence beat the worst? A number, in percentage points. "
           "Then compare it with how much the team size moves the gain.",
    reference=lambda: cadence_spread(**CADENCE_SCENARIO),
    compare=checks.number(rel=1e-3, abs=0.01, unit="percentage points"),
    hints=[
        "Before you pick a 'best' cadence: how far apart are the best and the worst, next to what the team size does?",
        "lesson.cadence_gains(**lesson.CADENCE_SCENARIO) gives the gain per cadence; subtract its min from its max.",
    ],
    misconceptions=[
        Misconception("gave the best cadence, not how much it matters",
                      "That is the best cadence in minutes. How many *points* of gain separate it from the worst?",
                      lambda: best_cadence(**CADENCE_SCENARIO)),
        Misconception("gave the gain at the best cadence",
                      "That is the gain at the best cadence. The question is the gap between the best and the worst.",
                      lambda: float(cadence_gains(**CADENCE_SCENARIO).max())),
        Misconception("gave the gap as a ratio",
                      "That is a ratio of gains. The task asks for the difference in percentage points.",
                      lambda: float(cadence_gains(**CADENCE_SCENARIO).max() / cadence_gains(**CADENCE_SCENARIO).min())),
        Misconception("gave the gap between the cadences, in minutes",
                      "That is how many minutes apart the best and the worst cadence are. How many *points of gain* "
                      "apart are they?", _cadence_minutes, matches=_is_cadence_minutes),
        Misconception("gave the team size's spread",
                      "That is what the team size does, the number to compare with. What does the cadence do?",
                      lambda: team_spread(asks_per_hour=10, switch_min=10, cadence_min=15)),
    ],
    stretch=True,
))
