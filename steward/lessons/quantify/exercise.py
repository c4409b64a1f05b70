"""Module 04's exercise: the checked tasks, each with its reference, misconceptions and hints."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from steward import checks
from steward.cartwheel import INVENTORY
from steward.lessons.quantify.model import (
    AVAILABILITY,
    CLAIM_PARTS,
    ESSAY_RPS,
    LATENCY,
    LATENCY_SLO_MS,
    LOAD_WINDOW,
    LOG_DAYS,
    MODULE,
    SAMPLE_RATE,
    TARGET_MS,
    TARGET_Q,
    WINDOW_DAYS,
    averaged_percentile,
    bad_share,
    budget_remaining_percent,
    budget_spent_percent,
    burn_rate,
    claim_from_data,
    claim_loads,
    claim_missing,
    in_flight_at_peak,
    in_flight_by_window,
    incident_requests,
    littles_law,
    max_load_under,
    p99_per_region,
    peak_throughput,
    percentile,
    performance_sentence,
    quantile_interval,
    requests_log,
    servers_needed,
    window_percentiles,
    worst_in_flight,
)
from steward.tasks import Misconception, Task, TaskSet

# -- tasks --------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


TASKS.add(Task(
    id="04.p99-per-region",
    title="p99 latency per region",
    prompt="A Series (or dict): region → p99 latency in ms, over the whole week.",
    reference=lambda: p99_per_region(requests_log()),
    compare=checks.series(rel=1e-3, what="p99 (ms)"),
    hints=[
        "Which statistic describes what the slowest 1 in 100 requests of each region see?",
        "Group by region, then take the 0.99 quantile of latency_ms.",
    ],
    misconceptions=[
        Misconception("used the mean instead of the p99",
                      "That is each region's average. With a long tail, how much does the average tell you about "
                      "the slowest 1% of requests?",
                      lambda: requests_log().groupby("region")["latency_ms"].mean()),
        Misconception("used the p95",
                      "Those are p95s: the slowest 1 in 20. Which quantile is the slowest 1 in 100?",
                      lambda: requests_log().groupby("region")["latency_ms"].quantile(0.95)),
        Misconception("used the median",
                      "Those are medians: the typical request. Which quantile describes the tail?",
                      lambda: requests_log().groupby("region")["latency_ms"].median()),
    ],
))

TASKS.add(Task(
    id="04.week-p99",
    title="The week's p99 (the averaged-percentile trap)",
    prompt="One number, in ms: the p99 latency of all the week's requests. (The dashboard shows a p99 per "
           "hour; can you get the week's p99 from those?)",
    reference=lambda: percentile(requests_log()["latency_ms"], 0.99),
    compare=checks.number(rel=1e-3, unit="ms"),
    hints=[
        "Is the p99 of the week a statement about hours, or about requests?",
        "Take the 0.99 quantile of every request's latency_ms at once; do not go through the hourly values.",
    ],
    misconceptions=[
        Misconception("averaged the hourly p99s",
                      "That is the mean of the hourly p99s. A quiet hour and the incident's hour count the same in "
                      "that mean: does it describe the slowest 1% of the week's requests?",
                      lambda: averaged_percentile(requests_log(), "1h")),
        Misconception("took the median of the hourly p99s",
                      "That is the median of the hourly p99s: a typical hour, not the week's slowest 1% of requests.",
                      lambda: float(window_percentiles(requests_log(), "1h").median())),
        Misconception("took the worst hour's p99",
                      "That is the worst hour's p99. What do all the week's requests together say?",
                      lambda: float(window_percentiles(requests_log(), "1h").max())),
        Misconception("used the mean latency",
                      "That is the mean latency. Which quantile is the p99?",
                      lambda: float(requests_log()["latency_ms"].mean())),
    ],
))

TASKS.add(Task(
    id="04.peak-throughput",
    title="Peak throughput, scaled from the sample",
    prompt="The busiest hour's throughput in real requests per second (a number; hours start on the hour). "
           "The log keeps 1 request in SAMPLE_RATE.",
    reference=lambda: peak_throughput(requests_log()),
    compare=checks.number(rel=1e-3, unit="requests/s"),
    hints=[
        "How many real requests does each row of a sampled log stand for, and how many seconds are in an hour?",
        "Count rows per hour (resample('1h').size()), multiply by SAMPLE_RATE, divide by the hour's seconds, "
        "take the max.",
    ],
    misconceptions=[
        Misconception("forgot to scale the sample back up",
                      "That is the throughput of the *sample*. Each row stands for how many real requests?",
                      lambda: peak_throughput(requests_log()) / SAMPLE_RATE),
        Misconception("reported requests per hour, not per second",
                      "That is requests per hour. How many seconds does an hour last?",
                      lambda: peak_throughput(requests_log()) * 3600),
        Misconception("used 10-minute windows",
                      "That is the busiest 10-minute window, which also carries more sampling noise. The task asks "
                      "for the busiest hour.",
                      lambda: peak_throughput(requests_log(), LOAD_WINDOW)),
        Misconception("reported requests per minute",
                      "That looks like requests per minute. The task asks per second.",
                      lambda: peak_throughput(requests_log()) * 60),
        Misconception("used 1-minute windows",
                      "That is the busiest single minute: a few minutes' spikes, and a handful of sampled rows each. "
                      "The task asks for the busiest hour: which window does your resample use?",
                      lambda: peak_throughput(requests_log(), "1min")),
    ],
))

def _no_bin_crosses(answer: Any) -> bool:
    """NaN: the lower edge of the first crossing bin, when no bin crosses (``.index.min()`` of nothing).
    With the p99 some bin crosses; with the mean none does, so NaN is the mean's mistake."""
    try:
        return bool(np.ndim(answer) == 0 and np.isnan(float(answer)))
    except (TypeError, ValueError):
        return False


TASKS.add(Task(
    id="04.max-load-under-target",
    title="The load at which p99 crosses 10 ms",
    prompt="Estimate each 10-minute window's load (real requests/s), put windows in 1,000 requests/s bins "
           "(the bin is floor(load / 1000) × 1000), pool the requests of each bin and take their p99. Up to what "
           "load does p99 stay under 10 ms? Report the lower edge of the first bin whose p99 is 10 ms or more.",
    reference=lambda: max_load_under(requests_log()),
    compare=checks.number(rel=1e-3, unit="requests/s"),
    hints=[
        "Which bins have a p99 of 10 ms or more, and which of those carries the least load?",
        "Map each request to its window's count (groupby the floored timestamp, transform('size')), scale to "
        "requests/s, floor to 1,000, then groupby that bin and take quantile(0.99).",
    ],
    misconceptions=[
        Misconception("used the mean latency per bin",
                      f"The mean stays under {TARGET_MS:g} ms at every load, so no bin crosses it (and the first "
                      "crossing of none is NaN). Which statistic does the sentence promise?",
                      lambda: max_load_under(requests_log(), statistic="mean"),
                      matches=lambda answer: _no_bin_crosses(answer) or checks.number(rel=1e-3)(
                          answer, max_load_under(requests_log(), statistic="mean")).status == checks.PASS),
        Misconception("used the p95 per bin",
                      "That is where the p95 crosses 10 ms. The claim is about the p99.",
                      lambda: max_load_under(requests_log(), q=0.95)),
        Misconception("forgot to scale the sample back up",
                      "That load is in *sampled* requests/s. How many real requests does each row stand for?",
                      lambda: max_load_under(requests_log()) / SAMPLE_RATE),
    ],
))

def _fivexx(frame: pd.DataFrame) -> pd.Series:
    return frame["status"] >= 500


def _availability_budget_left(bad: pd.Series) -> float:
    """Percent of the 30-day availability budget left after the log's week, for a bad-call mask."""
    return 100 * (1 - bad.mean() / AVAILABILITY.error_budget * LOG_DAYS / WINDOW_DAYS)


TASKS.add(Task(
    id="04.budget-remaining",
    title="Availability: error budget remaining",
    prompt=f"The availability SLO: {AVAILABILITY.statement()} (AVAILABILITY). If "
           "this week is the first 7 days of the window, what percentage of the 30-day error budget is left? "
           "A number 0–100.",
    reference=lambda: budget_remaining_percent(requests_log(), AVAILABILITY),
    compare=checks.number(rel=1e-3, unit="percent of the budget"),
    hints=[
        "What share of this week's calls were bad, and what share of 30 days' calls may be bad?",
        f"Budget spent = bad share / (1 − {AVAILABILITY.objective:g}) × 7/30 (the burn rate times the share of the window that has "
        "passed). Left = 100 × (1 − spent). Bad = status ≥ 500.",
    ],
    misconceptions=[
        Misconception("counted 4xx as bad",
                      "You counted client errors (4xx) against the budget. Whose mistake is a 404?",
                      lambda: _availability_budget_left(requests_log()["status"] >= 400)),
        Misconception("counted slow calls against the availability budget",
                      f"You also counted calls slower than {LATENCY_SLO_MS:.0f} ms. Which SLO do slow calls spend, and how big is "
                      "its budget?",
                      lambda: _availability_budget_left(_fivexx(requests_log())
                                                        | (requests_log()["latency_ms"] > LATENCY_SLO_MS))),
        Misconception("reported the share spent",
                      "That is the share *spent*. The task asks what is left.",
                      lambda: 100 - budget_remaining_percent(requests_log(), AVAILABILITY)),
        Misconception("treated the week as the whole window",
                      "You compared the week's bad calls with a *week's* budget. The budget is for 30 days: "
                      "what share of it has this week used?",
                      lambda: 100 * (1 - burn_rate(requests_log(), AVAILABILITY))),
        Misconception("gave a fraction, not a percentage",
                      "Is that a share of 1 or of 100? The task asks for a percentage, a number 0–100.",
                      lambda: budget_remaining_percent(requests_log(), AVAILABILITY) / 100),
    ],
))

TASKS.add(Task(
    id="04.latency-budget",
    title="Latency: the week's share of the latency budget",
    prompt=f"The latency SLO: {LATENCY.statement()} (LATENCY). "
           f"Its budget is the {LATENCY.error_budget:.0%} of calls that may be slower. If this week is the first 7 days of the window, "
           "what percentage of the 30-day latency budget did it spend? A number 0–100.",
    reference=lambda: budget_spent_percent(requests_log(), LATENCY),
    compare=checks.number(rel=1e-3, unit="percent of the latency budget"),
    hints=[
        "Which calls does the latency SLO count as bad, and what share of a month's calls may be bad?",
        f"Spent = share of calls with latency_ms > {LATENCY_SLO_MS:.0f} / (1 − {LATENCY.objective:g}) × 7/30, as a percentage. Every call counts, "
        "whatever its status.",
    ],
    misconceptions=[
        Misconception("used the availability budget (0.1%)",
                      f"You divided by {AVAILABILITY.error_budget:.1%}, the availability SLO's budget. What share of calls may the latency "
                      f"SLO's {LATENCY.objective:.0%} leave slow?",
                      lambda: budget_spent_percent(requests_log(), LATENCY) * LATENCY.error_budget
                      / AVAILABILITY.error_budget),
        Misconception("left the failed calls out",
                      f"You dropped the 5xx calls. A 504 waited for the inventory client's {INVENTORY.attempts} "
                      "attempts: was that call fast?",
                      lambda: budget_spent_percent(requests_log()[~_fivexx(requests_log())], LATENCY)),
        Misconception("counted 5xx as slow too",
                      "You counted every 5xx against the latency budget. A 503 that failed fast: was it slow? "
                      "Failures have their own SLO.",
                      lambda: 100 * (_fivexx(requests_log()) | (requests_log()["latency_ms"] > LATENCY_SLO_MS)).mean()
                      / LATENCY.error_budget * LOG_DAYS / WINDOW_DAYS),
        Misconception("treated the week as the whole window",
                      "That is the week's burn rate against a *week's* budget. What share of the 30-day budget "
                      "did 7 days spend?",
                      lambda: 100 * burn_rate(requests_log(), LATENCY)),
        Misconception("reported the share left",
                      "That is what is *left*. The task asks what the week spent.",
                      lambda: 100 - budget_spent_percent(requests_log(), LATENCY)),
        Misconception("gave a fraction, not a percentage",
                      "Is that a share of 1 or of 100? The task asks for a percentage, a number 0–100.",
                      lambda: budget_spent_percent(requests_log(), LATENCY) / 100),
    ],
))

TASKS.add(Task(
    id="04.incident-burn-rate",
    title="Burn rate during the incident",
    prompt="The availability SLO's burn rate during the incident (INCIDENT_START to INCIDENT_END, end excluded): "
           "how many times faster than sustainable did it spend the error budget? A number.",
    reference=lambda: burn_rate(incident_requests(requests_log()), AVAILABILITY),
    compare=checks.number(rel=1e-3, unit="× the sustainable rate"),
    hints=[
        "If the budget allows 1 bad call in 1,000, how many times that rate were bad during the incident?",
        f"Filter to the incident window, take the share of calls with status ≥ 500, divide by (1 − {AVAILABILITY.objective:g}).",
    ],
    misconceptions=[
        Misconception("reported the bad share in percent",
                      "That is the bad share as a percentage. A burn rate compares it with the budget's share: "
                      "what is 1 − SLO?",
                      lambda: 100 * bad_share(incident_requests(requests_log()), AVAILABILITY)),
        Misconception("reported the bad share as a fraction",
                      "That is the bad share. How many times the allowed share (1 − SLO) is it?",
                      lambda: bad_share(incident_requests(requests_log()), AVAILABILITY)),
        Misconception("used the whole week",
                      "That is the week's burn rate. The task asks about the incident window only.",
                      lambda: burn_rate(requests_log(), AVAILABILITY)),
        Misconception("counted 4xx as bad",
                      "You counted client errors (4xx) as bad. Do they spend the budget?",
                      lambda: float((incident_requests(requests_log())["status"] >= 400).mean()
                                    / AVAILABILITY.error_budget)),
        Misconception("counted slow calls as bad",
                      f"You counted calls slower than {LATENCY_SLO_MS:.0f} ms against the availability budget. Which SLO do slow "
                      "calls spend?",
                      lambda: float((_fivexx(incident_requests(requests_log()))
                                     | (incident_requests(requests_log())["latency_ms"] > LATENCY_SLO_MS)).mean()
                                    / AVAILABILITY.error_budget)),
        Misconception("scaled by the log's days over the SLO's",
                      f"You scaled by the log's {LOG_DAYS} days against the SLO's {WINDOW_DAYS}. A burn rate compares two "
                      "rates: the share of bad calls during the incident and the share the SLO allows. Does either "
                      "depend on how long the window is?",
                      lambda: burn_rate(incident_requests(requests_log()), AVAILABILITY) * LOG_DAYS / WINDOW_DAYS,
                      matches=lambda a: any(checks.number(rel=1e-3)(a, burn_rate(incident_requests(requests_log()),
                                                                                  AVAILABILITY) * k).passed
                                            for k in (LOG_DAYS / WINDOW_DAYS, WINDOW_DAYS / LOG_DAYS))),
    ],
))

TASKS.add(Task(
    id="04.in-flight-worst",
    title="Calls in flight: the fullest window, not the busiest (Little's law)",
    prompt="Little's law gives the *mean* number of calls inside the engine: L = λW. A pool of connections or "
           "threads must hold the worst stretch, not the average one. For every 10-minute window compute L from "
           "its real throughput λ (calls/s) and its calls' mean latency W (s); report the largest L of the week. "
           "A number.",
    reference=lambda: worst_in_flight(requests_log()),
    compare=checks.number(rel=1e-3, unit="calls in flight"),
    hints=[
        "L = λW has two factors: which of them changes when the inventory service slows down, and does the "
        "busiest window have the largest product?",
        "Resample by '10min': λ = size() × SAMPLE_RATE / 600, W = mean() of latency_ms / 1000; multiply and take "
        "the max.",
    ],
    misconceptions=[
        Misconception("took the busiest window's mean",
                      "That is L in the busiest 10 minutes. When the inventory service slowed, calls stayed "
                      "inside longer: which window held the most of them at once?",
                      lambda: in_flight_at_peak(requests_log())),
        Misconception("multiplied the peak rate by the week's p99",
                      "That is a rule of thumb (peak rate × the week's p99), not a window the log saw. Which "
                      "10 minutes actually held the most calls?",
                      lambda: littles_law(ESSAY_RPS, percentile(requests_log()["latency_ms"], 0.99))),
        Misconception("averaged the windows",
                      "That is the week's average L. Which window must the pool survive?",
                      lambda: float(in_flight_by_window(requests_log()).mean())),
        Misconception("left the latency in milliseconds",
                      "Your answer is 1,000× too big. λ is per second: what is W in seconds?",
                      lambda: worst_in_flight(requests_log()) * 1000),
        Misconception("used each window's p99 as W",
                      "Little's law relates *averages*: which latency statistic does W stand for?",
                      lambda: worst_in_flight(requests_log(), statistic="p99")),
        Misconception("forgot to scale the sample back up",
                      "That is the sample's concurrency. Each row stands for how many real calls?",
                      lambda: worst_in_flight(requests_log(), sample_rate=1)),
        Misconception("multiplied the busiest rate by the slowest latency",
                      "That pairs the busiest window's λ with the slowest window's W. Did any 10 minutes have "
                      "both? Compute L window by window, then take the largest.",
                      lambda: _busiest_times_slowest(requests_log())),
    ],
))

def _busiest_times_slowest(frame: pd.DataFrame) -> float:
    """max λ × max W over the 10-minute windows: two windows' worst, as if they were one."""
    windows = frame.set_index("timestamp")["latency_ms"].resample(LOAD_WINDOW)
    return float((windows.size() * SAMPLE_RATE / pd.Timedelta(LOAD_WINDOW).total_seconds()).max()
                 * windows.mean().max() / 1000)


def _check_claim(answer: Any, expected: float) -> checks.Verdict:
    if not isinstance(answer, str):
        return checks.not_yet(f"Expected your sentence as a string; got {checks.describe(answer)}.")
    if not answer.strip():
        return checks.Verdict(checks.NOT_ATTEMPTED, "The sentence is empty.")
    missing = claim_missing(answer)
    if missing:
        return checks.not_yet(f"The sentence lacks {'; '.join(missing)}.")
    if not re.search(r"\bp\s?99\b|\b99(?:th)?[\s-]*(?:percentile|%ile)", answer, re.I):
        return checks.not_yet("The target is about the p99; the sentence names another percentile.")
    if not re.search(rf"\b{TARGET_MS:g}(?:\.0+)?[\s-]*(?:ms|milliseconds?)\b", answer, re.I):
        return checks.not_yet(f"The target is {TARGET_MS:g} ms; the sentence quotes another latency.")
    # A careful sentence may quote a second load for context ("… up to 14,000 calls/s; the peak is 20,000").
    if not any(math.isclose(load, expected, rel_tol=0.02) for load in claim_loads(answer)):
        return checks.not_yet("The load in the sentence is not the one your analysis of the data gives.")
    return checks.OK


TASKS.add(Task(
    id="04.claim",
    title="Turn 'it's fast' into a claim",
    prompt="One sentence, as a string, that the data supports: a percentile (p99), a latency (10 ms), the load "
           "up to which it holds (from your analysis, in requests/s) and the window it was measured over.",
    reference=lambda: max_load_under(requests_log()),
    compare=_check_claim,
    sample_answer=lambda: claim_from_data(requests_log()),
    hints=[
        "Which three things would someone need to check your claim: of which requests, under how much load, "
        "over what period?",
        "Write it like: 'p99 latency under 10 ms at up to N requests/s, measured over 7 days', with N from "
        "the load task.",
    ],
    misconceptions=[
        Misconception("quoted the essay's 20,000 requests/s",
                      "20,000 requests/s is the essay's number. Did our data show p99 under 10 ms at that load?",
                      lambda: performance_sentence(TARGET_Q, TARGET_MS, ESSAY_RPS, "7 days"),
                      matches=lambda a: ESSAY_RPS in claim_loads(a)),
        Misconception("wrote an adjective, not a measurement",
                      "'Fast' compared with what? Which percentile, at what load, over which window?",
                      lambda: "The recommendation engine is fast.",
                      matches=lambda a: isinstance(a, str) and bool(a.strip()) and len(claim_missing(a)) == len(CLAIM_PARTS)),
    ],
))

CART = "cart"


def _cart_latency() -> np.ndarray:
    log = requests_log()
    return log.loc[log["endpoint"] == CART, "latency_ms"].to_numpy()


def _interval_check(rel: float) -> checks.Comparator:
    """(low, high) in ms, each end within ``rel`` of the reference: bootstrap draws differ by seed."""

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        try:
            values = np.asarray(answer, dtype=float).ravel()
        except (TypeError, ValueError):
            values = None
        if values is None or isinstance(answer, str | dict) or values.size != 2:
            return checks.not_yet(f"Expected two numbers, (low, high) in ms; got {checks.describe(answer)}.")
        low, high = values
        if not (np.isfinite(low) and np.isfinite(high)):
            return checks.not_yet("An end of your interval is NaN or infinite: did every resample give a value?")
        if low > high:
            return checks.not_yet("The low end is above the high end: write (low, high).")
        if all(math.isclose(v, e, rel_tol=rel) for v, e in zip((low, high), expected, strict=True)):
            return checks.OK
        return checks.not_yet(f"({low:,.4g}, {high:,.4g}) ms is not the interval the data gives (each end may "
                              f"differ by {rel:.0%} from seed to seed).")

    compare.tolerance = f"relative {rel:g} on each end"  # type: ignore[attr-defined]
    return compare


TASKS.add(Task(
    id="04.p999-interval",
    title="How sure is a p99.9? A bootstrap interval",
    prompt="The `cart` endpoint's p99.9 rests on its slowest 1 in 1,000 sampled calls: a few dozen rows. Give a "
           "95% bootstrap interval for it, as (low, high) in ms: resample cart's calls with replacement (same "
           "size, at least 200 times, seeded), take each resample's p99.9, and report the 2.5th and 97.5th "
           "percentiles of those.",
    reference=lambda: quantile_interval(_cart_latency(), 0.999, resamples=20_000),
    compare=_interval_check(rel=0.08),
    hints=[
        "If Cartwheel logged another week of the same traffic, how far would cart's p99.9 move, and how can the "
        "week you have stand in for the weeks you do not?",
        "rng = np.random.default_rng(seed); draws = np.quantile(rng.choice(x, (200, x.size)), 0.999, axis=1); "
        "then np.quantile(draws, [0.025, 0.975]).",
    ],
    misconceptions=[
        Misconception("gave the spread of the latencies, not of the p99.9",
                      "Those are the 2.5th and 97.5th percentiles of the calls themselves: where 95% of calls "
                      "fall. How much would the *p99.9* change from one week's sample to another?",
                      lambda: tuple(np.quantile(_cart_latency(), [0.025, 0.975]))),
        Misconception("resampled without replacement",
                      "Every resample holds the same calls, so every p99.9 is the same and the interval has no "
                      "width. What does drawing *with* replacement change?",
                      lambda: (percentile(_cart_latency(), 0.999),) * 2),
        Misconception("bootstrapped the p99",
                      "That is an interval for the p99. Which quantile is the p99.9?",
                      lambda: quantile_interval(_cart_latency(), 0.99, resamples=20_000)),
        Misconception("used the whole week's calls",
                      "That is the interval for all endpoints. The task asks about cart: which rows belong to it?",
                      lambda: quantile_interval(requests_log()["latency_ms"], 0.999, resamples=20_000)),
        Misconception("used a normal interval around the mean",
                      "That is mean ± 1.96 standard errors: an interval for the *mean* latency. Does the mean "
                      "say anything about the slowest 1 in 1,000?",
                      lambda: (lambda x: (x.mean() - 1.96 * x.std() / math.sqrt(x.size),
                                          x.mean() + 1.96 * x.std() / math.sqrt(x.size)))(_cart_latency())),
    ],
))


_ERLANG_CASES = [(a, t) for a in (0.5, 1.0, 2.5, 4.0, 7.5, 12.0, 30.0) for t in (0.5, 0.2, 0.05, 0.01)]

TASKS.add(Task(
    id="04.servers-needed",
    title="Stretch: servers needed, by Erlang C",
    prompt="Write servers_needed(offered_load, max_wait_probability) → int: the fewest servers c for which an "
           "M/M/c queue with offered load a = λ/μ makes a request wait with probability at most "
           "max_wait_probability. Implement Erlang C yourself (a = 2.5: c = 3 → 70.2%, 4 → 32.0%, 5 → 13.0%, "
           "6 → 4.7%).",
    reference=lambda: servers_needed,
    compare=checks.function_on(lambda: _ERLANG_CASES, what="(offered load, max P(wait))"),
    stretch=True,
    hints=[
        "Below how many servers does the queue grow without bound, and what must you compute for each c above it?",
        "Start at c = floor(a) + 1 and increase c until erlang_c(c, a) ≤ the target. Erlang C: "
        "[aᶜ/c!·c/(c−a)] / [Σₖ<c aᵏ/k! + aᶜ/c!·c/(c−a)].",
    ],
    misconceptions=[
        Misconception("only made the queue stable",
                      "That is the fewest servers that keep up on average (c > a). How often does a request still "
                      "wait at that c?",
                      lambda: (lambda a, t: math.floor(a) + 1)),
        Misconception("capped utilization instead of P(wait)",
                      "You kept each server's utilization a/c under 1 − target. Is the chance of waiting the same "
                      "as the utilization?",
                      lambda: (lambda a, t: max(1, math.ceil(a / (1 - t) - 1e-9)))),
    ],
))
