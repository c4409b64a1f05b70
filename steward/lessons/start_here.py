"""Module 00 — start here: the self-assessment radar and the warm-up tasks that teach
how checks and hints work."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from steward import checks, plotting, progress
from steward.tasks import Misconception, Task, TaskSet
from steward.widgets import App, FigureView, w

MODULE = "00"

#: The essay's shifts, each with the module that makes it something you do.
SHIFTS: dict[str, tuple[str, str]] = {
    "Ask how it will break": ("01", "how-will-it-break"),
    "Master trade-offs": ("02", "trade-offs"),
    "Design for failure": ("03", "design-for-failure"),
    "Quantify everything": ("04", "quantify-everything"),
    "Lead the incident": ("05", "lead-the-incident"),
    "Mentor with frameworks": ("06", "mentor-with-frameworks"),
    "Influence with data": ("07", "influence-with-data"),
    "Own the un-owned": ("08", "own-the-unowned"),
    "Engineer your visibility": ("09", "engineer-your-visibility"),
    "Choose your projects": ("10", "choose-your-projects"),
    "Slow down to go faster": ("11", "the-seniority-paradox"),
}

#: What each level of the radar means, so two people's "3" mean the same thing.
LEVELS = {
    1: "I have not done this yet",
    2: "I have done it once, with help",
    3: "I do it when someone asks",
    4: "I do it unprompted",
    5: "I do it unprompted and teach it",
}

#: Cartwheel's recommendation engine: an availability SLO over a rolling 30-day window.
#: (A scenario parameter of the running case, not a claim about real systems.)
SLO = 0.999
WINDOW_DAYS = 30
INCIDENT_MINUTES = 25.0


# -- the maths ------------------------------------------------------------------------
def allowed_downtime_minutes(slo: float, days: float) -> float:
    """Minutes a service may be down in ``days`` and still meet ``slo`` (a fraction).

    The error budget is ``1 - SLO`` (SRE book, ch. 4): the share of the window you may
    spend failing."""
    if not 0 <= slo <= 1:
        raise ValueError(f"an SLO is a fraction between 0 and 1, e.g. 0.999; got {slo}")
    if days <= 0:
        raise ValueError(f"a window needs a positive number of days; got {days}")
    return (1 - slo) * days * 24 * 60


def budget_left_percent(slo: float, days: float, spent_minutes: float) -> float:
    """Share of the window's error budget still unspent after ``spent_minutes`` of downtime."""
    budget = allowed_downtime_minutes(slo, days)
    return 100 * (budget - spent_minutes) / budget


def nines_table(slos: tuple[float, ...] = (0.99, 0.999, 0.9995, 0.9999, 0.99999)) -> list[dict[str, float]]:
    """Downtime allowed per year (365 d), month (30 d) and week, in minutes."""
    return [
        {"slo": s, "per_year_min": allowed_downtime_minutes(s, 365),
         "per_month_min": allowed_downtime_minutes(s, 30), "per_week_min": allowed_downtime_minutes(s, 7)}
        for s in slos
    ]


def shift_map():
    """The shifts as a table: shift, module, notebook."""
    import pandas as pd

    rows = [{"shift": name, "module": number, "lesson": f"notebooks/{number}-{slug}.ipynb"}
            for name, (number, slug) in SHIFTS.items()]
    return pd.DataFrame(rows).set_index("shift")


# -- the radar ------------------------------------------------------------------------
def radar_points(scores: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """Angles and radii of a closed radar polygon, in SHIFTS order (missing shifts → 0)."""
    names = list(SHIFTS)
    values = np.array([float(scores.get(n, 0) or 0) for n in names])
    angles = np.linspace(0, 2 * np.pi, len(names), endpoint=False)
    return np.append(angles, angles[0]), np.append(values, values[0])


def radar_title(scores: Mapping[str, float]) -> str:
    """The point of the picture: where you are strongest and where to grow first."""
    if not scores:
        return "No self-assessment yet"
    best = max(scores, key=lambda k: scores[k])
    worst = min(scores, key=lambda k: scores[k])
    if scores[best] == scores[worst]:
        return f"Even profile: every shift at {scores[best]:g}/5"
    return f"Strongest: {best} ({scores[best]:g}/5)\nGrow first: {worst} ({scores[worst]:g}/5) → module {SHIFTS[worst][0]}"


def setup_radar(ax, before: Mapping[str, float] | None = None):
    """Draw the radar's static parts (grid, labels, an earlier assessment) and return the
    artists that change: the outline and its fill."""
    ax.clear()
    names = list(SHIFTS)
    angles, _ = radar_points({})
    if before:
        b_angles, b_radii = radar_points(before)
        ax.plot(b_angles, b_radii, color=plotting.NEUTRAL, linestyle="--", label="module 00")
        ax.fill(b_angles, b_radii, color=plotting.NEUTRAL, alpha=0.15)
    (line,) = ax.plot(angles, np.zeros_like(angles), color=plotting.GOOD, label="now" if before else "you")
    (fill,) = ax.fill(angles, np.zeros_like(angles), color=plotting.GOOD, alpha=0.25)
    ax.set_xticks(angles[:-1])
    ax.set_xticklabels([f"{SHIFTS[n][0]} {n}" for n in names], fontsize=7)
    ax.set_ylim(0, 5)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_yticklabels(["1", "2", "3", "4", "5"], fontsize=7)
    ax.set_title("Strongest: …\nGrow first: …", fontsize=10, pad=30)  # reserves room for the real title
    if before:
        ax.legend(loc="lower right", bbox_to_anchor=(1.25, -0.05), fontsize=8)
    return line, fill


def update_radar(ax, line, fill, scores: Mapping[str, float], before: Mapping[str, float] | None = None) -> None:
    angles, radii = radar_points(scores)
    line.set_data(angles, radii)
    fill.set_xy(np.column_stack([angles, radii]))
    ax.set_title(compare_title(before, scores) if before else radar_title(scores), fontsize=10, pad=30)


def draw_radar(ax, scores: Mapping[str, float], before: Mapping[str, float] | None = None) -> None:
    """One (or, with ``before``, two) self-assessments on a polar Axes, drawn in full."""
    line, fill = setup_radar(ax, before)
    update_radar(ax, line, fill, scores, before)


def compare_title(before: Mapping[str, float], after: Mapping[str, float]) -> str:
    deltas = {n: float(after.get(n, 0)) - float(before.get(n, 0)) for n in SHIFTS}
    grew = max(deltas, key=lambda k: deltas[k])
    if deltas[grew] <= 0:
        return "No shift has moved since module 00"
    return f"Biggest growth since module 00: {grew} (+{deltas[grew]:g})"


class SelfAssessment(App):
    """A slider per shift → a radar chart; *Save* keeps it in your progress file."""

    title = "Where are you now? Rate each shift from 1 to 5"

    def __init__(self, module: str = MODULE, before: Mapping[str, float] | None = None) -> None:
        self.module = module
        self.before = dict(before) if before else None
        self.figure = FigureView(
            width=6.2, height=4.8, projection="polar", margins={"top": 0.9, "bottom": 0.08, "left": 0.16, "right": 0.84}
        )
        self._line, self._fill = setup_radar(self.figure.ax, self.before)
        self.figure.title_as_caption()
        self.figure.animate(self._line, self._fill)
        self.saved = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            name: w.IntSlider(value=3, min=1, max=5, description=f"{number} {name}", continuous_update=False,
                              style={"description_width": "190px"}, layout=w.Layout(width="360px"))
            for name, (number, _) in SHIFTS.items()
        }

    def layout(self) -> w.Widget:
        legend = w.HTML("<small>" + " · ".join(f"<b>{k}</b> {v}" for k, v in LEVELS.items()) + "</small>")
        save = w.Button(description="Save my ratings", icon="save")
        save.on_click(lambda _: self.save())
        left = w.VBox([legend, *self.inputs.values(), save, self.saved])
        return w.HBox([left, self.figure.widget])

    def compute(self, **values: int) -> dict[str, float]:
        return {name: float(v) for name, v in values.items()}

    def draw(self, state: dict[str, float]) -> None:
        update_radar(self.figure.ax, self._line, self._fill, state, self.before)
        self.figure.render()

    def save(self) -> bool:
        ok = progress.save_self_assessment(self.module, self.state)
        where = progress.location()
        self.saved.value = f"Saved to <code>{where}</code>." if ok else "Recording is off (STEWARD_PROGRESS=off): nothing saved."
        return ok


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"self-assessment": SelfAssessment}


# -- tasks ----------------------------------------------------------------------------
TASKS = TaskSet(MODULE)

TASKS.add(Task(
    id="00.downtime-allowed",
    title="Downtime the SLO allows",
    prompt=f"How many minutes may the recommendation engine be down in a {WINDOW_DAYS}-day window "
           f"and still meet a {SLO:.1%} availability SLO? A number, in minutes.",
    reference=lambda: allowed_downtime_minutes(SLO, WINDOW_DAYS),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        "If the SLO says 99.9% of the time must be good, what share of the window may be bad?",
        "The error budget is 1 − SLO as a fraction (0.001 here). Multiply it by the window's length in minutes: days × 24 × 60.",
    ],
    misconceptions=[
        Misconception(
            "used the percentage as a fraction (0.1 instead of 0.001)",
            "Your answer is 100× too big. 99.9% means a budget of 0.1% — as a fraction that is 0.001, not 0.1.",
            lambda: (100 - SLO * 100) * WINDOW_DAYS * 24 * 60,
        ),
        Misconception(
            "answered in hours",
            "That looks like hours. The task asks for minutes: how many minutes are in an hour?",
            lambda: allowed_downtime_minutes(SLO, WINDOW_DAYS) / 60,
        ),
        Misconception(
            "answered in seconds",
            "That looks like seconds. The task asks for minutes.",
            lambda: allowed_downtime_minutes(SLO, WINDOW_DAYS) * 60,
        ),
        Misconception(
            "used a calendar month (365/12 days)",
            f"Close, but you used a 30.4-day month. The SLO's window is a rolling {WINDOW_DAYS} days.",
            lambda: allowed_downtime_minutes(SLO, 365 / 12),
        ),
    ],
))

TASKS.add(Task(
    id="00.budget-left",
    title="Error budget left after an incident",
    prompt=f"An incident took the engine down for {INCIDENT_MINUTES:g} minutes. What percentage of this "
           "window's error budget is left? A number between 0 and 100.",
    reference=lambda: budget_left_percent(SLO, WINDOW_DAYS, INCIDENT_MINUTES),
    compare=checks.number(rel=1e-3, unit="percent of the budget"),
    hints=[
        "What was the whole budget, in minutes, before the incident? What share of it did the incident use?",
        "Left = (budget − spent) / budget, times 100 for a percentage. Use your answer to the first task as the budget.",
    ],
    misconceptions=[
        Misconception(
            "reported the share spent, not the share left",
            "That is the share the incident *spent*. The task asks what is *left*.",
            lambda: 100 - budget_left_percent(SLO, WINDOW_DAYS, INCIDENT_MINUTES),
        ),
        Misconception(
            "reported minutes left, not a percentage",
            "That is the number of minutes left. As a share of the whole budget, what is it?",
            lambda: allowed_downtime_minutes(SLO, WINDOW_DAYS) - INCIDENT_MINUTES,
        ),
        Misconception(
            "reported a fraction, not a percentage",
            "That is a fraction between 0 and 1. The task asks for a percentage (0–100).",
            lambda: budget_left_percent(SLO, WINDOW_DAYS, INCIDENT_MINUTES) / 100,
        ),
    ],
))

TASKS.add(Task(
    id="00.first-module",
    title="Where to start",
    prompt="Which module number teaches the shift you rated lowest? Pass your ratings and the module, "
           "as a pair: (ratings_dict, 'NN').",
    reference=lambda: "consistent",
    compare=lambda answer, expected: _check_first_module(answer),
    hints=[
        "Which shift has the smallest number in your ratings? Which module teaches it?",
        "min(ratings, key=ratings.get) gives the lowest shift; SHIFTS[name][0] gives its module number.",
    ],
    misconceptions=[
        Misconception(
            "picked the strongest shift",
            "That module teaches your *strongest* shift. Start where you have most room to grow.",
            lambda: (_example_ratings(), SHIFTS[max(_example_ratings(), key=_example_ratings().get)][0]),
            matches=lambda answer: _picked_strongest(answer),
        ),
    ],
    stretch=False,
    sample_answer=lambda: (_example_ratings(), SHIFTS[min(_example_ratings(), key=_example_ratings().get)][0]),
))


def demo_task() -> Task:
    """The lesson's demonstration task (not part of the exercise): the downtime task again."""
    exercise = TASKS.downtime_allowed
    task = Task(
        id="00.demo-downtime", title="Demo: downtime the SLO allows", prompt=exercise.prompt,
        reference=exercise._reference, compare=exercise.compare, hints=exercise.hints,
        misconceptions=exercise.misconceptions,
    )
    task.handle = "demo"
    return task


def _example_ratings() -> dict[str, float]:
    """A deterministic profile used by the test suite: each shift rated by its position."""
    return {name: float(1 + (i * 3) % 5) for i, name in enumerate(SHIFTS)}


def _ratings_and_module(answer):
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        return None
    ratings, module = answer
    if not isinstance(ratings, Mapping) or not ratings or not isinstance(module, str):
        return None
    try:
        values = {k: float(v) for k, v in ratings.items() if k in SHIFTS}
    except (TypeError, ValueError):
        return None
    return (values, module.strip().zfill(2)) if values else None


def _check_first_module(answer) -> checks.Verdict:
    parsed = _ratings_and_module(answer)
    if parsed is None:
        return checks.not_yet("Expected a pair: (your ratings as a dict shift → 1..5, the module number as text like '04').")
    ratings, module = parsed
    lowest = min(ratings.values())
    candidates = {SHIFTS[name][0] for name, value in ratings.items() if value == lowest}
    if module in candidates:
        return checks.OK
    return checks.not_yet(f"Module {module} does not teach a shift you rated {lowest:g}.")


def _picked_strongest(answer) -> bool:
    parsed = _ratings_and_module(answer)
    if parsed is None:
        return False
    ratings, module = parsed
    highest = max(ratings.values())
    return module in {SHIFTS[n][0] for n, v in ratings.items() if v == highest} and min(ratings.values()) < highest
