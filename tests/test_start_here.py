"""Module 00: the two readings of Cartwheel's SLO (from the canon), the self-assessment task that
reads the learner's saved ratings, and the lesson's order."""

from __future__ import annotations

import re

import pytest

from steward import cartwheel, nbjson, paths, progress
from steward.checks import NOT_YET, PASS
from steward.lessons import start_here as lesson

ROOT = paths.root()
TASKS = lesson.TASKS


@pytest.fixture(autouse=True)
def _private_progress(progress_file):
    return progress_file


def full_ratings(value: float = 3) -> dict[str, float]:
    return {name: value for name in lesson.SHIFTS}


# -- the canon -------------------------------------------------------------------------------------
def test_module_00s_slo_is_the_canons():
    assert lesson.SLO == cartwheel.AVAILABILITY.objective
    assert lesson.WINDOW_DAYS == cartwheel.WINDOW_DAYS == cartwheel.AVAILABILITY.window_days
    assert TASKS.downtime_allowed.expected == pytest.approx(cartwheel.AVAILABILITY.time_equivalent_minutes())


def test_request_budget_is_the_canons_and_translates_to_the_time_budget():
    calls = lesson.request_budget_calls()
    assert calls == pytest.approx(cartwheel.AVAILABILITY.budget_calls())
    assert calls == pytest.approx(cartwheel.AVAILABILITY.error_budget * cartwheel.average_calls_per_s() * cartwheel.MONTH_SECONDS)
    # at the average rate, the request budget lasts exactly the time-based budget's minutes of full outage
    assert calls / cartwheel.average_calls_per_s() / 60 == pytest.approx(cartwheel.AVAILABILITY.time_equivalent_minutes())
    assert TASKS.request_budget.expected == pytest.approx(calls)


def test_an_outage_at_the_peak_spends_peak_over_average_times_the_budget():
    outage = lesson.outage_at_three_hours(25)
    spent = outage.budget_spent_percent
    ratio = cartwheel.PEAK_CALLS_PER_S / cartwheel.average_calls_per_s()
    assert lesson.peak_to_average() == pytest.approx(ratio)
    assert spent["weekly peak"] / spent["average"] == pytest.approx(ratio)
    assert spent["average"] == pytest.approx(100 * 25 / cartwheel.AVAILABILITY.time_equivalent_minutes())
    assert lesson.trough_calls_per_s() < cartwheel.average_calls_per_s() < cartwheel.PEAK_CALLS_PER_S
    assert list(spent) == sorted(spent)  # trough < average < peak
    # what the lesson's sentences say, true on the canon
    assert spent["weekly peak"] > 100 > 4 * spent["trough (quietest minute)"]


@pytest.mark.parametrize("minutes, rate", [(-1, 10.0), (float("nan"), 10.0), (5, -1.0)])
def test_outage_share_rejects_nonsense(minutes, rate):
    with pytest.raises(ValueError):
        lesson.outage_budget_percent(minutes, rate)


def test_request_budget_misconceptions_are_the_mistakes_they_name():
    by_name = {m.name: m.example() for m in TASKS.request_budget.misconceptions}
    assert by_name["gave the time-based budget in minutes"] == pytest.approx(cartwheel.AVAILABILITY.time_equivalent_minutes())
    assert by_name["used the weekly peak instead of the average traffic"] == pytest.approx(
        lesson.request_budget_calls() * lesson.peak_to_average())


# -- the self-assessment task: checks shifts and 1-5 ratings, reads the progress file ---------------------
@pytest.mark.parametrize("ratings", [
    {"anything": 1},
    {"Master trade-offs": 1},
    {**full_ratings(), "Master trade-offs": 0},
    {**full_ratings(), "Master trade-offs": 6},
    {**full_ratings(), "Master trade-offs": 2.5},
    {**full_ratings(), "Master trade-offs": True},
    {**full_ratings(), "Master trade-offs": "2"},
    {**full_ratings(), "Master trade-offs": float("nan")},
    {**full_ratings(), "not a shift": 1},
    {},
])
def test_first_module_rejects_what_is_not_a_self_assessment(ratings):
    module = "02"
    outcome = TASKS.first_module.check((ratings, module))
    assert outcome.status == NOT_YET, f"{ratings!r} passed"


def test_first_module_accepts_a_full_assessment_and_the_lowest_shift():
    ratings = {**full_ratings(4), "Influence with data": 1}
    assert TASKS.first_module.check((ratings, "07")).status == PASS
    assert TASKS.first_module.check((ratings, "7")).status == PASS
    assert TASKS.first_module.check((ratings, "04")).status == NOT_YET
    assert TASKS.first_module.check(({k: float(v) for k, v in ratings.items()}, "07")).status == PASS


def test_first_module_must_use_the_saved_ratings(progress_file):
    saved = {**full_ratings(4), "Own the un-owned": 2}
    progress.save_self_assessment("00", {k: float(v) for k, v in saved.items()})
    assert lesson.saved_ratings() == saved
    assert TASKS.first_module.check((saved, "08")).status == PASS
    typed = {**full_ratings(4), "Influence with data": 1}  # valid, but not what was saved
    outcome = TASKS.first_module.check((typed, "07"))
    assert outcome.status == NOT_YET and "saved" in outcome.message
    assert TASKS.first_module.sample_answer() == (saved, "08")


def test_saved_ratings_falls_back_to_the_radar_when_nothing_is_saved(capsys):
    assert lesson.saved_ratings() is None
    assert "No ratings saved" in capsys.readouterr().out
    radar = lesson.SelfAssessment()
    radar.set(**{"Master trade-offs": 1})
    assert lesson.saved_ratings(fallback=radar)["Master trade-offs"] == 1
    assert lesson.saved_ratings(quiet=True) is None and capsys.readouterr().out.count("No ratings saved") == 1


def test_the_radar_starts_from_the_saved_ratings():
    saved = {**full_ratings(2), "Quantify everything": 5}
    radar = lesson.SelfAssessment(initial=saved)
    assert radar.state["Quantify everything"] == 5 and radar.state["Master trade-offs"] == 2
    assert lesson.SelfAssessment(initial={"Master trade-offs": "junk"}).state["Master trade-offs"] == 3


# -- the notebooks ----------------------------------------------------------------------------------------
def cells(path):
    return [(c["cell_type"], nbjson.source(c)) for c in nbjson.read(path).cells]


def test_the_nines_lead_in_is_followed_by_the_nines_table():
    lesson_cells = cells(ROOT / "notebooks" / "00-start-here.ipynb")
    index = next(i for i, (_, text) in enumerate(lesson_cells) if "Here every number is computed" in text)
    kind, text = lesson_cells[index + 1]
    assert kind == "code" and "nines_table" in text


def test_the_lesson_teaches_both_readings_and_names_the_latency_slo():
    text = "\n".join(t for _, t in cells(ROOT / "notebooks" / "00-start-here.ipynb"))
    for needed in ("time_equivalent_minutes", "budget_calls", "peak_to_average", "cartwheel.SLOS",
                   "SRE book ch. 3", "SRE workbook ch. 2", "p99 of calls"):
        assert needed in text


@pytest.mark.parametrize("folder", ["solutions", "exercises"])
def test_the_exercise_reads_ratings_from_the_progress_file(folder):
    code = "\n".join(t for kind, t in cells(ROOT / folder / "00-start-here.ipynb") if kind == "code")
    assert "lesson.saved_ratings(" in code
    assert not re.search(r"\"Ask how it will break\"\s*:", code), "ratings are read, never typed by hand"
    assert "tasks.request_budget.check(" in code


def test_module_00_quotes_slo_figures_only_from_the_canon():
    """Every SLO percentage and every ms figure in 00's Markdown is the canon's."""
    allowed_percent = {f"{100 * s.objective:.10g}" for s in cartwheel.SLOS} | {
        f"{100 * s.error_budget:.10g}" for s in cartwheel.SLOS}
    for folder in ("notebooks", "solutions", "exercises"):
        for kind, text in cells(ROOT / folder / "00-start-here.ipynb"):
            if kind != "markdown":
                continue
            for number in re.findall(r"(\d+(?:\.\d+)?)\s*ms\b", text):
                assert float(number) == cartwheel.LATENCY.threshold_ms, f"{folder}: {number} ms"
            for number in re.findall(r"(\d+(?:\.\d+)?)%", text):
                assert number in allowed_percent | {"30", "40", "70"}, f"{folder}: {number}%"  # 30/40/70: the essay's claims


def test_module_00s_minutes_in_markdown_are_the_computed_budget():
    budget = f"{cartwheel.AVAILABILITY.time_equivalent_minutes():.1f}"
    for folder in ("notebooks", "solutions"):
        for kind, text in cells(ROOT / folder / "00-start-here.ipynb"):
            if kind == "markdown":
                for number in re.findall(r"(\d+\.\d+)\s*minutes", text):
                    assert number == budget, f"{folder}: {number} minutes is not the SLO's time budget {budget}"


def test_the_peak_outage_stretch_costs_more_than_the_time_based_reading_says():
    task = TASKS.peak_outage
    assert task.stretch
    assert task.expected == pytest.approx(100 * 25 * 60 * cartwheel.PEAK_CALLS_PER_S / lesson.request_budget_calls())
    minutes_reading = next(m for m in task.misconceptions if m.name == "charged minutes, not calls").example()
    assert task.expected / minutes_reading == pytest.approx(lesson.peak_to_average())
