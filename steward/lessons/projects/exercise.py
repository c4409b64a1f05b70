"""projects · the linters, rubrics and tasks (``TASKS``)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks
from steward.datagen import load
from steward.datasets.projects import OKRS as OKRS  # re-exported for the notebooks
from steward.lessons.projects.model import (
    CAPACITY_WEEKS,
    CLAIM_PCT,
    COMPANY,
    DIRECTOR_ASK,
    GLUE,
    MODULE,
    OKR_BONUS,
    QUADRANT_CUT,
    _indexed,
    aligned,
    cost_of_yes,
    gap_pct,
    meet_first,
    naive_gap,
    per_level,
    pick_portfolio,
    portfolio_score,
    quadrants,
    rice,
    selection_for_claim,
    simulate_promotions,
    stratified_gap,
    value,
    value_per_week,
)
from steward.tasks import ComposedRubric, Misconception, Rubric, Task, TaskSet

# -- written work: the alignment plan (self-assessed) ----------------------------------------
ALIGNMENT_RUBRIC = Rubric(
    id="10.alignment-plan",
    title="Alignment plan before writing code",
    criteria=(
        "Names a person (not a team) for product, security and SRE, plus the owner of any service you will lean on",
        "Says what each person cares about, in their terms rather than yours",
        "Asks each a question that could change the design, before the design exists",
        "Says what you will change if the answer is no (a fallback, a smaller scope, a different date)",
    ),
    mid_level="I'll send the design doc to product, security and SRE for review once it's written, "
              "and set up a meeting if they have comments.",
    senior_level="Before any design: Amara (inventory) first, because the plan adds read load to her service: "
                 f"what rate can you serve at peak? If not enough, we cache stock in {cartwheel.CACHE_STORE} with a TTL. "
                 "Then Tomasz (SRE): what p99 on the inventory call would you page on? If it is tight, a timeout at its "
                 f"{cartwheel.INVENTORY.latency_budget_ms:.0f} ms latency budget and a cached fallback. Priya (product): "
                 "how stale may a stock level be, if staleness is what keeps the call inside the latency SLO "
                 f"({cartwheel.LATENCY.percentile_label} ≤ {cartwheel.LATENCY.threshold_ms:.0f} ms)? Lena "
                 "(security): which identity and scope should the engine use?",
)


# -- tasks ----------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _projects() -> pd.DataFrame:
    return load("projects")


def _stakeholders() -> pd.DataFrame:
    return load("stakeholders")


def company() -> pd.DataFrame:
    """The simulated company of the exercise."""
    return simulate_promotions(**COMPANY)


def _scores() -> pd.Series:
    return portfolio_score(_projects(), OKR_BONUS)


def _effort() -> pd.Series:
    return _indexed(_projects())["effort_weeks"]


def _prefix_pick(scores: pd.Series, effort: pd.Series, capacity: float) -> list[str]:
    """The mistake: stop at the first project that does not fit."""
    picked, used = [], 0.0
    for pid in sorted(scores.index, key=lambda p: (-float(scores[p]), str(p))):
        if used + float(effort[pid]) > capacity:
            break
        picked.append(str(pid))
        used += float(effort[pid])
    return picked


TASKS.add(Task(
    id="10.rice-scores",
    title="RICE score per project",
    prompt="A Series indexed by project_id: reach × impact × confidence / effort, with confidence as a fraction and "
           "effort in person-weeks (effort_weeks, the module's one unit: Intercom's person-months would scale every "
           "score by 52/12).",
    reference=lambda: rice(_projects()),
    compare=checks.series(rel=1e-6, what="RICE score"),
    hints=[
        "Which of the four columns is a percentage, and what does 80% confidence do to a project's value?",
        "Index by project_id; multiply reach, impact and confidence_pct / 100, then divide by effort_weeks.",
    ],
    misconceptions=[
        Misconception("used confidence in percent", "Every score is 100× too big. confidence_pct is in percent: what is 80% as a fraction?",
                      lambda: rice(_projects()) * 100),
        Misconception("forgot to divide by effort", "These are values, not scores: a sixteen-week project and a one-week ticket are "
                      "treated alike. What does the E in RICE do?", lambda: value(_projects())),
        Misconception("multiplied by effort", "Effort is a cost: should more weeks raise a score or lower it?",
                      lambda: value(_projects()) * _effort()),
        Misconception("converted effort to person-months", "Every score is the same factor of about 4.3 larger: you "
                      "divided by person-months, Intercom's unit. Which unit do the backlog, the capacity and this module "
                      "use, and would the ranking change?", lambda: rice(_projects(), per="person-month")),
    ],
))

TASKS.add(Task(
    id="10.portfolio-score",
    title="Portfolio score with the OKR bonus",
    prompt=f"A Series indexed by project_id: RICE × (1 + OKR_BONUS) for projects that serve an OKR, plain RICE otherwise "
           f"(OKR_BONUS = {OKR_BONUS:g}; okr is 'none' for unaligned work).",
    reference=_scores,
    compare=checks.series(rel=1e-6, what="score"),
    hints=[
        "Which projects should the bonus touch, and should it scale with the project's size or be the same for all?",
        "aligned = projects.okr != 'none'; score = rice × (1 + OKR_BONUS × aligned).",
    ],
    misconceptions=[
        Misconception("added the bonus instead of multiplying", "Adding 1 to a score in the tens of thousands changes nothing. "
                      "Should the bonus be proportional to the score?", lambda: rice(_projects()) + OKR_BONUS * aligned(_projects())),
        Misconception("gave every project the bonus", "Every project got the bonus, so the ranking did not move. Which ones serve an OKR?",
                      lambda: rice(_projects()) * (1 + OKR_BONUS)),
        Misconception("multiplied by the bonus, not by 1 + the bonus", "Your aligned projects score RICE × OKR_BONUS"
                      f"{', the plain RICE score' if OKR_BONUS == 1 else ''}. An aligned project's score is RICE × "
                      "(1 + OKR_BONUS): where did the + 1 go?",
                      lambda: rice(_projects()) * (OKR_BONUS * aligned(_projects())).where(aligned(_projects()), 1.0)),
        Misconception("bonus to the unaligned projects", "The bonus went to the projects with okr == 'none'. Which way round should the test be?",
                      lambda: rice(_projects()) * (1 + OKR_BONUS * ~aligned(_projects()))),
    ],
))

TASKS.add(Task(
    id="10.pick-portfolio",
    title="Fill the quarter",
    prompt=f"A list of project_ids: go down the portfolio scores from highest, take each project that still fits in "
           f"CAPACITY_WEEKS = {CAPACITY_WEEKS} person-weeks, skip any that does not, and carry on.",
    reference=lambda: pick_portfolio(_scores(), _effort(), CAPACITY_WEEKS),
    compare=checks.same_items(ordered=False, what="projects"),
    hints=[
        "When the next project does not fit, is the quarter full, or could a smaller one further down still fit?",
        "Sort the scores descending; keep a running total of weeks; append a project if total + its effort ≤ capacity.",
    ],
    misconceptions=[
        Misconception("stopped at the first project that did not fit", "You stopped at the first project that did not fit. "
                      "Is there a smaller one further down the list that still does?",
                      lambda: _prefix_pick(_scores(), _effort(), CAPACITY_WEEKS)),
        Misconception("ranked by value, ignoring effort", "That ranks by value alone, so two big projects fill the quarter. "
                      "What does a project cost, and where does the score account for it?",
                      lambda: pick_portfolio(value(_projects()), _effort(), CAPACITY_WEEKS)),
        Misconception("ranked by reach", "That ranks by reach alone. Where are impact, confidence and effort?",
                      lambda: pick_portfolio(_indexed(_projects())["reach"].astype(float), _effort(), CAPACITY_WEEKS)),
        Misconception("went up the list from the lowest score", "Your first pick is the lowest-scored project. Which "
                      "way does sort_values() sort unless you tell it otherwise?",
                      lambda: pick_portfolio(-_scores(), _effort(), CAPACITY_WEEKS)),
    ],
))


def _mean_of_ratios(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(rice(frame).to_numpy(), index=frame["kind"].to_numpy()).groupby(level=0).mean().rename("value per week")


TASKS.add(Task(
    id="10.value-per-week",
    title="What a person-week buys, by kind of work",
    prompt="A Series indexed by kind: total value (reach × impact × confidence) of that kind divided by its total "
           "person-weeks.",
    reference=lambda: value_per_week(_projects()),
    compare=checks.series(rel=1e-6, what="value per person-week"),
    hints=[
        "If one kind has a one-week ticket and a sixteen-week project, should each count once, or by its weeks?",
        "Add a value column; group by kind; divide the sum of value by the sum of effort_weeks.",
    ],
    misconceptions=[
        Misconception("averaged the per-project ratios", "That is the mean RICE per kind: a one-week ticket weighs as much as a "
                      "sixteen-week project. What does the team's week actually buy in total?", lambda: _mean_of_ratios(_projects())),
        Misconception("used confidence in percent", "Every value is 100× too big. confidence_pct is in percent: what is "
                      "80% as a fraction?", lambda: value_per_week(_projects()) * 100),
        Misconception("summed the value without dividing by weeks", "That is the total value per kind. Per person-week, what is it?",
                      lambda: pd.Series(value(_projects()).to_numpy(), index=_projects()["kind"].to_numpy()).groupby(level=0).sum()),
    ],
))


def _swapped_quadrants() -> pd.Series:
    f = _stakeholders()
    return quadrants(f.assign(power=f["interest"], interest=f["power"]))


TASKS.add(Task(
    id="10.stakeholder-quadrants",
    title="Where each person sits on the grid",
    prompt=f"A Series indexed by name: 'manage closely', 'keep satisfied', 'keep informed' or 'monitor'. Power or "
           f"interest above QUADRANT_CUT = {QUADRANT_CUT} counts as high.",
    reference=lambda: quadrants(_stakeholders()),
    compare=lambda answer, expected: _compare_labels(answer, expected, "quadrant"),
    hints=[
        "Someone who can stop the project but rarely thinks about it: do you consult them weekly, or keep them satisfied?",
        "high power = power > QUADRANT_CUT, high interest = interest > QUADRANT_CUT; both high → manage closely; "
        "power only → keep satisfied; interest only → keep informed; neither → monitor.",
    ],
    misconceptions=[
        Misconception("swapped power and interest", "'keep satisfied' and 'keep informed' are swapped. Which axis says who can "
                      "stop the project?", _swapped_quadrants),
        Misconception("counted 5 as high", f"Someone on exactly {QUADRANT_CUT} is not above the cut. Is > the same as ≥?",
                      lambda: quadrants(_stakeholders(), cut=QUADRANT_CUT - 1)),
    ],
))


def _compare_labels(answer: Any, expected: pd.Series, what: str) -> checks.Verdict:
    """A Series (or dict) of text labels, compared label by label (case and spacing ignored)."""
    got = answer if isinstance(answer, pd.Series) else pd.Series(answer) if isinstance(answer, dict) else None
    if got is None:
        why = ""
        if isinstance(answer, np.ndarray | list):
            why = ": an array has no names. pd.Series(labels, index=people['name']) gives each label its person"
        elif isinstance(answer, pd.DataFrame) and "name" in answer.columns:
            why = ": name is one of its columns. `.set_index('name')[…]` gives the Series of one column"
        return checks.not_yet(f"Expected a Series (or dict) of {what} per name; got {checks.describe(answer)}{why}.")
    if got.empty:
        return checks.not_yet("Your Series is empty.")
    if isinstance(got.index, pd.RangeIndex) and len(got) == len(expected):
        return checks.not_yet("Your Series is indexed by row number (0, 1, 2, …), not by name. "
                              "pd.Series(labels, index=people['name']) gives each label its person.")
    got = pd.Series(got.to_numpy(), index=[str(i) for i in got.index])
    missing = [n for n in expected.index if n not in got.index]
    if missing:
        return checks.not_yet(f"Missing: {', '.join(missing[:4])}.")
    wrong = [n for n in expected.index if " ".join(str(got[n]).lower().split()) != expected[n]]
    if wrong:
        return checks.not_yet(f"The {what} for {', '.join(wrong[:3])} {'is' if len(wrong) == 1 else 'are'} not what the grid gives.")
    return checks.OK


def _meet_by_interest() -> list[str]:
    f = _stakeholders()
    f["quadrant"] = quadrants(f).to_numpy()
    return f[f["quadrant"] == "manage closely"].sort_values(["interest", "power"], ascending=False)["name"].tolist()


def _meet_high_power() -> list[str]:
    f = _stakeholders()
    return f[f["power"] > QUADRANT_CUT].sort_values(["power", "interest"], ascending=False)["name"].tolist()


def _meet_only_doubters() -> list[str]:
    f = _stakeholders()
    f["quadrant"] = quadrants(f).to_numpy()
    f = f[(f["quadrant"] == "manage closely") & f["stance"].isin(["skeptical", "opposed"])]
    return f.sort_values(["power", "interest"], ascending=False)["name"].tolist()


TASKS.add(Task(
    id="10.meet-first",
    title="Who to meet before writing code",
    prompt="A list of names: everyone you must manage closely, the most powerful first (ties: the more interested first).",
    reference=lambda: meet_first(_stakeholders()),
    compare=checks.same_items(ordered=True, what="people"),
    hints=[
        "Who can both stop the project and is affected by it? Of those, whose 'no' would cost you most?",
        "Keep the 'manage closely' quadrant; sort by power, then interest, both descending; take the names.",
    ],
    misconceptions=[
        Misconception("ordered by interest first", "The right people, ordered by interest. Whose objection can actually stop the "
                      "work: the most interested, or the most powerful?", _meet_by_interest),
        Misconception("included everyone with high power", "That includes people with power but little interest (keep satisfied). "
                      "Do they need a design meeting, or a short note?", _meet_high_power),
        Misconception("sorted the least powerful first", "The right people, the least powerful first. Which way does "
                      "sort_values() sort unless you tell it otherwise?", lambda: meet_first(_stakeholders())[::-1]),
        Misconception("passed the table, not the names", "That is a table of people. The task asks for a list of their "
                      "names: which column holds them, and how does a column become a list?",
                      lambda: _stakeholders().head(len(meet_first(_stakeholders()))),
                      matches=lambda answer: isinstance(answer, pd.DataFrame) and "name" in answer.columns),
        Misconception("only the skeptics", "Only the doubters. Your supporters in that quadrant can also reshape the work: "
                      "what happens if the product manager hears your plan last?", _meet_only_doubters),
    ],
))

TASKS.add(Task(
    id="10.naive-gap",
    title="The naive comparison",
    prompt="A number, in percent: 100 × (1 − mean months to promotion of OKR engineers / mean months of the others), "
           "in the simulated company `lesson.company()`.",
    reference=lambda: naive_gap(company()),
    compare=checks.number(abs=0.01, unit="percent"),
    hints=[
        "Which two groups does the claim compare, and what is held equal between them?",
        "Split by the okr column; take the mean of months_to_promotion in each group; 100 × (1 − okr / others).",
    ],
    misconceptions=[
        Misconception("divided the wrong way round", "Your gap is negative or too large: you divided the others' time by the OKR "
                      "time. Faster than whom? Put the others in the denominator.",
                      lambda: 100 * (1 - company().query("not okr").months_to_promotion.mean() / company().query("okr").months_to_promotion.mean())),
        Misconception("gave a fraction, not a percent", "That is a fraction. The task asks for percent.",
                      lambda: naive_gap(company()) / 100),
        Misconception("gave the ratio, not the gap", "That is the OKR engineers' months as a percent of the others'. "
                      "How much *less* time is that: what does the 1 − in the formula do?",
                      lambda: 100 - naive_gap(company())),
        Misconception("measured against the OKR group", "That is how much longer the others take, relative to the OKR "
                      "engineers. The claim says faster than whom? Put the others' months in the denominator.",
                      lambda: 100 * (_months(company(), False) / _months(company(), True) - 1)),
        Misconception("gave the difference in months", "That is a difference in months. The task asks for a relative "
                      "gap, in percent of the others' months.",
                      lambda: _months(company(), False) - _months(company(), True)),
        Misconception("used medians", "That uses medians; the task uses means. Both show the gap: does the choice change the story?",
                      lambda: gap_pct(company().query("okr").months_to_promotion.median(), company().query("not okr").months_to_promotion.median())),
    ],
))


def _months(frame: pd.DataFrame, okr: bool) -> float:
    """Mean months to promotion of the OKR engineers (``okr=True``) or of the others."""
    return float(frame.loc[frame["okr"] == okr, "months_to_promotion"].mean())


def _unweighted_strata() -> float:
    return float(per_level(company())["gap_pct"].dropna().mean())


TASKS.add(Task(
    id="10.stratified-gap",
    title="Like for like",
    prompt="A number, in percent: the same gap within each strength level, averaged with each level weighted by its "
           "number of engineers (leave out a level where everyone, or no one, is on OKR work).",
    reference=lambda: stratified_gap(company()),
    compare=checks.number(abs=0.01, unit="percent"),
    hints=[
        "If strong engineers are both promoted sooner and given OKR work more often, what must you hold equal to see "
        "what OKR work itself does?",
        "Group by strength; in each level compute 100 × (1 − okr mean / other mean); then np.average(gaps, weights=engineers per level).",
    ],
    misconceptions=[
        Misconception("reported the naive gap again", "That is the naive gap: strong and weak engineers are still mixed. Compare "
                      "within each strength level first.", lambda: naive_gap(company())),
        Misconception("plain mean of the levels", "Every level counts the same here, though level 3 has nearly four times the "
                      "engineers of level 1. How should the levels be weighted?", _unweighted_strata),
    ],
))

TASKS.add(Task(
    id="10.make-30-percent",
    title="Make the claim appear (stretch)",
    prompt=f"A number: the smallest `selection` on SELECTION_GRID (0.0, 0.1, … 3.0) at which the naive gap reaches "
           f"{CLAIM_PCT:g}% with a true effect of 0 (the company of COMPANY otherwise).",
    reference=lambda: selection_for_claim(CLAIM_PCT, 0.0),
    compare=checks.number(abs=1e-6),
    hints=[
        "Which setting would you sweep, and what do you check at each step?",
        "Loop over SELECTION_GRID; simulate with COMPANY but that selection and effect=0; stop at the first naive gap ≥ 30.",
    ],
    misconceptions=[
        Misconception("one step too early", "At that setting the naive gap is still just under the claim. Is the first value "
                      "at or above it the next one?", lambda: round(selection_for_claim(CLAIM_PCT, 0.0) - 0.1, 1)),
        Misconception("used the company's setting", "That is COMPANY's own setting. Is it the smallest that produces the claim?",
                      lambda: float(COMPANY["selection"])),
        Misconception("gave the gap, not the setting", "That looks like a gap in percent. The task asks for the "
                      "selection setting that produces it: which value of SELECTION_GRID was it?",
                      lambda: CLAIM_PCT + 1.0,
                      matches=lambda answer: _at_least(answer, CLAIM_PCT)),
    ],
    stretch=True,
))


def _at_least(answer: Any, bound: float) -> bool:
    """A plain number (not a bool) at least ``bound``."""
    return isinstance(answer, int | float | np.number) and not isinstance(answer, bool) and float(answer) >= bound


def _cost(must: str) -> dict[str, Any]:
    return cost_of_yes(_projects(), must)


def _no_refill_share(must: str) -> float:
    """The mistake: drop the lowest-scored picks until ``must`` fits, and leave the freed weeks empty."""
    f, scores, worth = _indexed(_projects()), _scores(), value(_projects())
    planned = pick_portfolio(scores, _effort())
    keep = sorted(planned, key=lambda pid: -float(scores[pid]))
    while keep and f.loc[keep, "effort_weeks"].sum() + f.loc[must, "effort_weeks"] > CAPACITY_WEEKS:
        keep.pop()
    return 1 - float(worth[[must, *keep]].sum()) / float(worth[planned].sum())


TASKS.add(Task(
    id="10.cost-of-yes",
    title="The cost of yes (stretch)",
    prompt=f"A number in %: the share of the planned quarter's value (reach × impact × confidence) lost if you say yes to "
           f"the VP's request, {DIRECTOR_ASK}, this quarter: take it first, then fill the remaining weeks by score as before.",
    reference=lambda: 100 * _cost(DIRECTOR_ASK)["share_lost"],
    compare=checks.number(rel=1e-6, abs=0.05, unit="%"),
    hints=[
        "A yes takes weeks from somewhere. Which of the planned projects no longer fit, and what fills the weeks left over?",
        "lesson.forced_portfolio(scores, effort, DIRECTOR_ASK) gives the new quarter; compare the value sums of the two "
        "portfolios, as a share of the planned one.",
    ],
    misconceptions=[
        Misconception("did not refill the freed weeks", "You dropped projects until the request fitted and left the rest "
                      "of the weeks empty. Would the team sit idle, or take the next project that fits?",
                      lambda: 100 * _no_refill_share(DIRECTOR_ASK)),
        Misconception("forgot the request's own value", "That counts what drops out, but not what the request itself "
                      "delivers. What does the quarter gain from it?",
                      lambda: 100 * (_cost(DIRECTOR_ASK)["share_lost"] + float(value(_projects())[DIRECTOR_ASK])
                                     / float(value(_projects())[_cost(DIRECTOR_ASK)["planned"]].sum()))),
        Misconception("a fraction, not a percentage", "Close: that is a fraction. The task asks for a percentage.",
                      lambda: _cost(DIRECTOR_ASK)["share_lost"]),
    ],
    stretch=True,
))

TASKS.add(Task(
    id="10.glue-on-purpose",
    title="Glue work on purpose (stretch)",
    prompt=f"One project id from GLUE = {list(GLUE)}: the glue work that costs the planned quarter the least value if "
           "you take it on purpose (forced in, the rest refilled by score).",
    reference=lambda: min(GLUE, key=lambda pid: _cost(pid)["value_lost"]),
    compare=checks.choice(GLUE),
    hints=[
        "Glue work never wins on RICE. So ask the other question: what does doing it on purpose cost the quarter?",
        "Run lesson.cost_of_yes(projects, pid) for each id in GLUE and compare value_lost.",
    ],
    misconceptions=[
        Misconception("picked the glue that costs more", "That one pushes more value out of the quarter. Compare "
                      "value_lost for both: which costs the plan less, whoever asks for it loudest?",
                      lambda: max(GLUE, key=lambda pid: _cost(pid)["value_lost"])),
    ],
    stretch=True,
))


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _names_what_drops(text: str) -> bool:
    cost = _cost(DIRECTOR_ASK)
    f = _indexed(_projects())
    names = [*cost["dropped"], *cost["objectives_hit"], *(str(f.loc[pid, "name"]).lower()[:25] for pid in cost["dropped"])]
    return any(n.lower() in text.lower() for n in names)


MEMO_WORDS = 150
DIRECTOR_NOTE_PARTS = {
    "the decision in the first sentence (yes, no, or not this quarter)": lambda text: bool(re.search(
        r"(?i)\b(yes|no|not (?:this|now)|next quarter|defer\w*|declin\w*|can(?:'|no)t|won't|will not)\b",
        _first_sentence(text))),
    "the cost of yes in numbers": lambda text: bool(re.search(r"\d", text)),
    "what the director's own objective loses (the project or the OKR a yes pushes out)": _names_what_drops,
    "an alternative with a time (next quarter, a month, a date)": lambda text: bool(re.search(
        r"(?i)\b(next (?:quarter|half|month|sprint)|Q[1-4]|in \d+ (?:weeks?|months?)|by (?:the )?\w+ \d|after )", text)),
    "who would lead the deferred work (sponsorship: a name)": lambda text: bool(re.search(
        r"\b(?:led by|lead(?:s|ing)?|owner|own(?:s|ed by)?|sponsor\w*)\b[^.]{0,40}?\b[A-Z][a-z]+", text)),
    "an ask: what you need the director to decide": lambda text: "?" in text or bool(
        re.search(r"(?i)\b(decide|confirm|agree|approve|sign off)\b", text)),
    f"a length a director reads between meetings (at most {MEMO_WORDS} words)": lambda text: len(text.split()) <= MEMO_WORDS,
}


def _note(cost_sentence: str) -> str:
    ask = _indexed(_projects()).loc[DIRECTOR_ASK]
    return (f"Not this quarter. Saying yes to {DIRECTOR_ASK} ({ask['name']}, {ask['effort_weeks']} person-weeks) now "
            f"{cost_sentence} I propose it for next quarter, led by Grace Liu (platform) with Ravi Patel from our team "
            f"as co-lead, a visible project for him; this quarter we write its design doc, so its first week is not "
            f"discovery. Can you confirm by Friday that we keep this quarter's plan?")


def director_note_example() -> str:
    """The senior-level note, composed from the computed cost of yes."""
    cost = _cost(DIRECTOR_ASK)
    f = _indexed(_projects())
    dropped = " and ".join(f"{f.loc[pid, 'name']} ({pid}, {f.loc[pid, 'okr']})" for pid in cost["dropped"])
    return _note(f"pushes out {dropped}: {100 * cost['share_lost']:.0f}% of the quarter's planned value.")


TASKS.add(Task(
    id="10.note-to-director",
    title="Say no to a director, in writing (stretch)",
    prompt=f"A short note (at most {MEMO_WORDS} words) to Daniel Kim, VP of engineering, answering his request for "
           f"{DIRECTOR_ASK} this quarter: the decision first, the cost in numbers, what his own objective loses, an "
           "alternative with a time, who would lead it, and what you need him to decide.",
    reference=lambda: "structure",
    compare=checks.structured_text(DIRECTOR_NOTE_PARTS, min_words=40),
    hints=[
        "Daniel reads your note between two meetings. What must the first sentence tell him, and what does *he* care about "
        "(look at stakeholders.cares_about)?",
        "Decision first; then lesson.cost_of_yes(projects, DIRECTOR_ASK) in his terms (the objective that loses a "
        "project); then the alternative, its lead, and the question he must answer.",
    ],
    misconceptions=[
        Misconception("buried the decision", "The note opens with context; the decision comes later. What would Daniel "
                      "know if he read only your first sentence?",
                      lambda: "Thanks for thinking of us. " + director_note_example(),
                      matches=lambda answer: isinstance(answer, str) and not DIRECTOR_NOTE_PARTS[
                          "the decision in the first sentence (yes, no, or not this quarter)"](answer)),
        Misconception("cost in our terms, not his", "The note says what the team loses, not what Daniel's objective loses. "
                      "Which project that he cares about does a yes push out?",
                      lambda: _note(f"costs us {_indexed(_projects()).loc[DIRECTOR_ASK, 'effort_weeks']} of our "
                                    f"{CAPACITY_WEEKS} person-weeks."),
                      matches=lambda answer: isinstance(answer, str) and not _names_what_drops(answer)),
    ],
    sample_answer=director_note_example,
    stretch=True,
))


DIRECTOR_NOTE_RUBRIC = ComposedRubric(
    id="10.note-to-director-review",
    title="A no to a director: decision, cost in their terms, a yes they can give",
    criteria=(
        "The first sentence is the decision",
        "The cost is in the director's terms: the objective or project they care about, with a number",
        "There is an alternative they can say yes to, with a time",
        "Someone else is put forward to lead the visible work (sponsorship), and the glue that makes it land is named",
        "It ends with one decision the director must make",
    ),
    mid_level="Hi Daniel, we're pretty full this quarter and the mesh migration is a big one, so it would be hard to fit "
              "in. Maybe we could look at it later? Let me know what you think.",
    senior_level="(composed from the cost of yes when shown: see director_note_example)",
    compose=director_note_example,
)
