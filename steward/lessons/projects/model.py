"""projects · the pure maths: portfolio scoring, the power/interest grid, the promotion simulation and the cost of a yes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from steward.checks import require_frame
from steward.datasets.projects import OKRS as OKRS  # re-exported for the notebooks

MODULE = "10"

#: Scenario parameters of the running case (choices, not facts).
OKR_BONUS = 1.0  #: an OKR-aligned project's score is multiplied by 1 + OKR_BONUS
#: One unit of effort throughout the module: the **person-week**, the unit the backlog is estimated in
#: (``projects.effort_weeks``). Intercom's RICE counts effort in person-months [McBride 2016]; a
#: person-month is 52 / 12 person-weeks, so a score per person-month is the score per person-week × 52/12
#: for every project alike and no ranking changes (:func:`rice` converts on request).
WEEKS_PER_MONTH = 52 / 12
ENGINEERS = 2  #: the team's free engineers this quarter
WEEKS_PER_QUARTER = 13  #: 52 weeks / 4
CAPACITY_WEEKS = ENGINEERS * WEEKS_PER_QUARTER  #: two engineers for a quarter, in person-weeks
QUADRANT_CUT = 5  #: power or interest above this (on 1–10) counts as high
CLAIM_PCT = 30.0  #: the essay's unsourced "promoted 30% faster"
#: The simulated company the exercise interrogates (seeded, so every learner sees the same one).
COMPANY = {"n": 2000, "selection": 1.5, "effect": 0.0, "seed": 10}
SELECTION_GRID = tuple(round(x, 1) for x in np.arange(0.0, 3.0 + 1e-9, 0.1))

PROJECT_COLUMNS = ("project_id", "reach", "impact", "confidence_pct", "effort_weeks", "okr")
STAKEHOLDER_COLUMNS = ("name", "power", "interest", "stance")
QUADRANTS = ("manage closely", "keep satisfied", "keep informed", "monitor")


# -- portfolio scoring ----------------------------------------------------------------------
_require = require_frame


def _indexed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("project_id") if "project_id" in frame.columns else frame


def value(frame: pd.DataFrame) -> pd.Series:
    """Reach × impact × confidence: what a project is worth before you count its cost.

    Confidence is stored in percent (100 / 80 / 50), so it is divided by 100: a guess at
    50% confidence counts half [Intercom, McBride 2016]."""
    f = _indexed(_require(frame, PROJECT_COLUMNS, "projects"))
    out = f["reach"] * f["impact"] * f["confidence_pct"] / 100
    return out.rename("value")


def person_months(weeks: Any) -> Any:
    """Effort in person-weeks as Intercom's person-months (÷ 52/12)."""
    return weeks / WEEKS_PER_MONTH


def rice(frame: pd.DataFrame, per: str = "person-week") -> pd.Series:
    """RICE = reach × impact × confidence / effort [Intercom, McBride 2016].

    ``per="person-week"`` (the module's unit, the backlog's): value per person-week.
    ``per="person-month"`` (Intercom's unit): the effort converted to person-months first, which
    multiplies every score by 52/12 and leaves the ranking as it is."""
    if per not in ("person-week", "person-month"):
        raise ValueError(f"per is 'person-week' or 'person-month'; got {per!r}")
    f = _indexed(_require(frame, PROJECT_COLUMNS, "projects"))
    if (f["effort_weeks"] <= 0).any() or f["effort_weeks"].isna().any():
        raise ValueError("every project needs a positive effort in person-weeks")
    effort = f["effort_weeks"] if per == "person-week" else person_months(f["effort_weeks"])
    return (value(frame) / effort).rename("rice")


def aligned(frame: pd.DataFrame) -> pd.Series:
    """True where a project serves one of the half's objectives."""
    f = _indexed(_require(frame, PROJECT_COLUMNS, "projects"))
    return f["okr"].astype(str).str.strip().str.lower().ne("none").rename("aligned")


def portfolio_score(frame: pd.DataFrame, okr_bonus: float = OKR_BONUS, visibility_weight: float = 0.0) -> pd.Series:
    """RICE, multiplied up for OKR alignment and (optionally) visibility.

    Multiplying rather than adding keeps the bonus proportional: an aligned project counts
    (1 + okr_bonus) times its RICE, whatever its size. Visibility (1–5) moves the score by up
    to ± ``visibility_weight`` around the middle value 3. Both weights are judgments you
    state, not facts: the point is to make them explicit."""
    for name, number in (("okr_bonus", okr_bonus), ("visibility_weight", visibility_weight)):
        if not isinstance(number, int | float) or not math.isfinite(number) or number < 0:
            raise ValueError(f"{name} must be a number ≥ 0; got {number!r}")
    score = rice(frame) * (1 + okr_bonus * aligned(frame))
    if visibility_weight:
        f = _indexed(frame)
        if "visibility" not in f.columns:
            raise ValueError("a visibility weight needs the visibility column")
        score = score * (1 + visibility_weight * (f["visibility"] - 3) / 2)
    return score.rename("score")


def pick_portfolio(scores: pd.Series, effort: pd.Series, capacity: float = CAPACITY_WEEKS) -> list[str]:
    """Greedy: take projects in order of score (ties by id) while they fit the capacity,
    skipping any that do not fit and carrying on down the list. Greedy is not optimal
    (that is a knapsack problem), but it is what a team does at a planning meeting and it
    is easy to explain."""
    if not isinstance(scores, pd.Series) or not isinstance(effort, pd.Series):
        raise ValueError("pass the scores and the efforts as Series indexed by project_id")
    if not math.isfinite(float(capacity)) or capacity < 0:
        raise ValueError(f"capacity must be a number of person-weeks ≥ 0; got {capacity!r}")
    order = sorted(scores.index, key=lambda pid: (-float(scores[pid]), str(pid)))
    picked, used = [], 0.0
    for pid in order:
        cost = float(effort.get(pid, math.inf))
        if used + cost <= capacity + 1e-9:
            picked.append(str(pid))
            used += cost
    return picked


def portfolio_summary(frame: pd.DataFrame, picked: list[str]) -> dict[str, float]:
    """Weeks used, total value, the share of weeks on OKR work and the bug tickets taken."""
    f = _indexed(frame)
    chosen = f.loc[[p for p in picked if p in f.index]]
    weeks = float(chosen["effort_weeks"].sum())
    okr_weeks = float(chosen.loc[aligned(frame).reindex(chosen.index, fill_value=False), "effort_weeks"].sum())
    return {
        "projects": len(chosen),
        "weeks": weeks,
        "value": float(value(frame).reindex(chosen.index).sum()),
        "okr_share": okr_weeks / weeks if weeks else 0.0,
        "bug_tickets": int(chosen["kind"].eq("bug ticket").sum()) if "kind" in chosen else 0,
    }


def value_per_week(frame: pd.DataFrame, by: str = "kind") -> pd.Series:
    """Total value over total effort per group: what a person-week buys in each kind of work.

    A ratio of sums, not a mean of ratios: a one-week ticket and a sixteen-week project
    should not weigh the same."""
    f = _require(frame, PROJECT_COLUMNS + (by,), "projects")
    v = value(f).to_numpy()
    grouped = pd.DataFrame({by: f[by].to_numpy(), "value": v, "effort": f["effort_weeks"].to_numpy()}).groupby(by)
    return (grouped["value"].sum() / grouped["effort"].sum()).rename("value per week")


def random_backlog_values(frame: pd.DataFrame, capacity: float = CAPACITY_WEEKS, draws: int = 2000,
                          seed: int = 10, pool: pd.Series | None = None) -> np.ndarray:
    """Value delivered by an engineer who takes tickets in random order until the quarter is
    full: ``draws`` seeded shuffles, vectorised (no Python loop over draws).

    ``pool`` (a boolean Series by project_id) limits the tickets they choose from."""
    f = _indexed(_require(frame, PROJECT_COLUMNS, "projects"))
    v, e = value(frame).to_numpy(), f["effort_weeks"].to_numpy(dtype=float)
    if pool is not None:
        keep = pool.reindex(f.index, fill_value=False).to_numpy(dtype=bool)
        v, e = v[keep], e[keep]
    if len(v) == 0:
        return np.zeros(draws)
    rng = np.random.RandomState(seed)
    order = np.argsort(rng.uniform(size=(draws, len(v))), axis=1)
    fits = np.cumsum(e[order], axis=1) <= capacity + 1e-9  # prefix: stop at the first that does not fit
    return (v[order] * fits).sum(axis=1)


# -- stakeholders ---------------------------------------------------------------------------
def quadrant(power: float, interest: float, cut: float = QUADRANT_CUT) -> str:
    """Mendelow's (1991) power/interest grid: where a person sits says how to engage them."""
    high_power, high_interest = power > cut, interest > cut
    if high_power and high_interest:
        return "manage closely"
    if high_power:
        return "keep satisfied"
    if high_interest:
        return "keep informed"
    return "monitor"


def quadrants(frame: pd.DataFrame, cut: float = QUADRANT_CUT) -> pd.Series:
    """Each stakeholder's quadrant, by name."""
    f = _require(frame, STAKEHOLDER_COLUMNS, "stakeholders")
    values = [quadrant(p, i, cut) for p, i in zip(f["power"], f["interest"], strict=True)]
    return pd.Series(values, index=pd.Index(f["name"], name="name"), name="quadrant")


def meet_first(frame: pd.DataFrame, cut: float = QUADRANT_CUT) -> list[str]:
    """Everyone to manage closely, most powerful first (then most interested): the people
    to meet before writing code, because each of them can stop or reshape the work."""
    f = _require(frame, STAKEHOLDER_COLUMNS, "stakeholders").copy()
    f["quadrant"] = quadrants(f, cut).to_numpy()
    close = f[f["quadrant"] == "manage closely"].sort_values(["power", "interest", "name"], ascending=[False, False, True])
    return close["name"].tolist()


STANCE_MARKERS = {"supportive": "o", "neutral": "s", "skeptical": "^", "opposed": "X"}


# -- interrogating "promoted 30% faster" ----------------------------------------------------
LEVEL_SHARES = (0.1, 0.2, 0.4, 0.2, 0.1)  #: strength levels 1–5 in the simulated company
BASE_MONTHS = 30.0  #: median months to promotion at strength level 3 (a scenario parameter)
STRENGTH_SPEED = 0.35  #: each strength level shortens time to promotion by about 30%
OKR_BASE_SHARE = 0.4  #: share of engineers on OKR projects at level 3


def _simulate_arrays(n: int, selection: float, effect: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strength level, OKR flag and months to promotion as arrays (the widget's fast path)."""
    n = int(n)
    if n < 10:
        raise ValueError(f"simulate at least 10 engineers; got {n}")
    if not math.isfinite(selection) or not math.isfinite(effect):
        raise ValueError("selection and effect must be finite numbers")
    if not 0 <= effect < 1:
        raise ValueError(f"the effect is a fraction of time saved, from 0 up to (not including) 1; got {effect}")
    rng = np.random.RandomState(int(seed))
    strength = rng.choice(np.arange(1, 6), size=n, p=LEVEL_SHARES)
    luck_assign = rng.uniform(size=n)
    luck_time = rng.normal(size=n)
    logit = selection * (strength - 3) + math.log(OKR_BASE_SHARE / (1 - OKR_BASE_SHARE))
    okr = luck_assign < 1 / (1 + np.exp(-logit))
    months = BASE_MONTHS * np.exp(-STRENGTH_SPEED * (strength - 3)) * np.where(okr, 1 - effect, 1.0) * np.exp(0.3 * luck_time)
    return strength, okr, np.round(months, 2)


def simulate_promotions(n: int = 2000, selection: float = 1.0, effect: float = 0.0, seed: int = 10) -> pd.DataFrame:
    """A company of ``n`` engineers. Stronger engineers get promoted sooner, and are more
    often *given* OKR projects (``selection`` is how strongly strength drives that
    assignment, as a logistic slope per level). OKR work itself shortens the time to
    promotion by ``effect`` (a fraction; 0 means no causal effect at all).

    Vectorised and seeded: the same seed gives the same people, so moving a slider changes
    only the assignment or the effect, never the luck (common random numbers)."""
    strength, okr, months = _simulate_arrays(n, selection, effect, seed)
    return pd.DataFrame({"engineer": np.arange(1, len(okr) + 1), "strength": strength, "okr": okr,
                         "months_to_promotion": months})


def level_stats(strength: np.ndarray, okr: np.ndarray, months: np.ndarray, levels: int = 5) -> dict[str, np.ndarray]:
    """Per level 1..levels, with bincount (no pandas, so a widget can call it per slider move):
    engineers, share on OKR work, mean months of each group, and the gap in percent (NaN
    where a level has no one to compare)."""
    idx = np.asarray(strength, dtype=int) - 1
    okr = np.asarray(okr, dtype=bool)
    months = np.asarray(months, dtype=float)
    total = np.bincount(idx, minlength=levels)[:levels].astype(float)
    n_okr = np.bincount(idx, weights=okr, minlength=levels)[:levels]
    sum_okr = np.bincount(idx, weights=months * okr, minlength=levels)[:levels]
    sum_all = np.bincount(idx, weights=months, minlength=levels)[:levels]
    n_other = total - n_okr
    with np.errstate(invalid="ignore", divide="ignore"):
        okr_months = np.where(n_okr > 0, sum_okr / n_okr, np.nan)
        other_months = np.where(n_other > 0, (sum_all - sum_okr) / n_other, np.nan)
        share = np.where(total > 0, n_okr / total, np.nan)
        gap = 100 * (1 - okr_months / other_months)
    return {"engineers": total, "okr_share": share, "okr_months": okr_months, "other_months": other_months, "gap_pct": gap}


def weighted_gap(stats: dict[str, np.ndarray]) -> float:
    """The per-level gaps averaged with each comparable level weighted by its engineers."""
    ok = np.isfinite(stats["gap_pct"])
    if not ok.any():
        raise ValueError("no strength level has engineers both on and off OKR projects: nothing to compare")
    return float(np.average(stats["gap_pct"][ok], weights=stats["engineers"][ok]))


def _promotion_frame(frame: Any) -> pd.DataFrame:
    f = _require(frame, ("strength", "okr", "months_to_promotion"), "promotions")
    return f


def gap_pct(okr_months: float, other_months: float) -> float:
    """How much faster, in percent: 100 × (1 − OKR time / non-OKR time). 30 means the OKR
    group took 30% less time."""
    if not other_months or not math.isfinite(other_months) or not math.isfinite(okr_months):
        raise ValueError("both groups need a finite, non-zero mean time to promotion")
    return 100 * (1 - okr_months / other_months)


def naive_gap(frame: pd.DataFrame) -> float:
    """The comparison the essay's claim implies: OKR engineers against everyone else, with
    nothing held equal."""
    f = _promotion_frame(frame)
    okr = f["okr"].astype(bool)
    if okr.all() or not okr.any():
        raise ValueError("the naive comparison needs engineers both on and off OKR projects")
    return gap_pct(f.loc[okr, "months_to_promotion"].mean(), f.loc[~okr, "months_to_promotion"].mean())


def per_level(frame: pd.DataFrame) -> pd.DataFrame:
    """Per strength level: engineers, share on OKR work, mean months for each group, the gap."""
    f = _promotion_frame(frame)
    strength = pd.to_numeric(f["strength"], errors="coerce")
    if strength.isna().any() or not strength.between(1, 5).all():
        raise ValueError("strength must be a level from 1 to 5")
    stats = level_stats(strength.to_numpy(dtype=int), f["okr"].astype(bool).to_numpy(), f["months_to_promotion"].to_numpy(dtype=float))
    table = pd.DataFrame(stats, index=pd.RangeIndex(1, 6, name="strength"))
    return table[table["engineers"] > 0]


def stratified_gap(frame: pd.DataFrame) -> float:
    """Compare like with like: the gap within each strength level, averaged with each level
    weighted by its number of engineers. Levels where everyone (or no one) is on OKR work
    cannot be compared and are left out: with no one to compare against, the data say nothing."""
    table = per_level(frame)
    return weighted_gap({c: table[c].to_numpy() for c in table.columns})


def selection_for_claim(claim: float = CLAIM_PCT, effect: float = 0.0, grid: tuple[float, ...] = SELECTION_GRID,
                        **company: Any) -> float:
    """The smallest assignment strength on ``grid`` at which the naive comparison shows at
    least ``claim`` percent faster promotion (NaN if none does)."""
    settings = {**COMPANY, **company, "effect": effect}
    for selection in grid:
        settings["selection"] = selection
        if naive_gap(simulate_promotions(**settings)) >= claim:
            return float(selection)
    return math.nan


# -- stretch: the staff-level work that is not code ------------------------------------------------
# Saying no to a director, doing glue work on purpose, and handing visible work to someone else
# (sponsorship) are decisions, so the exercise makes them computed ones [Reilly 2019, "Being Glue";
# Reilly 2022, *The Staff Engineer's Path*; Larson 2021, *Staff Engineer*].
#: Mid-quarter, the VP of engineering asks for this project "this quarter" (a scenario).
DIRECTOR_ASK = "P07"
#: Glue work in the backlog: work every project leans on that no objective names, so RICE ranks it
#: low (the team's design-doc template; the on-call alert clean-up).
GLUE = ("P08", "P06")


def forced_portfolio(scores: pd.Series, effort: pd.Series, must: str, capacity: float = CAPACITY_WEEKS) -> list[str]:
    """The quarter if ``must`` is taken first and the rest is filled greedily by score as before:
    what saying yes to one request does to the plan."""
    if not isinstance(effort, pd.Series) or must not in effort.index:
        raise ValueError(f"{must!r} is not a project in the backlog")
    room = float(capacity) - float(effort[must])
    if room < 0:
        raise ValueError(f"{must} takes {effort[must]:g} person-weeks, more than the {capacity:g} available")
    return [str(must), *pick_portfolio(scores.drop(must), effort.drop(must), room)]


def cost_of_yes(frame: pd.DataFrame, must: str, okr_bonus: float = OKR_BONUS,
                capacity: float = CAPACITY_WEEKS) -> dict[str, Any]:
    """The planned quarter against the quarter with ``must`` forced in: what drops out, which
    objectives lose a project, and the value (reach × impact × confidence) lost, absolute and as
    a share of the plan's."""
    f = _indexed(_require(frame, PROJECT_COLUMNS, "projects"))
    scores, effort, worth = portfolio_score(frame, okr_bonus), f["effort_weeks"].astype(float), value(frame)
    planned = pick_portfolio(scores, effort, capacity)
    forced = forced_portfolio(scores, effort, must, capacity)
    dropped = [pid for pid in planned if pid not in forced]
    lost = float(worth[planned].sum() - worth[forced].sum())
    return {"planned": planned, "forced": forced, "dropped": dropped,
            "added": [pid for pid in forced if pid not in planned],
            "objectives_hit": sorted({str(f.loc[pid, "okr"]) for pid in dropped} - {"none"}),
            "value_lost": lost, "share_lost": lost / float(worth[planned].sum())}
