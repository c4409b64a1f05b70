"""Module 10 — choose your projects: portfolio scoring (RICE plus OKR alignment), a
stakeholder power/interest grid, and a simulation that interrogates the claim that
OKR-aligned engineers are "promoted 30% faster"."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks, plotting
from steward.checks import require_frame
from steward.datagen import load
from steward.datasets.projects import OKRS as OKRS  # re-exported for the notebooks
from steward.tasks import Misconception, Rubric, Task, TaskSet
from steward.widgets import App, FigureView, int_slider, slider, w

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


def plot_power_interest(ax, frame: pd.DataFrame, cut: float = QUADRANT_CUT) -> None:
    """The grid, one point per person; the marker shape carries the stance (not colour alone)."""
    f = _require(frame, STAKEHOLDER_COLUMNS, "stakeholders")
    ax.axhline(cut + 0.5, color=plotting.NEUTRAL, lw=1)
    ax.axvline(cut + 0.5, color=plotting.NEUTRAL, lw=1)
    colours = {"supportive": plotting.GOOD, "neutral": plotting.NEUTRAL, "skeptical": plotting.HIGHLIGHT, "opposed": plotting.BAD}
    for stance, group in f.groupby("stance"):
        ax.scatter(group["interest"], group["power"], marker=STANCE_MARKERS.get(stance, "o"), s=70,
                   color=colours.get(stance, plotting.NEUTRAL), label=stance, zorder=3)
    for _, row in f.iterrows():
        ax.annotate(str(row["name"]).split()[0], (row["interest"], row["power"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    for text, x, y in (("manage closely", 10.3, 10.3), ("keep satisfied", 0.7, 10.3), ("keep informed", 10.3, 0.7), ("monitor", 0.7, 0.7)):
        ax.text(x, y, text, ha="right" if x > 5 else "left", va="top" if y > 5 else "bottom", fontsize=9, color=plotting.MUTED_TEXT, style="italic")
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.5, 10.5)
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), title="stance today")
    n_close = int((quadrants(f, cut) == "manage closely").sum())
    plotting.finish(ax, f"{n_close} people can stop this project and care about it: meet them first",
                    "interest in the project (1–10)", "power over the project (1–10)")


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


# -- widgets --------------------------------------------------------------------------------
STRATEGIES = {
    "portfolio score (RICE × OKR bonus)": "score",
    "RICE only": "rice",
    "biggest value first (ignore effort)": "value",
    "bug tickets first": "bugs",
}


def _labels_by_point(ids, xs, ys, digits: int = 2) -> dict[tuple[float, float], list[str]]:
    """Project ids grouped by where they are drawn (rounded, so points a hair apart count
    as one spot), in their order."""
    spots: dict[tuple[float, float], list[str]] = {}
    for pid, x, y in zip(ids, xs, ys, strict=True):
        spots.setdefault((round(float(x), digits), round(float(y), digits)), []).append(str(pid))
    return spots


class PortfolioExplorer(App):
    """Weights and capacity in, a picked portfolio out, on an impact/effort plot."""

    title = "Which projects fill the next half? Change the weights and watch the picks"

    def __init__(self, frame: pd.DataFrame | None = None) -> None:
        self.frame = load("projects") if frame is None else frame
        self._value = value(self.frame)
        self._effort = _indexed(self.frame)["effort_weeks"].astype(float)
        self._aligned = aligned(self.frame)
        self._ids = np.array(self._value.index, dtype=str)
        self._rice = rice(self.frame).to_numpy()
        self._vis = _indexed(self.frame)["visibility"].to_numpy(dtype=float)
        self._bug = _indexed(self.frame)["kind"].eq("bug ticket").to_numpy()
        self.figure = FigureView(width=7.2, height=4.0, margins={"top": 0.97, "bottom": 0.13, "left": 0.16, "right": 0.97})
        ax = self.figure.ax
        # log10 of value on a linear axis with hand-made ticks: a real log axis builds dozens
        # of minor-tick objects and mathtext labels, which costs about a second on first draw.
        xs, ys = self._effort.to_numpy(), np.log10(self._value.to_numpy())
        for flag, marker, label in ((True, "o", "serves an OKR"), (False, "s", "no OKR")):
            mask = self._aligned.to_numpy() == flag
            ax.scatter(xs[mask], ys[mask], marker=marker, s=40, color=plotting.NEUTRAL, label=label, zorder=2)
        # One label per point: projects at the same spot share it ("P08, P15"), not overprint it.
        for (x, y), pids in _labels_by_point(self._value.index, xs, ys).items():
            ax.annotate(", ".join(pids), (x, y), textcoords="offset points", xytext=(5, 3), fontsize=7)
        self._picked = ax.scatter([], [], s=160, facecolors="none", edgecolors=plotting.GOOD, linewidths=2,
                                  label="picked", zorder=3)
        decades = np.arange(math.floor(ys.min()), math.ceil(ys.max()) + 1)
        ax.set_yticks(decades, [f"{10 ** int(d):,}" for d in decades])
        ax.set_xlim(0, self._effort.max() + 2)
        ax.set_ylim(ys.min() - 0.3, ys.max() + 0.3)
        ax.legend(loc="lower right", fontsize=8)
        plotting.finish(ax, "…\n…", "effort (person-weeks)", "value: reach × impact × confidence (log)")
        self.figure.title_as_caption(ax)
        self.figure.animate(self._picked)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "strategy": w.Dropdown(options=list(STRATEGIES), value=list(STRATEGIES)[0], description="rank by",
                                   style={"description_width": "initial"}),
            "okr_bonus": slider("OKR bonus (× 1 + bonus)", OKR_BONUS, 0.0, 3.0, 0.25),
            "visibility_weight": slider("visibility weight", 0.0, 0.0, 1.0, 0.1),
            "capacity": int_slider("capacity (person-weeks)", CAPACITY_WEEKS, 0, 60),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, strategy: str, okr_bonus: float, visibility_weight: float, capacity: int) -> dict[str, Any]:
        """NumPy only (the pandas functions above give the same numbers, ~10× slower)."""
        kind = STRATEGIES.get(strategy, "score")
        aligned_ = self._aligned.to_numpy()
        if kind == "score":
            scores = self._rice * (1 + okr_bonus * aligned_) * (1 + visibility_weight * (self._vis - 3) / 2)
        elif kind == "rice":
            scores = self._rice
        elif kind == "value":
            scores = self._value.to_numpy()
        else:
            scores = self._rice + self._bug * 1e12  # every bug ticket ahead of everything else
        effort = self._effort.to_numpy()
        order = np.lexsort((self._ids, -scores))
        taken = np.zeros(len(scores), dtype=bool)
        used = 0.0
        for i in order:
            if used + effort[i] <= capacity + 1e-9:
                taken[i] = True
                used += effort[i]
        weeks = float(effort[taken].sum())
        # What the weights are doing even when the picks do not move: the first project left
        # out, and how far its score is from the weakest pick.
        left_out = [i for i in order if not taken[i]]
        weakest = float(scores[taken].min()) if taken.any() else 0.0
        next_in_line = (str(self._ids[left_out[0]]), float(scores[left_out[0]])) if left_out else None
        return {"picked": self._ids[taken][np.argsort(-scores[taken], kind="stable")].tolist(), "projects": int(taken.sum()),
                "next_in_line": next_in_line, "weakest_pick_score": weakest,
                "weeks": weeks, "value": float(self._value.to_numpy()[taken].sum()),
                "okr_share": float(effort[taken & aligned_].sum()) / weeks if weeks else 0.0,
                "bug_tickets": int((taken & self._bug).sum())}

    def draw(self, state: dict[str, Any]) -> None:
        taken = np.isin(self._ids, state["picked"])
        points = np.column_stack([self._effort.to_numpy()[taken], np.log10(self._value.to_numpy()[taken])])
        self._picked.set_offsets(points)
        self.figure.ax.set_title(
            f"{state['projects']} projects, {state['weeks']:g} weeks: value {state['value']:,.0f}\n"
            f"{state['okr_share']:.0%} of the weeks on OKR work, {state['bug_tickets']} bug tickets"
            + (f"\nfirst left out: {state['next_in_line'][0]} (score {state['next_in_line'][1]:,.0f}; "
               f"the weakest pick scores {state['weakest_pick_score']:,.0f})" if state["next_in_line"] else ""))
        self.figure.render()


class PromotionLab(App):
    """How strongly strength drives OKR assignment, and the true effect of OKR work, in; the
    naive and the like-for-like comparison out."""

    title = "Can you make “promoted 30% faster” appear with no causal effect at all?"

    def __init__(self) -> None:
        self.figure = FigureView(width=8.4, height=3.4, axes=2, margins={"top": 0.9, "bottom": 0.14, "left": 0.08, "right": 0.98, "wspace": 0.28})
        left, right = self.figure.axes
        levels = np.arange(1, 6)
        self._share = left.bar(levels, np.zeros(5), color=plotting.HIGHLIGHT)
        left.set_ylim(0, 1)
        left.set_xticks(levels)
        plotting.finish(left, "…", "engineer strength (level)", "share on OKR projects")
        left.set_title("Who is given OKR work", fontsize=10, loc="center")
        self._okr = right.bar(levels - 0.2, np.zeros(5), width=0.4, color=plotting.GOOD, label="on OKR work")
        self._other = right.bar(levels + 0.2, np.zeros(5), width=0.4, color=plotting.NEUTRAL, hatch="//", label="not on OKR work")
        right.set_ylim(0, 75)
        right.set_xticks(levels)
        right.legend(loc="upper right", fontsize=8)
        right.set_title("Compare bars within a level, not across", fontsize=10, loc="center")
        right.set_xlabel("engineer strength (level)")
        right.set_ylabel("mean months to promotion")
        self.figure.title_as_caption(left)
        self.figure.animate(*self._share, *self._okr, *self._other)
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            "selection": slider("how strongly strength drives OKR assignment", COMPANY["selection"], 0.0, 3.0, 0.1),
            "effect": slider("true effect of OKR work (time saved)", 0.0, 0.0, 0.5, 0.05, readout_format=".0%"),
        }

    def layout(self) -> w.Widget:
        return w.VBox([*self.inputs.values(), self.figure.widget])

    def compute(self, selection: float, effect: float) -> dict[str, Any]:
        strength, okr, months = _simulate_arrays(COMPANY["n"], selection, effect, COMPANY["seed"])
        stats = level_stats(strength, okr, months)
        if okr.all() or not okr.any():
            raise ValueError("everyone (or no one) is on OKR work, so there is nothing to compare")
        naive = gap_pct(months[okr].mean(), months[~okr].mean())
        return {"naive": naive, "stratified": weighted_gap(stats), "effect": 100 * effect, "stats": stats,
                "comparable_levels": int(np.isfinite(stats["gap_pct"]).sum())}

    def draw(self, state: dict[str, Any]) -> None:
        stats = state["stats"]
        for bars, column in ((self._share, "okr_share"), (self._okr, "okr_months"), (self._other, "other_months")):
            for bar, height in zip(bars, np.nan_to_num(stats[column]), strict=True):
                bar.set_height(height)
        note = "" if state["comparable_levels"] == 5 else f" ({state['comparable_levels']} of 5 levels comparable)"
        self.figure.ax.set_title(
            f"Naive: OKR engineers promoted {state['naive']:.0f}% faster\n"
            f"Like for like: {state['stratified']:.0f}%{note}; true effect {state['effect']:.0f}%")
        self.figure.render()


APPS = {"portfolio": PortfolioExplorer, "promotion-lab": PromotionLab}


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
        Misconception("bonus to the unaligned projects", "The bonus went to the projects with okr == 'none'. Which way round should the test be?",
                      lambda: rice(_projects()) * (1 + OKR_BONUS * ~aligned(_projects()))),
    ],
))

TASKS.add(Task(
    id="10.pick-portfolio",
    title="Fill the half",
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
        Misconception("ranked by value, ignoring effort", "That ranks by value alone, so two big projects fill the half. "
                      "What does a project cost, and where does the score account for it?",
                      lambda: pick_portfolio(value(_projects()), _effort(), CAPACITY_WEEKS)),
        Misconception("ranked by reach", "That ranks by reach alone. Where are impact, confidence and effort?",
                      lambda: pick_portfolio(_indexed(_projects())["reach"].astype(float), _effort(), CAPACITY_WEEKS)),
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
        Misconception("counted 5 as high", "Someone on exactly 5 is not above the cut. Is > the same as ≥?",
                      lambda: quadrants(_stakeholders(), cut=QUADRANT_CUT - 1)),
    ],
))


def _compare_labels(answer: Any, expected: pd.Series, what: str) -> checks.Verdict:
    """A Series (or dict) of text labels, compared label by label (case and spacing ignored)."""
    got = answer if isinstance(answer, pd.Series) else pd.Series(answer) if isinstance(answer, dict) else None
    if got is None:
        return checks.not_yet(f"Expected a Series (or dict) of {what} per name; got {checks.describe(answer)}.")
    if got.empty:
        return checks.not_yet("Your Series is empty.")
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
        Misconception("used medians", "That uses medians; the task uses means. Both show the gap: does the choice change the story?",
                      lambda: gap_pct(company().query("okr").months_to_promotion.median(), company().query("not okr").months_to_promotion.median())),
    ],
))


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
        Misconception("plain mean of the levels", "Every level counts the same here, though level 3 has four times the engineers "
                      "of level 1. How should the levels be weighted?", _unweighted_strata),
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
    ],
    stretch=True,
))


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
    f"short enough for a director's attention (at most {MEMO_WORDS} words)": lambda text: len(text.split()) <= MEMO_WORDS,
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


class _ComposedRubric(Rubric):
    """A rubric whose senior-level example is composed from the data when read (no data at import)."""

    def __init__(self, *args: Any, compose: Any = None, **kwargs: Any) -> None:
        self._compose = compose
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def senior_level(self) -> str:
        return self._compose() if self._compose else self._senior

    @senior_level.setter
    def senior_level(self, value: str) -> None:
        self._senior = value


DIRECTOR_NOTE_RUBRIC = _ComposedRubric(
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
