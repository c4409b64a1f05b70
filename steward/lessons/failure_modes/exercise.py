"""failure_modes · the linters, rubrics and tasks (``TASKS``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from steward import checks
from steward.datagen import load
from steward.tasks import Misconception, Rubric, Task, TaskSet

if TYPE_CHECKING:
    pass
from steward.lessons.failure_modes.model import (
    DAY,
    MODULE,
    NIGHT,
    SCORES,
    Conditions,
    _lens,
    _lens_inputs,
    detect_minutes,
    impact_ratio,
    lens,
    paging_saving,
    ranked,
    rpn,
    single_score_changes,
    top_modes,
    worksheet,
)

# -- the pre-mortem and the mitigation plan: structure a machine can check -------------------
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.MULTILINE)
_COMPONENT_WORDS = {
    "redis": ("redis", "cache"),
    "inventory-service": ("inventory",),
    "recommendation-engine": ("deploy", "engine", "model", "ranking", "pod", "recommendation"),
    "network": ("network", "dns", "zone", "partition", "load balancer"),
    "observability": ("alert", "monitor", "dashboard", "pager", "observability", "paging"),
    "data-pipeline": ("consumer", "kafka", "queue", "stream", "invalidation", "event"),
    "database": ("database", "postgres", "mysql", "sql"),
    "security": ("certificate", "tls", "credential", "secret", "token"),
}
#: Words and times that place a cause outside business hours. A careful writer says "Sunday",
#: "overnight", "4 a.m." or "out of hours" as often as "3 AM"; all of them count.
_OFF_HOURS = ("3 am", "3am", "night", "weekend", "holiday", "on-call", "on call", "oncall", "off-hours", "off hours",
              "after hours", "after-hours", "out of hours", "out-of-hours", "saturday", "sunday", "midnight",
              "christmas", "new year", "bank holiday", "public holiday", "evening", "dawn")
_EARLY_HOURS = re.compile(r"\b(?:0?[0-5])(?:[:.][0-5]\d)?\s*a\.?\s?m\b|\b0[0-5][:.][0-5]\d\b", re.IGNORECASE)
_SIGNAL = ("signal", "we would see", "we'd see", "we would have seen", "early warning", "warning sign", "leading indicator",
           "indicator", "symptom")
_ACTION = ("action", "now we will", "we will", "we'll", "this week", "before launch", "before we launch", "next step", "owner:")
_HEADLINE = re.compile(r"^\s*(?:#+\s*\S|\**\s*(?:headline|summary|title)\s*\**\s*[:\-–—])", re.IGNORECASE | re.MULTILINE)


def _lower(text: str) -> str:
    return " ".join(text.lower().split())


def _off_hours(text: str) -> bool:
    return any(word in _lower(text) for word in _OFF_HOURS) or _EARLY_HOURS.search(text) is not None


def premortem_parts() -> dict:
    """What the pre-mortem's structure check looks for (the judgment is yours, with the rubric).

    Lenient on form, strict on substance: "Headline:", "Summary:" or a Markdown heading all open
    it; any of several phrasings marks a signal or an action; "Sunday" or "4 a.m." is off-hours."""
    return {
        "a 'Headline:' line saying how the launch failed, as customers or the business saw it":
            lambda t: _HEADLINE.search(t) is not None,
        "at least three causes, each on its own line starting with '-' or '1.'":
            lambda t: len(_ITEM.findall(t)) >= 3,
        "causes in at least two different parts of the system (e.g. Redis and the inventory service)":
            lambda t: sum(any(word in _lower(t) for word in words) for words in _COMPONENT_WORDS.values()) >= 2,
        "a cause that only bites at night, on a weekend or on a holiday":
            _off_hours,
        "an early warning sign for the causes ('Signal:' or 'we would see')":
            lambda t: any(word in _lower(t) for word in _SIGNAL),
        "what you will do now ('Action:' or 'Now we will')":
            lambda t: any(word in _lower(t) for word in _ACTION),
    }


def _names_mode(text: str, mode: str) -> bool:
    """'FM11', 'fm11', 'FM 11' and 'FM-11' all name FM11."""
    match = re.fullmatch(r"([A-Za-z]+)0*(\d+)", mode)
    if not match:
        return mode.lower() in text.lower()
    prefix, number = match.groups()
    return re.search(rf"\b{prefix}[\s\-]?0*{number}\b", text, re.IGNORECASE) is not None


def mitigation_parts(modes: list[str]) -> dict:
    """Structure of a mitigation plan for ``modes`` (mode_ids): each named, each with a
    mitigation and a detection signal. 'Mitigation:', '**Mitigation**:' and 'mitigation -' all count."""
    parts = {f"each of the night's {len(modes)} highest risks by its mode_id (the first {len(modes)} of the lens's ranking in Task 5)":
             (lambda t: all(_names_mode(t, m) for m in modes))}
    parts[f"a 'Mitigation:' for each of the {len(modes)} modes"] = (
        lambda t: len(re.findall(r"\bmitigations?\b", t, re.IGNORECASE)) >= len(modes))
    parts[f"a 'Signal:' (how you would detect it) for each of the {len(modes)} modes"] = (
        lambda t: len(re.findall(r"\bsignals?\b", t, re.IGNORECASE)) >= len(modes))
    return parts


PREMORTEM_SAMPLE = """Headline: three months after launch, real-time inventory checks were switched off after a holiday weekend of oversold orders and a 40-minute outage of recommendations.
- The stock-change consumer stalled on Saturday night; the Redis cache kept serving sold-out items until support escalated on Tuesday. Signal: we would see the consumer's lag and the age of the newest cache entry climb; neither was alerted on.
- The inventory service slowed during the sale; our retries at every layer multiplied its load and it fell over. Signal: retries per request above 1.1 on the client dashboard.
- The inventory API's certificate expired on the holiday Monday at 3 AM; the one on-call engineer could not reach the security team for hours. Signal: days until expiry, checked daily.
- The alerting pipeline had been down since Friday, so the pages for all of the above never arrived. Signal: a heartbeat alert that pages when it stops.
Action: now we will page on consumer lag and cache age, cap retries with a token bucket, add certificate-expiry and alerting-heartbeat checks, and write the runbook for a night with one responder before launch."""


def _mitigation_sample(modes: list[str]) -> str:
    table = worksheet()
    lines = []
    advice = {
        "human": ("page on a symptom a machine can see (freshness, lag, a synthetic check) so no human has to notice",
                  "an alert on the measured symptom, routed to the on-call pager"),
        "ticket": ("turn the ticket into a page at a threshold that leaves time to act, and write the runbook",
                   "the existing check, paging instead of filing a ticket"),
        "page": ("remove the dependency on a specialist at night: a runbook and access for the on-call, a pre-approved fallback",
                 "the existing page, plus a leading indicator (expiry dates, retry ratio) a week ahead"),
    }
    for mode in modes:
        row = table.loc[mode]
        mitigation, signal = advice[str(row.channel)]
        lines.append(f"{mode} {row.failure_mode}\n  Mitigation: {mitigation}.\n  Signal: {signal} ({row.detected_by} today).")
    return "\n".join(lines)


PREMORTEM_RUBRIC = Rubric(
    id="01.premortem",
    title="A pre-mortem of real-time inventory checks",
    criteria=(
        "Each cause is a specific, plausible story (a component, a trigger, an effect), not a category like 'bugs'.",
        "At least one cause is about people and time: who is on call, who can fix it, what happens on a holiday.",
        "Each cause has an early signal that could be measured today.",
        "The actions are few, owned and doable before launch, and aimed at the causes ranked worst.",
    ),
    mid_level=("Headline: the launch failed because the feature was not reliable enough.\n"
               "- Redis could go down and the cache would be empty, so recommendations would be slow.\n"
               "- The inventory service could have bugs or be slow under load, which would cause timeouts.\n"
               "- Traffic could spike during the sale and we might not have enough capacity.\n"
               "- Our tests might not cover every edge case in the new code.\n"
               "Signal: monitoring and dashboards.\n"
               "Action: add more tests and more monitoring before launch."),
    senior_level=PREMORTEM_SAMPLE,
)

MITIGATION_RUBRIC = Rubric(
    id="01.mitigations",
    title="Mitigations and detection signals for the night's top three",
    criteria=(
        "Each mitigation shortens one named term of the model (detect, respond or repair) or lowers occurrence, and says which.",
        "Each signal is measurable by a machine and pages (or says why a ticket is enough).",
        "The plan is honest about cost: what it takes to build and who owns it.",
    ),
    mid_level=("FM11 Mitigation: add more retries so calls get through. Signal: alerts.\n"
               "FM03 Mitigation: ask the inventory team to fix it. Signal: monitoring.\n"
               "FM12 Mitigation: be careful with consumer deploys. Signal: dashboards."),
    senior_level=("FM11 Retry storm. Mitigation: lower occurrence, shorten respond. Retry at one layer only, behind a "
                  "token-bucket retry budget, so a slow inventory service is not buried under our retries; give the "
                  "on-call a runbook and the access to shed load, so the night does not wait for the inventory team's "
                  "specialist. Signal: retries per inventory call, paging above 1.2 for 5 minutes; our team, three days.\n"
                  "FM12 Stuck consumer. Mitigation: shorten detect. Page on a symptom (cache age > 10 min, consumer "
                  "lag) so detection no longer waits for a customer to complain; that cuts the detect term from days "
                  "to minutes. Signal: the age of the newest cache entry, alerted through the pager; our team, two days."),
)


# -- tasks ----------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _data() -> pd.DataFrame:
    return load("failure_modes")


@cache
def _prepared() -> pd.DataFrame:
    """The data, validated once for the tasks' reference answers (never handed out)."""
    return _lens_inputs(_data())


@cache
def _night_lens() -> pd.DataFrame:
    return _lens(_prepared(), NIGHT)


@cache
def _day_lens() -> pd.DataFrame:
    return _lens(_prepared(), DAY)


def _mode_ids() -> list[str]:
    return list(_prepared().index)


def _one_mode(answer, expected) -> checks.Verdict:
    """A mode_id such as 'FM07' (the options are read from the data when checking). A row number,
    a score or a failure mode's name is told what it is, not listed every option."""
    if isinstance(answer, int | np.integer) and not isinstance(answer, bool | np.bool_):
        return checks.not_yet(f"{int(answer)} is a row number, not a mode_id: with the table indexed by mode_id, "
                              "`idxmax()` gives the mode's id.")
    if isinstance(answer, float | np.floating):
        return checks.not_yet("That is a number (a score or minutes), not a mode: which mode has it? "
                              "`idxmax()` gives the label of the largest value.")
    if isinstance(answer, str) and answer.strip().lower() in {str(n).lower() for n in _prepared().failure_mode}:
        return checks.not_yet("That is the failure mode's name; the task asks for its mode_id, such as 'FM07'.")
    return checks.choice(_mode_ids())(answer, expected)


def _rpn_by_id() -> pd.Series:
    return rpn(_prepared())


def _ids(series: pd.Series, n: int = 5) -> list[str]:
    return list(series.index[:n])


def _night_top3() -> list[str]:
    return _ids(_night_lens().rpn, 3)


def _day_top3() -> list[str]:
    return _ids(_day_lens().rpn, 3)


TASKS.add(Task(
    id="01.rpn",
    title="Risk priority numbers",
    prompt="A Series indexed by mode_id: each failure mode's risk priority number (RPN).",
    reference=_rpn_by_id,
    compare=checks.series(rel=1e-9, what="RPN"),
    hints=[
        "Which three scores does an FMEA combine, and how: added or multiplied?",
        "RPN = severity × occurrence × detection, one per row; set mode_id as the index.",
    ],
    misconceptions=[
        Misconception("added the scores", "You added the three scores. An RPN multiplies them: why might a product rank risks differently from a sum?",
                      lambda: worksheet(_prepared())[list(SCORES)].sum(axis=1)),
        Misconception("left out detection", "That is severity × occurrence: the risk matrix. What does the third FMEA score add?",
                      lambda: worksheet(_prepared()).eval("severity * occurrence")),
        Misconception("left out occurrence", "That is severity × detection. How often a failure happens is the FMEA's second "
                      "score: where does it go?",
                      lambda: worksheet(_prepared()).eval("severity * detection")),
        Misconception("left out severity", "That is occurrence × detection. A frequent, hidden failure that harms nobody "
                      "would top your list: which score says how bad the failure is?",
                      lambda: worksheet(_prepared()).eval("occurrence * detection")),
        Misconception("read detection the wrong way round",
                      "You used 11 − detection. In an FMEA a detection score of 10 means we would *not* notice: is a hard-to-detect failure more or less risky?",
                      lambda: worksheet(_prepared()).eval("severity * occurrence * (11 - detection)")),
    ],
))

TASKS.add(Task(
    id="01.top-five",
    title="The five highest risks by day",
    prompt="A list of the five mode_ids with the highest RPN, highest first.",
    reference=lambda: top_modes(_prepared(), 5),
    compare=checks.same_items(ordered=True, what="mode_ids"),
    hints=[
        "Once every mode has an RPN, which way must you sort to put the worst risk first?",
        "Sort the RPN Series in descending order and take the first five labels: .sort_values(ascending=False).index[:5].",
    ],
    misconceptions=[
        Misconception("sorted lowest first", "Those are the five *lowest* RPNs. Which direction puts the worst first?",
                      lambda: list(ranked(_prepared()).index[::-1][:5])),
        Misconception("ranked by severity alone", "Those are the most severe modes. A rare, obvious failure can be severe and still a small risk: what else goes into the RPN?",
                      lambda: top_modes(_prepared(), 5, by="severity")),
        Misconception("ranked by severity × occurrence", "That is the risk matrix's order. Which failures does it rank too low because it ignores detection?",
                      lambda: list(worksheet(_prepared()).assign(so=lambda f: f.severity * f.occurrence).reset_index()
                                   .sort_values(["so", "severity", "mode_id"], ascending=[False, False, True]).mode_id[:5])),
    ],
))


def _not_paged_in_top10() -> int:
    top = ranked(_prepared()).head(10)
    return int((top.channel != "page").sum())


def _not_paged_in(rows: pd.DataFrame) -> int:
    return int((rows.channel != "page").sum())


def _off_by_one_counts() -> set[int]:
    """The count over the top nine or the top eleven (`iloc[:9]`, `head(11)`, `<= 10` on a 0-based rank),
    where it differs from the top ten's."""
    table = ranked(_prepared())
    return {_not_paged_in(table.head(n)) for n in (9, 11)} - {_not_paged_in_top10()}


def _lowest_ten_answers() -> tuple[int, float]:
    """The count, and the share, over the ten *lowest* RPNs (sorted ascending, then `head(10)`)."""
    low = ranked(_prepared()).tail(10)
    return _not_paged_in(low), float((low.channel != "page").mean())


def _is_lowest_ten(answer) -> bool:
    count, share = _lowest_ten_answers()
    value = checks._as_float(answer)
    return value is not None and count != _not_paged_in_top10() and (value == count or abs(value - share) < 1e-9)


TASKS.add(Task(
    id="01.not-paged",
    title="Who would notice?",
    prompt="Of the ten highest-RPN failure modes, how many would page nobody (their channel is not 'page')? A whole number.",
    reference=_not_paged_in_top10,
    compare=checks.integer(),
    hints=[
        "At 3 AM, which channels still reach a person who can act: a page, a ticket, or a human noticing?",
        "Take the ten highest RPNs, then count the rows whose channel is anything other than 'page' (tickets wait for business hours too).",
    ],
    misconceptions=[
        Misconception("counted only 'human'", "You counted the modes a human must notice. Who reads a ticket at 3 AM on a holiday?",
                      lambda: int((ranked(_prepared()).head(10).channel == "human").sum())),
        Misconception("counted over every mode", "You counted across the whole table. The task asks about the ten highest RPNs.",
                      lambda: int((worksheet(_prepared()).channel != "page").sum())),
        Misconception("counted one channel", "Did you count only one channel? Count the ten by channel: which "
                      "channels reach nobody at 3 AM, and how many of the ten use each of them?",
                      lambda: int((ranked(_prepared()).head(10).channel == "page").sum())),
        Misconception("gave a share", "That is a fraction of the ten. The task asks how many modes: a whole number.",
                      lambda: float((ranked(_prepared()).head(10).channel != "page").mean()),
                      matches=lambda a: checks.number(rel=1e-9)(a, float((ranked(_prepared()).head(10).channel != "page").mean())).passed),
        Misconception("counted the ten lowest", "Those are the ten *lowest* RPNs: which way did you sort before taking "
                      "ten? The worst risks come first.",
                      lambda: _lowest_ten_answers()[0], matches=_is_lowest_ten),
        Misconception("counted nine or eleven", "Count the rows you kept: are there exactly ten? `head(10)` and `iloc[:10]` "
                      "keep ten; `iloc[:9]`, `head(11)` and a 0-based `rank <= 10` do not.",
                      lambda: min(_off_by_one_counts(), default=None),
                      matches=lambda a: checks._as_float(a) in _off_by_one_counts()),
    ],
))


def _engage_night() -> pd.Series:
    return _night_lens().engage_min.sort_index()


TASKS.add(Task(
    id="01.night-engage",
    title="Minutes until someone is working on it, at 3 AM on a holiday",
    prompt="A Series indexed by mode_id: detect + respond minutes under `lesson.NIGHT` (the lesson's rules).",
    reference=_engage_night,
    compare=checks.series(rel=1e-6, what="minutes"),
    hints=[
        "The lens splits the time into detect, respond and repair. Which two happen before anyone starts repairing?",
        "detect depends on the channel (a page is as fast as by day; a ticket waits until business hours; a human waits for a watcher); "
        "respond = ack + the expert's delay if needed + call-in minutes for each missing crew member.",
    ],
    misconceptions=[
        Misconception("left out the response time", "That is detection alone. Knowing is not fixing: who has to wake up, and who do they have to call?",
                      lambda: detect_minutes(_prepared(), NIGHT).sort_index()),
        Misconception("treated tickets like pages", "Some of your times are far too short. Who reads a ticket filed at 3 AM on a holiday, and when?",
                      lambda: lens(_data().assign(channel=lambda f: f.channel.replace("ticket", "page")), NIGHT).engage_min.sort_index()),
        Misconception("used business-hours conditions", "Those are daytime minutes. What changes at 3 AM on a holiday: watchers, hours until staffed, specialists?",
                      lambda: _day_lens().engage_min.sort_index()),
        Misconception("treated unwatched failures like pages", "Some failures that only a person would notice are found "
                      "in your table as fast as by day. At 3 AM on a holiday, who is watching, and when does someone notice?",
                      lambda: lens(_data().assign(channel=lambda f: f.channel.replace("human", "page")), NIGHT).engage_min.sort_index()),
        Misconception("added hours to minutes", "Your tickets and unwatched failures wait `hours_until_staffed` *minutes* longer than by "
                      "day. It is a number of hours: what is it in minutes?",
                      lambda: _engage_night() - 59 * NIGHT.hours_until_staffed * (_night_lens().channel != "page")),
        Misconception("called in the whole crew", "Each of your response times is one call-in too long. The on-call engineer is "
                      "already there: how many people of the crew still have to be called in?",
                      lambda: _engage_night() + NIGHT.call_in_minutes * np.minimum(_prepared().crew, NIGHT.responders).sort_index()),
        Misconception("left out the acknowledgement", "Every one of your times is short by the same number of minutes. What does the "
                      "on-call engineer do between the page and starting work?",
                      lambda: _engage_night() - NIGHT.ack_minutes),
    ],
))

TASKS.add(Task(
    id="01.night-top",
    title="The top risk at 3 AM on a holiday",
    prompt="The mode_id of the highest risk under the lens at `lesson.NIGHT` (ranked by the lens's RPN = S × O × E), as text like 'FM07'.",
    reference=lambda: _night_lens().index[0],
    compare=_one_mode,
    hints=[
        "A failure that pages is noticed as fast at 3 AM as at 2 PM. Once the one on-call engineer is awake, what can they still wait for, and which score counts it?",
        "Call lesson.lens(data, lesson.NIGHT): it is sorted by the lens's RPN (S × O × E); read the first mode_id, then compare its detect_min with its respond_min.",
    ],
    misconceptions=[
        Misconception("gave the daytime top risk", "That is the top risk in business hours. At night, which repairs wait for a specialist or for people to be called in?",
                      lambda: _day_lens().index[0]),
        Misconception("ranked by expected minutes instead of RPN",
                      "That mode loses the most minutes a year, but it is less severe than the top risk. The task ranks by the lens's RPN: where does severity come in?",
                      lambda: _night_lens().impact_min_per_year.idxmax()),
        Misconception("ranked by detection alone under the lens",
                      "That ranking uses FMEA's detection score (time to notice), which a page keeps low at any hour. What does E add that D leaves out?",
                      lambda: _night_lens().assign(by_d=lambda f: f.severity * f.occurrence * f.detection)
                      .sort_values("by_d", ascending=False, kind="mergesort").index[0]),
        Misconception("ranked by engage minutes alone",
                      "That mode waits longest until someone works on it. The lens's RPN multiplies E by severity and "
                      "occurrence: how bad is that mode, and how often does it happen, next to the top of the ranking?",
                      lambda: _night_lens().engage_min.idxmax()),
    ],
))


def _flip_count(when: Conditions = NIGHT, modes: list[str] | None = None, direction: int | None = None) -> int:
    changes = single_score_changes(_prepared(), when)
    if modes is not None:
        changes = changes[changes.mode_id.isin(modes)]
    if direction is not None:
        changes = changes[np.sign(changes.change) == direction]
    return int(changes.flips.sum())


TASKS.add(Task(
    id="01.fragile-top",
    title="How fragile is the night's top risk?",
    prompt="Change one score (severity, occurrence or detection) of one failure mode by one point, up or down, staying within 1–10, "
           "and re-rank under `lesson.NIGHT`. Of all such single changes, how many change the night's top risk? A whole number.",
    reference=_flip_count,
    compare=checks.integer(),
    hints=[
        "The cell above the task prints how far the top leads the runner-up, in points of one score. Is one point more than that, "
        "and which other modes are within a point of the top?",
        "Loop over every mode, every score in lesson.SCORES and both directions (−1, +1), skipping scores that would leave 1–10; re-score a copy "
        "with lesson.top_risk(changed, lesson.NIGHT) and count the copies whose top is not the original top risk.",
    ],
    misconceptions=[
        Misconception("changed only the top two modes",
                      "You moved only the top two. Is the third-ranked mode more than one point of a score away from the top?",
                      lambda: _flip_count(modes=list(_night_lens().index[:2]))),
        Misconception("only raised scores",
                      "You only raised scores. A score written in a meeting can be one point too high as well as too low: what happens if the top risk's is?",
                      lambda: _flip_count(direction=1)),
        Misconception("re-ranked in business hours",
                      "That count is for business hours. The task re-ranks under the lens at `lesson.NIGHT`: did you pass it?",
                      lambda: _flip_count(when=DAY)),
        Misconception("counted every change",
                      "That is how many single changes there are. How many of them give a *different* top risk?",
                      lambda: len(single_score_changes(_prepared(), NIGHT))),
        Misconception("compared with the daytime top",
                      "Your count compares each re-ranked night with the top risk by day (Task 2). Which top risk does "
                      "a change have to move to count?",
                      lambda: int((single_score_changes(_prepared(), NIGHT).new_top != _day_lens().index[0]).sum())),
    ],
))

TASKS.add(Task(
    id="01.impact-ratio",
    title="How much worse is the night?",
    prompt="Expected minutes of impact per year summed over all modes under `lesson.NIGHT`, divided by the same sum under `lesson.DAY`. A number.",
    reference=lambda: impact_ratio(_prepared(), NIGHT, DAY),
    compare=checks.number(rel=1e-3),
    hints=[
        "Each mode costs per_year × (detect + respond + repair) minutes a year. What does the total look like at night, against the day?",
        "Sum impact_min_per_year from lesson.lens(data, lesson.NIGHT) and from lesson.lens(data, lesson.DAY); divide night by day.",
    ],
    misconceptions=[
        Misconception("divided day by night", "Your ratio is below 1: is the night better covered than the day?",
                      lambda: 1 / impact_ratio(_prepared(), NIGHT, DAY)),
        Misconception("forgot to weight by likelihood", "You summed durations without per_year. A failure that happens twice a year costs twice: where does likelihood go?",
                      lambda: float((lambda n, d: (n.engage_min + n.repair_min).sum() / (d.engage_min + d.repair_min).sum())(
                          _night_lens(), _day_lens()))),
        Misconception("compared the RPNs", "That is the ratio of the RPNs, a ranking score. The task compares "
                      "expected minutes of impact a year: which column counts minutes?",
                      lambda: float(_night_lens().rpn.sum() / _day_lens().rpn.sum())),
        Misconception("gave a percentage", "Your number is a hundred times the ratio. The task asks how many times "
                      "worse: night ÷ day, not as a percentage.",
                      lambda: 100 * impact_ratio(_prepared(), NIGHT, DAY)),
        Misconception("left out repair", "You compared detect + respond only. The customer waits through the repair too: where does it go?",
                      lambda: float((lambda n, d: (n.engage_min * _prepared().per_year).sum()
                                     / (d.engage_min * _prepared().per_year).sum())(_night_lens(), _day_lens()))),
    ],
))


def _wrote_about_day(answer) -> bool:
    if not isinstance(answer, str):
        return False
    text = answer.lower()
    night, day = _night_top3(), _day_top3()
    only_day = [m for m in day if m not in night]
    return any(m.lower() in text for m in only_day) and not all(m.lower() in text for m in night)


TASKS.add(Task(
    id="01.mitigations",
    title="A mitigation and a signal for each of the night's top three",
    prompt="Text: for each of the three highest risks under `lesson.NIGHT` (name them by mode_id), a line 'Mitigation: …' and a line 'Signal: …'. "
           "The check reads the structure; judge the content with lesson.MITIGATION_RUBRIC.",
    reference=lambda: "structure",
    compare=lambda answer, expected: checks.structured_text(mitigation_parts(_night_top3()), min_words=30)(answer, expected),
    hints=[
        "Which three modes top the night's ranking, and for each: which term of detect + respond + repair would you shorten?",
        "Write one block per mode: its id, then 'Mitigation: …' and 'Signal: …'. A signal is something a machine measures and pages on.",
    ],
    misconceptions=[
        Misconception("wrote about the daytime top three", "Those include the daytime top risks. The night ranks differently: which modes lead at 3 AM on a holiday?",
                      lambda: _mitigation_sample(_day_top3()), matches=_wrote_about_day),
    ],
    sample_answer=lambda: _mitigation_sample(_night_top3()),
))


def _no_off_hours(answer) -> bool:
    return isinstance(answer, str) and not _off_hours(answer)


TASKS.add(Task(
    id="01.premortem",
    title="A pre-mortem",
    prompt="Text: it is three months from now and the launch of real-time inventory checks failed. Why? "
           "A 'Headline:', at least three causes as list items, signals and actions. The check reads the structure; "
           "judge the content with lesson.PREMORTEM_RUBRIC.",
    reference=lambda: "structure",
    compare=checks.structured_text(premortem_parts(), min_words=60),
    hints=[
        "Imagine the launch has already failed: what did the customers see, and what was the story behind it in each part of the system?",
        "Start with 'Headline:', list three or more causes with '-', give each an early warning ('Signal:'), and end with 'Action:'. "
        "Include one cause that only happens when nobody is at work.",
    ],
    misconceptions=[
        Misconception("only daytime causes", "Every cause happens while the team is at work. What goes wrong at 3 AM on a holiday, when one person is on call?",
                      lambda: PREMORTEM_SAMPLE.replace("Saturday night", "Tuesday").replace("holiday Monday at 3 AM", "a Tuesday")
                      .replace("holiday weekend", "week").replace("one on-call engineer", "engineer").replace("night with one responder", "bad day")
                      .replace("since Friday", "since lunch"),
                      matches=_no_off_hours),
    ],
    sample_answer=lambda: PREMORTEM_SAMPLE,
))


def _best_paging_fix() -> str:
    return str(paging_saving(_prepared(), NIGHT).index[0])


TASKS.add(Task(
    id="01.best-alert",
    title="Where one new page buys most",
    prompt="Stretch. You can turn exactly one failure mode's detection into a page (it then takes its business-hours detect_minutes at any hour). "
           "Which mode_id saves the most expected minutes of impact per year under `lesson.NIGHT`?",
    reference=_best_paging_fix,
    compare=_one_mode,
    hints=[
        "For a mode that already pages, what does a new page save? For the others, how many minutes of waiting does it remove, and how often?",
        "Saving = per_year × (night detect minutes − business-hours detect minutes), for modes whose channel is not 'page'; take the largest.",
    ],
    misconceptions=[
        Misconception("picked the night's top RPN", "That mode tops the night's RPN, but it already pages: what would one more page save it? "
                      "For the modes that do not page, how long do they wait, and how often?",
                      lambda: _night_lens().index[0]),
        Misconception("picked the slowest to detect by day",
                      "That mode is the slowest to notice in business hours. At 3 AM on a holiday, how long does *every* silent failure wait, and what then decides the saving?",
                      lambda: str(worksheet(_prepared()).detect_minutes.idxmax())),
    ],
    stretch=True,
))


def rubrics() -> Mapping[str, Rubric]:
    """The judgment parts of the exercise, by task."""
    return {"01.mitigations": MITIGATION_RUBRIC, "01.premortem": PREMORTEM_RUBRIC}
