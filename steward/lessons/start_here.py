"""Module 00 — start here: the self-assessment radar and the warm-up tasks that teach
how checks and hints work."""

from __future__ import annotations

import math
import numbers
import textwrap
from collections.abc import Mapping

import numpy as np

from steward import cartwheel, checks, plotting, progress
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

#: Cartwheel's availability SLO and its window, from the canon (``steward.cartwheel``): 99.9% of
#: recommendation calls without a 5xx over a rolling 30 days. Aliases, so the exercise reads
#: ``lesson.SLO`` and every module quotes the same objective.
SLO = cartwheel.AVAILABILITY.objective
WINDOW_DAYS = cartwheel.WINDOW_DAYS
#: The lesson's example incident: a bad deploy that takes the engine down for this many minutes
#: (a teaching example, not a canon fact).
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


# -- two readings of one SLO: time-based and request-based ---------------------------------
def request_budget_calls() -> float:
    """Bad calls Cartwheel's availability SLO allows in its 30-day window: (1 − SLO) × calls.

    The canon's SLO is request-based (SRE book ch. 3, "aggregate availability"), so its budget is
    counted in calls, at the average rate of the canon's traffic."""
    return cartwheel.AVAILABILITY.budget_calls()


def trough_calls_per_s() -> float:
    """Calls/s at the quietest minute of the week (the request generator's curve, like the average)."""
    from steward.datasets import requests

    return float(requests.rate_per_minute().min())


def peak_to_average() -> float:
    """How many times more calls a minute at the weekly peak carries than an average minute."""
    return cartwheel.PEAK_CALLS_PER_S / cartwheel.average_calls_per_s()


def outage_budget_percent(minutes: float, calls_per_s: float) -> float:
    """Share (in %) of the 30-day request budget a full outage of ``minutes`` spends at ``calls_per_s``.

    Every call in the outage fails, so it spends minutes × 60 × rate bad calls."""
    if not minutes >= 0:
        raise ValueError(f"an outage lasts zero or more minutes; got {minutes!r}")
    if not calls_per_s >= 0:
        raise ValueError(f"a traffic rate is zero or more calls per second; got {calls_per_s!r}")
    return 100 * minutes * 60 * calls_per_s / request_budget_calls()


def outage_at_three_hours(minutes: float = INCIDENT_MINUTES):
    """The same outage at the weekly trough, at the average rate and at the weekly peak: calls/s,
    bad calls and the share of the 30-day request budget it spends."""
    import pandas as pd

    rates = {"trough (quietest minute)": trough_calls_per_s(), "average": cartwheel.average_calls_per_s(),
             "weekly peak": float(cartwheel.PEAK_CALLS_PER_S)}
    rows = [{"when": when, "calls_per_s": rate, "failed_calls": minutes * 60 * rate,
             "budget_spent_percent": outage_budget_percent(minutes, rate)} for when, rate in rates.items()]
    return pd.DataFrame(rows).set_index("when")


def slo_readings():
    """The availability SLO read two ways: what each counts, and its 30-day budget."""
    import pandas as pd

    slo = cartwheel.AVAILABILITY
    return pd.DataFrame([
        {"reading": "time-based: 99.9% of the time", "counts": "bad minutes",
         "budget": f"{slo.time_equivalent_minutes():.1f} minutes"},
        {"reading": "request-based: 99.9% of calls (Cartwheel's)", "counts": "bad calls",
         "budget": f"{request_budget_calls() / 1e6:.1f} million calls"},
    ]).set_index("reading")


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
    # Two short lines per shift at a readable size: the chart is shown at its own size beside
    # the sliders (at 1280 px a wider figure would be scaled down to a 5-pixel font).
    ax.set_xticklabels([textwrap.fill(f"{SHIFTS[n][0]} {n}", 14) for n in names], fontsize=8)
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


#: The self-assessment's slider column.
COLUMN_WIDTH = "370px"


class SelfAssessment(App):
    """A slider per shift → a radar chart; *Save* keeps it in your progress file."""

    title = "Where are you now? Rate each shift from 1 to 5"

    def __init__(self, module: str = MODULE, before: Mapping[str, float] | None = None,
                 initial: Mapping[str, float] | None = None) -> None:
        self.module = module
        self.before = dict(before) if before else None
        #: Where the sliders start (e.g. your saved ratings); 3 for any shift not given.
        self.initial = {name: _slider_value((initial or {}).get(name, 3)) for name in SHIFTS}
        self.figure = FigureView(
            width=5.1, height=4.6, projection="polar", margins={"top": 0.9, "bottom": 0.1, "left": 0.2, "right": 0.8}
        )
        self._line, self._fill = setup_radar(self.figure.ax, self.before)
        self.figure.title_as_caption()
        self.figure.animate(self._line, self._fill)
        self.saved = w.HTML()
        super().__init__()

    def controls(self) -> dict[str, w.Widget]:
        return {
            name: w.IntSlider(value=self.initial[name], min=1, max=5, description=f"{number} {name}", continuous_update=False,
                              style={"description_width": "190px"}, layout=w.Layout(width="360px"))
            for name, (number, _) in SHIFTS.items()
        }

    def layout(self) -> w.Widget:
        legend = w.HTML("<small>" + " · ".join(f"<b>{k}</b> {v}" for k, v in LEVELS.items()) + "</small>")
        save = w.Button(description="Save my ratings", icon="save")
        save.on_click(lambda _: self.save())
        # The column as wide as its sliders (the legend wraps inside it), so the chart beside
        # it is shown at its own size, not shrunk (an output is 848 px wide at 1280 × 800).
        left = w.VBox([legend, *self.inputs.values(), save, self.saved], layout=w.Layout(width=COLUMN_WIDTH, flex="0 0 auto"))
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


def _slider_value(value) -> int:
    """A saved rating as a slider position: a whole number within 1–5 (3 when unreadable)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 3
    return int(min(5, max(1, round(number)))) if math.isfinite(number) else 3


def saved_ratings(fallback: SelfAssessment | Mapping[str, float] | None = None, quiet: bool = False) -> dict[str, int] | None:
    """Your latest module-00 self-assessment, read from your progress file: shift → 1..5.

    Nothing to copy by hand: the radar's *Save* button wrote it there. When nothing is saved yet
    (or recording is off), the ``fallback``'s ratings are used (a radar's sliders, or a dict) and a
    note says so; with no fallback, ``None``."""
    saved = progress.latest_self_assessment(MODULE)
    if saved:
        return {name: _slider_value(value) for name, value in saved.items() if name in SHIFTS}
    if fallback is None:
        if not quiet:
            print("No ratings saved yet: run the radar in the lesson (or below), press Save, then run this cell again.")
        return None
    values = fallback.state if isinstance(fallback, SelfAssessment) else fallback
    print("No ratings saved yet, so these are the radar's sliders. Press Save to keep them in your progress file.")
    return {name: _slider_value(value) for name, value in dict(values).items() if name in SHIFTS}


#: Every widget of the lesson, by name: the benchmark and the robustness tests drive each
#: control of each through its whole range.
APPS = {"self-assessment": SelfAssessment}


# -- tasks ----------------------------------------------------------------------------
TASKS = TaskSet(MODULE)

TASKS.add(Task(
    id="00.downtime-allowed",
    title="Downtime the SLO allows",
    prompt=f"Read the {SLO:.1%} availability SLO the time-based way ({SLO:.1%} of the time): how many minutes may "
           f"the recommendation engine be down in a {WINDOW_DAYS}-day window and still meet it? A number, in minutes.",
    reference=lambda: allowed_downtime_minutes(SLO, WINDOW_DAYS),
    compare=checks.number(rel=1e-3, unit="minutes"),
    hints=[
        f"If the SLO says {SLO:.1%} of the time must be good, what share of the window may be bad?",
        f"The error budget is 1 − SLO as a fraction ({1 - SLO:.3g} here). Multiply it by the window's length in minutes: days × 24 × 60.",
    ],
    misconceptions=[
        Misconception(
            "used the percentage as a fraction (0.1 instead of 0.001)",
            f"Your answer is 100× too big. {SLO:.1%} means a budget of {1 - SLO:.1%} — as a fraction that is "
            f"{1 - SLO:.3g}, not {100 * (1 - SLO):.3g}.",
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
            "computed the minutes up, not down",
            "That is how long the engine must be *up*. What share of the window may it be *down*?",
            lambda: SLO * WINDOW_DAYS * 24 * 60,
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
    prompt=f"An incident took the engine down for {INCIDENT_MINUTES:g} minutes at average traffic, where a minute of outage "
           "costs one minute of the time-based budget. What percentage of this window's error budget is left? "
           "A number between 0 and 100.",
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
    id="00.request-budget",
    title="The request budget, in calls",
    prompt=f"Cartwheel's SLO is request-based: {SLO:.1%} of recommendation calls succeed over {WINDOW_DAYS} days. "
           "How many calls may fail in one window, at the canon's average traffic (cartwheel.average_calls_per_s())? "
           "A number of calls.",
    reference=request_budget_calls,
    compare=checks.number(rel=1e-3, unit="calls"),
    hints=[
        "A request-based SLO counts calls, not minutes: how many calls arrive in 30 days, and what share of them may fail?",
        "Calls in the window = average calls/s × seconds in 30 days (cartwheel.MONTH_SECONDS). The budget is (1 − SLO) of them.",
    ],
    misconceptions=[
        Misconception(
            "gave the time-based budget in minutes",
            "That is the time-based budget, in minutes of outage. A request-based SLO counts calls: how many calls fail in those minutes?",
            lambda: cartwheel.AVAILABILITY.time_equivalent_minutes(),
        ),
        Misconception(
            "used the weekly peak instead of the average traffic",
            "You used the weekly peak rate. Does Cartwheel serve its peak rate for all 30 days? Which rate gives the calls in a month?",
            lambda: cartwheel.AVAILABILITY.error_budget * cartwheel.PEAK_CALLS_PER_S * cartwheel.MONTH_SECONDS,
        ),
        Misconception(
            "used the percentage as a fraction (0.1 instead of 0.001)",
            f"Your answer is 100× too big. {SLO:.1%} leaves a budget of {1 - SLO:.1%} of calls: what is that as a fraction?",
            lambda: (100 - 100 * SLO) * cartwheel.calls_per_month(),
        ),
        Misconception(
            "counted the calls that must succeed",
            "That is the number of calls that must *succeed*. The budget is the calls that may *fail*: which share is that?",
            lambda: SLO * cartwheel.calls_per_month(),
        ),
        Misconception(
            "gave the budget per second, not per window",
            "That is a budget per second. The SLO's budget covers the whole 30-day window: how many seconds is that?",
            lambda: cartwheel.AVAILABILITY.error_budget * cartwheel.average_calls_per_s(),
        ),
        Misconception(
            "multiplied calls per second by minutes",
            "The rate is in calls per *second*. Did you multiply it by the window's seconds or by its minutes?",
            lambda: cartwheel.AVAILABILITY.error_budget * cartwheel.average_calls_per_s() * WINDOW_DAYS * 24 * 60,
        ),
        Misconception(
            "gave every call in the window",
            "That is every call in 30 days. What share of them may fail?",
            lambda: cartwheel.average_calls_per_s() * cartwheel.MONTH_SECONDS,
        ),
    ],
))

TASKS.add(Task(
    id="00.first-module",
    title="Where to start",
    prompt="Which module teaches the shift you rated lowest? Pass your saved ratings (lesson.saved_ratings(): every "
           "shift, each a whole number from 1 to 5) and the module, as a pair: (ratings, 'NN').",
    reference=lambda: "consistent",
    compare=lambda answer, expected: _check_first_module(answer),
    hints=[
        "Which shift has the smallest number in your ratings? Which module teaches it?",
        "min(ratings, key=ratings.get) gives the lowest shift; lesson.SHIFTS[name][0] gives its module number.",
    ],
    misconceptions=[
        Misconception(
            "picked the strongest shift",
            "That module teaches your *strongest* shift. Start where you have most room to grow.",
            lambda: (_example_ratings(), SHIFTS[max(_example_ratings(), key=_example_ratings().get)][0]),
            matches=lambda answer: _picked_strongest(answer),
        ),
        Misconception(
            "took min() of the dict: the first name alphabetically",
            "`min(ratings)` compares the dict's *keys*, the shift names, alphabetically. Which call finds the key "
            "whose *value* is smallest?",
            lambda: (_slip_ratings(), SHIFTS[min(_slip_ratings())][0]),
            matches=lambda answer: _took_min_of_keys(answer),
        ),
        Misconception(
            "passed the lowest rating, not its module",
            "That number is your lowest *rating*. Which shift has it, and which module teaches that shift?",
            lambda: (_slip_ratings(), int(min(_slip_ratings().values()))),
            matches=lambda answer: _passed_rating(answer),
        ),
        Misconception(
            "named the shift, not its module",
            "That is the shift's name. The task asks for the module that teaches it: where does lesson.SHIFTS keep that?",
            lambda: (_example_ratings(), min(_example_ratings(), key=_example_ratings().get)),
            matches=lambda answer: _named_shift(answer),
        ),
        Misconception(
            "rated on another scale than 1–5",
            "Some of your ratings are outside 1–5. Which scale does the radar use, and what does each level mean (lesson.LEVELS)?",
            lambda: ({name: 2 * value for name, value in _example_ratings().items()}, "01"),
            matches=lambda answer: _off_scale(answer),
        ),
        Misconception(
            "left out some shifts",
            "Your ratings leave out some shifts, so the lowest may be one you did not pass. Where are all eleven kept?",
            lambda: (dict(list(_example_ratings().items())[:4]), "01"),
            matches=lambda answer: _left_out(answer),
        ),
    ],
    stretch=False,
    sample_answer=lambda: _sample_first_module(),
))


def _peak_outage_percent() -> float:
    return outage_budget_percent(INCIDENT_MINUTES, cartwheel.PEAK_CALLS_PER_S)


TASKS.add(Task(
    id="00.peak-outage",
    title="The same outage at the weekly peak",
    prompt=f"Stretch. The {INCIDENT_MINUTES:g}-minute outage strikes at the weekly peak (cartwheel.PEAK_CALLS_PER_S calls/s), "
           "and every call in it fails. What percentage of the 30-day request budget does it spend? A number (it may pass 100).",
    reference=_peak_outage_percent,
    compare=checks.number(rel=1e-3, unit="percent of the request budget"),
    hints=[
        "A request-based budget is spent in calls. How many calls fail in those minutes at the peak rate, and how many may fail in a month?",
        "Failed calls = minutes × 60 × peak calls/s. Divide by the request budget from Task 3 and multiply by 100.",
    ],
    misconceptions=[
        Misconception(
            "charged minutes, not calls",
            "That is the outage's share of the time-based budget, which is also its share at the average rate. "
            "How many more calls does a minute at the peak carry than an average minute?",
            lambda: 100 * INCIDENT_MINUTES / cartwheel.AVAILABILITY.time_equivalent_minutes(),
        ),
        Misconception(
            "reported a fraction, not a percentage",
            "That is a fraction of the budget. The task asks for a percentage.",
            lambda: _peak_outage_percent() / 100,
        ),
        Misconception(
            "multiplied minutes by calls per second",
            "The peak rate is in calls per *second* and the outage in *minutes*: how many seconds did it last?",
            lambda: _peak_outage_percent() / 60,
        ),
        Misconception(
            "gave the failed calls, not a percentage",
            "That is how many calls failed. What share of the request budget is that, in percent?",
            lambda: INCIDENT_MINUTES * 60 * cartwheel.PEAK_CALLS_PER_S,
        ),
        Misconception(
            "reported the budget left, not the budget spent",
            "That is what is left of the budget (it can go below zero). The task asks what the outage spends.",
            lambda: 100 - _peak_outage_percent(),
        ),
    ],
    stretch=True,
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


def _slip_ratings() -> dict[str, int]:
    """A profile on which the slips of task 4 give a wrong module: the alphabetically first shift
    ("Ask how it will break") is neither the lowest nor the highest, and the lowest rating (2) is not
    the number of a module that teaches a shift rated 2."""
    ratings = {name: 3 for name in SHIFTS}
    ratings.update({"Ask how it will break": 4, "Lead the incident": 5, "Influence with data": 2})
    return ratings


def _sample_first_module():
    """The solution's answer: the ratings in the progress file (the example profile when none are saved)."""
    ratings = progress.latest_self_assessment(MODULE)
    ratings = {name: _slider_value(v) for name, v in ratings.items()} if ratings else _example_ratings()
    return ratings, SHIFTS[min(ratings, key=ratings.get)][0]


def _ratings_and_module(answer):
    """(ratings, module) when the answer is a pair of a mapping and text, else None."""
    if not (isinstance(answer, tuple | list) and len(answer) == 2):
        return None
    ratings, module = answer
    if not isinstance(ratings, Mapping) or not isinstance(module, str | int) or isinstance(module, bool):
        return None
    return dict(ratings), str(module).strip().zfill(2)


def _is_rating(value) -> bool:
    """A whole number from 1 to 5 (3 and 3.0 are fine; True, 2.5, '3' and 6 are not)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(float(value))
            and float(value).is_integer() and 1 <= float(value) <= 5)


def _ratings_problem(ratings: dict) -> str | None:
    """What is wrong with a set of ratings, in a sentence; None when it is a full, valid self-assessment."""
    if not ratings:
        return "Your ratings are empty. lesson.saved_ratings() reads the ones you saved with the radar."
    unknown = [str(k) for k in ratings if k not in SHIFTS]
    if unknown:
        return f"{', '.join(map(repr, unknown[:3]))} {'is' if len(unknown) == 1 else 'are'} not a shift; lesson.SHIFTS lists the eleven names."
    missing = [name for name in SHIFTS if name not in ratings]
    if missing:
        return f"Your ratings leave out {len(missing)} of the eleven shifts (e.g. {missing[0]!r})."
    bad = [name for name, value in ratings.items() if not _is_rating(value)]
    if bad:
        return f"Each rating is a whole number from 1 to 5; {bad[0]!r} is {ratings[bad[0]]!r}."
    return None


def _check_first_module(answer) -> checks.Verdict:
    if isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[1], Mapping):
        return checks.not_yet("Your pair is the other way round: the ratings first, then the module, (ratings, '04').")
    if (isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[0], Mapping)
            and isinstance(answer[1], numbers.Real) and not isinstance(answer[1], bool)
            and float(answer[1]).is_integer()):
        answer = (answer[0], int(answer[1]))  # 4.0 for module 04
    parsed = _ratings_and_module(answer)
    if parsed is None:
        return checks.not_yet("Expected a pair: (your ratings as a dict shift → 1..5, the module number as text like '04').")
    ratings, module = parsed
    problem = _ratings_problem(ratings)
    if problem:
        return checks.not_yet(problem)
    saved = progress.latest_self_assessment(MODULE)
    if saved and {k: _slider_value(v) for k, v in saved.items() if k in SHIFTS} != {k: int(v) for k, v in ratings.items()}:
        return checks.not_yet("These are not the ratings saved in your progress file. Read them with lesson.saved_ratings() "
                              "rather than typing them; to change them, move the radar's sliders and press Save.")
    lowest = min(ratings.values())
    candidates = {SHIFTS[name][0] for name, value in ratings.items() if value == lowest}
    if module in candidates:
        return checks.OK
    if module not in {number for number, _ in SHIFTS.values()}:
        return checks.not_yet(f"{module!r} is not a module number: the modules are '01' to '11' (lesson.SHIFTS).")
    return checks.not_yet(f"Module {module} does not teach a shift you rated {lowest:g}.")


def _took_min_of_keys(answer) -> bool:
    """``min(ratings)`` gives the alphabetically first shift; its module, when that is not a lowest-rated shift."""
    parsed = _ratings_and_module(answer)
    if parsed is None or _ratings_problem(parsed[0]):
        return False
    ratings, module = parsed
    first = min(ratings)
    return module == SHIFTS[first][0] and ratings[first] > min(ratings.values())


def _passed_rating(answer) -> bool:
    """The lowest rating (``min(ratings.values())``) passed where the module goes."""
    if not (isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[0], Mapping)):
        return False
    ratings, value = dict(answer[0]), answer[1]
    if _ratings_problem(ratings) or isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return float(value) == float(min(ratings.values()))


def _named_shift(answer) -> bool:
    """A shift's name where the module goes."""
    return (isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[1], str)
            and answer[1].strip() in SHIFTS)


def _picked_strongest(answer) -> bool:
    parsed = _ratings_and_module(answer)
    if parsed is None or _ratings_problem(parsed[0]):
        return False
    ratings, module = parsed
    highest = max(ratings.values())
    return module in {SHIFTS[n][0] for n, v in ratings.items() if v == highest} and min(ratings.values()) < highest


def _off_scale(answer) -> bool:
    parsed = _ratings_and_module(answer)
    if parsed is None or not parsed[0]:
        return False
    values = parsed[0].values()
    return all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values) and any(
        math.isfinite(float(v)) and not 1 <= float(v) <= 5 for v in values)


def _left_out(answer) -> bool:
    parsed = _ratings_and_module(answer)
    if parsed is None or not parsed[0]:
        return False
    keys = set(parsed[0])
    return keys < set(SHIFTS)
