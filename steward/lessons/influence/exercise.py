"""Module 07's exercise: the claim to interrogate and every checked task, in order (``TASKS``)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from steward import cartwheel, checks
from steward.datagen import load
from steward.lessons.influence.model import (
    CONFIDENCE,
    DECISIONS,
    HOURS_PER_MONTH,
    MODULE,
    ZTest,
    _facts,
    _money,
    _statement_compare,
    abandonment_mde_pp,
    abandonment_test,
    arm_counts,
    arm_latency,
    average_order_value,
    cart_abandonment,
    cart_rate,
    changes,
    check_statement,
    extract_numbers,
    guardrail_decision,
    impact_statement,
    latency_added,
    latency_mean_added,
    monthly_sessions,
    peeking_false_positive_rate,
    revenue_claim,
    revenue_per_month,
    revenue_range,
    rightsizing,
    sample_size_per_arm,
    saving_by_service,
    saving_share,
    sessions_srm,
    srm_check,
    two_proportion_ztest,
    z_quantile,
)
from steward.lessons.influence.views import (
    _chart_compare,
    _chart_figure,
    _reference_chart,
    chart_title,
)
from steward.tasks import Misconception, Rubric, Task, TaskSet

# -- the claim to interrogate --------------------------------------------------------------------
EVIDENCE_PARTS = {
    "says the claim has no source yet": lambda t: bool(re.search(r"\b(unsourced|no source|source|cite|citation|unconfirmed|could not find|couldn't find)", t, re.I)),
    "asks for the study (who, how, when)": lambda t: bool(re.search(r"\b(study|survey|report|paper|experiment|research|methodolog)", t, re.I)),
    "asks for the sample": lambda t: bool(re.search(r"\b(sample|respondents|participants|companies|organi[sz]ations|how many|n\s*=)", t, re.I)),
    "asks for the baseline or comparison": lambda t: bool(re.search(r"\b(baseline|compared|comparison|control group|versus|vs\.?|than what|counterfactual)", t, re.I)),
    "asks what 'faster' measures": lambda t: bool(re.search(r"\b(measur|defin|metric|days|weeks|time to|time-to|approval)", t, re.I)),
}


def _restates_claim(text: Any) -> bool:
    """The answer repeats "five times faster" without asking for any evidence."""
    if not isinstance(text, str):
        return False
    claims = re.search(r"(five|5)\s*(times|x|×)", text, re.I)
    questions = any(present(text) for name, present in EVIDENCE_PARTS.items() if name != "asks what 'faster' measures")
    return bool(claims) and not questions


EVIDENCE_SAMPLE = (
    "The essay's 'Gartner: business-impact framing gets buy-in five times faster' has no source we could find, so I "
    "would not repeat it. To believe it I would want the study itself: who ran it, when, and how. I would want the "
    "sample: how many proposals or companies, and how they were chosen (only approved projects would be survivorship "
    "bias). I would want the baseline: faster compared with what, such as the same teams' proposals framed in technical "
    "terms, ideally with proposals randomly assigned to the two framings. And I would want to know what 'faster' measures: "
    "days from proposal to approval, or share approved within a quarter, with the spread, not only the average."
)

EVIDENCE_RUBRIC = Rubric(
    id="07.evidence-rubric",
    title="What evidence would support 'five times faster buy-in'?",
    criteria=[
        "I treat the number as a claim, not a fact, and say so without sneering.",
        "I ask for the study, the sample and how it was chosen.",
        "I name the comparison: faster than what, and whether the groups were comparable (ideally randomised).",
        "I pin down what 'faster' measures and in what unit, and ask for the spread, not only a ratio.",
        "I say what I would do meanwhile: use our own numbers (like this module's statement) instead of the quote.",
    ],
    mid_level=("Gartner is reputable, but I couldn't find the report, so I'd want to read it before using the "
               "number. It probably depends on the company."),
    senior_level=EVIDENCE_SAMPLE + " Until then, I'd make the case with our own A/B result and its range.",
)


# -- tasks -------------------------------------------------------------------------------------
TASKS = TaskSet(MODULE)


def _sessions() -> pd.DataFrame:
    return load("ab_sessions")


def _test() -> ZTest:
    return abandonment_test(_sessions())


def _rates_by(denominator: str) -> pd.Series:
    """Wrong versions of the metric, for the misconceptions."""
    s = _sessions()
    if denominator == "sessions":
        result = (s.added_to_cart & ~s.purchased).groupby(s.arm).mean()
    else:
        result = (~s.purchased).groupby(s.arm).mean()
    result.index.name = "arm"
    return result


def _pair(rel: float = 1e-3, abs_: float = 0.0, what: str = "pair", unit: str = "") -> checks.Comparator:
    """Two numbers (low, high) or (a, b), each within tolerance."""

    def compare(answer: Any, expected: tuple[float, float]) -> checks.Verdict:
        if isinstance(answer, str) or not isinstance(answer, tuple | list | np.ndarray | pd.Series):
            return checks.not_yet(f"Expected a pair of numbers, {what}; got {checks.describe(answer)}.")
        items = list(np.asarray(answer, dtype=object).reshape(-1)) if not isinstance(answer, tuple | list) else list(answer)
        if len(items) != 2:
            return checks.not_yet(f"Expected exactly two numbers, {what}; got {len(items)}.")
        values = [checks._as_float(x) for x in items]
        if any(v is None for v in values):
            return checks.not_yet(f"Both items must be numbers, {what}; got {checks.describe(answer)}.")
        if any(math.isnan(v) for v in values):
            return checks.not_yet("A value is NaN: somewhere a value is missing or a division had no data.")
        wanted = [float(x) for x in expected]
        if all(math.isclose(v, e, rel_tol=rel, abs_tol=abs_) for v, e in zip(values, wanted, strict=True)):
            return checks.OK
        shown = f"({checks.plain_number(values[0])}; {checks.plain_number(values[1])})"  # never (1.43535e+10, …); commas group digits
        if all(math.isclose(v, e, rel_tol=rel, abs_tol=abs_) for v, e in zip(values, wanted[::-1], strict=True)):
            order = "Give the low end first: (low, high)." if "low" in what else f"Give them in the order {what}."
            return checks.not_yet(f"Right numbers, wrong order: you gave {shown}. {order}")
        closes = [checks.rounded_close(v, e) for v, e in zip(values, wanted, strict=True)]
        if all(closes):
            return checks.not_yet(f"Close: {shown} is the data's {what} rounded to the "
                                  "decimals you wrote. Give one more decimal, or pass your computed values.")
        return checks.not_yet(f"{shown} is not {what} the data gives{f' (in {unit})' if unit else ''}.")

    return compare


def _ztest_compare(answer: Any, expected: tuple[float, float]) -> checks.Verdict:
    """(z, p): z within 0.2% (either sign: the direction is a convention), p within 2%."""
    verdict = _pair(rel=1, what="(z, p)")(answer, expected)
    if not verdict.passed:
        return verdict
    z, p = (checks._as_float(x) for x in answer)
    if not math.isclose(abs(z), abs(expected[0]), rel_tol=2e-4):
        return checks.not_yet(f"z = {z:.4g} is not the z the data gives.")
    if not math.isclose(p, expected[1], rel_tol=2e-2):
        return checks.not_yet(f"p = {checks.plain_number(float(p))} is not the two-sided p-value for the data's z.")
    return checks.OK


def _ztest_with(per: str = "carts", one_sided: bool = False, cdf: bool = False,
                unpooled: bool = False) -> tuple[float, float]:
    s = _sessions()
    if unpooled:
        t = _test()
        se = math.sqrt(t.p1 * (1 - t.p1) / _carts("control") + t.p2 * (1 - t.p2) / _carts("treatment"))
        z = t.diff / se
        return z, math.erfc(abs(z) / math.sqrt(2.0))
    if per == "sessions":
        counts = arm_counts(s)
        c, t = counts.loc["control"], counts.loc["treatment"]
        test = two_proportion_ztest(int(c.abandoned), int(c.sessions), int(t.abandoned), int(t.sessions))
    else:
        test = _test()
    p = test.p_value
    if one_sided:
        p = p / 2
    if cdf:
        p = 1 - p
    return test.z, p


def _ci_with(z: float | None = None, unpooled: bool = True, scale: float = 100.0, flip: bool = False) -> tuple[float, float]:
    t = _test()
    q = z_quantile(CONFIDENCE) if z is None else z
    n1, n2 = _carts("control"), _carts("treatment")
    if unpooled:
        se = math.sqrt(t.p1 * (1 - t.p1) / n1 + t.p2 * (1 - t.p2) / n2)
    else:
        pooled = (t.p1 * n1 + t.p2 * n2) / (n1 + n2)
        se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    half = q * se
    low, high = t.diff - half, t.diff + half
    if flip:
        low, high = -high, -low
    return scale * low, scale * high


def _carts(arm: str) -> int:
    return int(arm_counts(_sessions()).loc[arm, "carts"])


def _srm_pvalues(kind: str = "right") -> pd.Series:
    out = {}
    for name in ("ab_sessions", "ab_sessions_srm"):
        frame = load(name)
        if kind == "carts":
            counts = frame.loc[frame.added_to_cart, "arm"].value_counts()
            p = srm_check(counts).p_value
        elif kind == "chi2":
            counts = frame["arm"].value_counts()
            p = float(((counts - counts.sum() / 2) ** 2 / (counts.sum() / 2)).sum())
        else:
            p = sessions_srm(frame).p_value
            if kind == "cdf":
                p = 1 - p
        out[name] = p
    result = pd.Series(out, name="srm_p_value")
    result.index.name = "dataset"
    return result


def _revenue_with(cart: bool = True, sign: float = 1.0, point: bool = False) -> tuple[float, float]:
    s = _sessions()
    t = _test()
    share = cart_rate(s) if cart else 1.0
    aov = average_order_value(s)
    if point:
        value = revenue_per_month(monthly_sessions(), share, -t.diff, aov)
        return value, value
    low, high = revenue_range(monthly_sessions(), share, (t.ci_low, t.ci_high), aov)
    if sign < 0:
        return -high, -low
    return low, high


def _statement_variant(kind: str) -> str:
    f = _facts()
    text = impact_statement(f)
    if kind == "relative-as-pp":
        return text.replace(f"{abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative", f"{abs(f.rel_pct):.1f} pp")
    if kind == "pp-as-percent":
        return text.replace(f"{abs(f.abs_pp):.1f} pp, or {abs(f.rel_pct):.1f}% relative", f"a {abs(f.abs_pp):.1f}% drop")
    if kind == "point":
        return text.replace(f"{_money(f.revenue_low)} to {_money(f.revenue_high)}", _money(f.revenue_point))
    if kind == "unsupported":
        return text + " Right-sizing the fleet will also reduce our infrastructure costs by 30%."
    if kind == "no-uncertainty":
        start = text.index(" (95% CI")
        return text[:start] + text[text.index(")", start) + 1:]
    if kind == "no-cost":
        return text[:text.index(" The cost:")]
    if kind == "mean-latency":
        return text.replace(f"{f.latency_p99_added_ms:.1f} ms more p99 latency",
                            f"{f.latency_mean_added_ms:.1f} ms more mean latency")
    if kind == "wrong-slo-verdict":
        said = "inside" if f.treatment_inside_slo else "which breaks"
        return text.replace(f"{said} the {f.slo_ms:.0f} ms SLO",
                            f"{'outside' if f.treatment_inside_slo else 'inside'} the {f.slo_ms:.0f} ms SLO")
    raise ValueError(kind)


def _flags(code: str):
    return lambda answer: isinstance(answer, str) and code in check_statement(answer).codes


def _function_close(cases: Sequence[tuple[float, float]], rel: float = 5e-3) -> checks.Comparator:
    """The learner's sample-size function against the reference on several inputs, within ``rel``."""

    def compare(answer: Any, expected: Any) -> checks.Verdict:
        if not callable(answer):
            return checks.not_yet(f"Expected a function n_per_arm(baseline, delta); got {checks.describe(answer)}.")
        blank = True
        for baseline, delta in cases:
            want = expected(baseline, delta)
            try:
                got = answer(baseline, delta)
            except Exception as error:  # the learner's code: report, never raise
                return checks.not_yet(f"Your function raised {type(error).__name__}: {error} for baseline={baseline}, delta={delta}.")
            if checks.is_placeholder(got):
                continue
            blank = False
            value = checks._as_float(got)
            if value is None or math.isnan(value):
                return checks.not_yet(f"For baseline={baseline}, delta={delta} your function returned {checks.describe(got)}, not a number.")
            if not math.isclose(value, want, rel_tol=rel):
                return checks.not_yet(f"For baseline={baseline}, delta={delta} your function gives {value:,.0f} per arm; that is not what the formula gives.")
        if blank:
            return checks.Verdict(checks.NOT_ATTEMPTED, "Your function returns nothing yet.")
        return checks.OK

    return compare


def _decisions(**rule: Any) -> pd.Series:
    result = pd.Series({name: guardrail_decision(load(name), **rule) for name in ("ab_sessions", "ab_sessions_srm")},
                       name="decision")
    result.index.name = "dataset"
    return result


def _decisions_compare(answer: Any, expected: pd.Series) -> checks.Verdict:
    """A mapping dataset → one of :data:`DECISIONS` (case and spacing do not matter)."""
    if isinstance(answer, pd.Series | dict):
        given = {str(k): v for k, v in dict(answer).items()}
    else:
        return checks.not_yet(f"Expected a Series (or dict) dataset → decision; got {checks.describe(answer)}.")
    missing = [k for k in expected.index if k not in given]
    if missing:
        return checks.not_yet(f"Give a decision for every dataset; missing {', '.join(missing)}.")
    norm = {k: re.sub(r"\b(?:don't|dont|don’t)\b", "do not", " ".join(str(v).lower().split())) if isinstance(v, str) else v
            for k, v in given.items()}
    bad = [k for k in expected.index if norm[k] not in DECISIONS]
    if bad:
        options = ", ".join(f"'{d}'" for d in DECISIONS[:-1]) + f" or '{DECISIONS[-1]}'"
        return checks.not_yet(f"Each decision is {options}; {bad[0]} has {str(given[bad[0]])!r}.")
    wrong = [k for k in expected.index if norm[k] != expected[k]]
    if wrong:
        return checks.not_yet(f"The decision for {', '.join(repr(k) for k in wrong)} is not the one the checks support.")
    return checks.OK


def _latency_diff(quantile: float | None = None, mean: bool = False) -> float:
    return latency_mean_added(_sessions()) if mean else latency_added(_sessions(), quantile)



SAMPLE_SIZE_CASES = ((0.10, 0.01), (0.66, -0.01), (0.66, -0.02), (0.05, 0.005), (0.30, 0.05))


def _rule_of_thumb(baseline: float, delta: float) -> float:
    return 16 * baseline * (1 - baseline) / delta**2


def _one_sided(baseline: float, delta: float) -> float:
    return sample_size_per_arm(baseline, delta, alpha=0.10)


def _total(baseline: float, delta: float) -> float:
    return 2 * sample_size_per_arm(baseline, delta)


def _power_z_flipped(baseline: float, delta: float) -> float:
    """z_{1−β} as `NormalDist().inv_cdf(0.2)`: the same size, negative, so the power term is subtracted."""
    return sample_size_per_arm(baseline, delta, power=0.2)


POWER_Z_HINT = ("Your power term pulls the wrong way: `NormalDist().inv_cdf(0.2)` is negative. With 80% power the true "
                "change must sit beyond 1.96 SE by the z that leaves 80% of the normal curve below it: which argument "
                "of inv_cdf gives that z?")


def _value_counts_shares() -> pd.Series:
    """`carts.groupby('arm').purchased.value_counts(normalize=True)`: a row per (arm, purchased)."""
    carts = _sessions()[_sessions()["added_to_cart"].astype(bool)]
    return carts.groupby("arm")["purchased"].value_counts(normalize=True)


def _is_value_counts_shares(answer: Any) -> bool:
    """A two-level Series whose rows per arm hold the abandonment rate among them (either column's values)."""
    if not isinstance(answer, pd.Series) or answer.index.nlevels != 2:
        return False
    want = cart_abandonment(_sessions())
    try:
        return all(any(math.isclose(float(v), float(want[arm]), rel_tol=1e-3) for v in answer.xs(arm, level=0))
                   for arm in want.index)
    except (KeyError, TypeError, ValueError):
        return False


TASKS.add(Task(
    id="07.abandonment-per-arm",
    title="Cart abandonment per arm",
    prompt="From `ab_sessions`: a Series arm → cart-abandonment rate, as a fraction (abandoned carts / carts).",
    reference=lambda: cart_abandonment(_sessions()),
    compare=checks.series(rel=1e-3, what="abandonment rate"),
    hints=[
        "Which sessions *can* abandon a cart? Should a session that never added anything count in the denominator?",
        "Keep only sessions with added_to_cart; per arm, the share of those with purchased == False.",
    ],
    misconceptions=[
        Misconception("divided by all sessions",
                      "Your denominator counts sessions that never had a cart. Abandonment is a share of *carts*: "
                      "which sessions should you divide by?", lambda: _rates_by("sessions")),
        Misconception("measured sessions without a purchase",
                      "That is the share of sessions that did not buy, carts or not. The metric is about carts that "
                      "were left behind.", lambda: _rates_by("purchase")),
        Misconception("gave percentages", "Those look like percentages. The task asks for a fraction (0–1).",
                      lambda: 100 * cart_abandonment(_sessions())),
        Misconception("gave the carts that bought",
                      "Those are the carts that became orders. Abandonment counts the other ones: which carts were left "
                      "behind?", lambda: 1 - cart_abandonment(_sessions())),
        Misconception("kept both shares of value_counts(normalize=True)",
                      "`value_counts(normalize=True)` gives, per arm, the share of carts that bought *and* the share "
                      "that did not: two numbers per arm that add up to 1. Which one is abandonment, and how do you "
                      "keep only that one?",
                      lambda: _value_counts_shares(), matches=_is_value_counts_shares),
        Misconception("counted, not a rate",
                      "Those are counts of abandoned carts. The task asks for a rate: out of how many carts?",
                      lambda: arm_counts(_sessions()).rename_axis("arm")["carts"] * cart_abandonment(_sessions())),
    ],
))

TASKS.add(Task(
    id="07.absolute-change",
    title="The absolute change, in percentage points",
    prompt="Treatment minus control cart abandonment, in percentage points (pp): a number (negative for a drop).",
    reference=lambda: changes(_test().p1, _test().p2)[0],
    compare=checks.number(rel=1e-3, abs=0.005, unit="pp"),
    hints=[
        "If one arm abandons 60 carts in 100 and the other 55, how many points apart are they?",
        "Subtract the control rate from the treatment rate, then multiply the fraction by 100 to get pp.",
    ],
    misconceptions=[
        Misconception("quoted the relative change as pp",
                      "That is the *relative* change: the difference divided by the baseline. Percentage points are "
                      "the plain difference of the two rates.", lambda: changes(_test().p1, _test().p2)[1]),
        Misconception("gave a fraction, not pp", "That is a fraction. One percentage point is 0.01 of a rate: scale it.",
                      lambda: _test().diff),
        Misconception("subtracted the wrong way round",
                      "The sign is flipped. The task asks for treatment − control: did abandonment go up or down?",
                      lambda: -changes(_test().p1, _test().p2)[0]),
        Misconception("used the per-session rates",
                      "Those rates divide by all sessions. Redo it with the per-cart rates from the first task.",
                      lambda: 100 * (_rates_by("sessions")["treatment"] - _rates_by("sessions")["control"])),
    ],
))

TASKS.add(Task(
    id="07.relative-change",
    title="The relative change, in %",
    prompt="The same change relative to the control rate, in % (negative for a drop).",
    reference=lambda: changes(_test().p1, _test().p2)[1],
    compare=checks.number(rel=1e-3, abs=0.005, unit="%"),
    hints=[
        "Relative to what? Which arm's rate is the baseline the change is measured against?",
        "(treatment − control) / control, times 100.",
    ],
    misconceptions=[
        Misconception("gave the absolute change", "That is the absolute change in pp. Relative means divided by the baseline.",
                      lambda: changes(_test().p1, _test().p2)[0]),
        Misconception("divided by the treatment rate",
                      "You divided by the treatment's rate. Which rate is the baseline, the one before the change?",
                      lambda: 100 * _test().diff / _test().p2),
        Misconception("gave a fraction, not %", "That is a fraction; the task asks for %.",
                      lambda: changes(_test().p1, _test().p2)[1] / 100),
    ],
))

TASKS.add(Task(
    id="07.z-test",
    title="Two-proportion z-test",
    prompt="A pair (z, p): the two-proportion z statistic (pooled standard error) and its two-sided p-value, "
           "counted per cart.",
    reference=lambda: (_test().z, _test().p_value),
    compare=_ztest_compare,
    hints=[
        "If there were no effect, both arms would share one abandonment rate. What rate would that be, and what "
        "spread would the difference then have?",
        "Pool the abandoned carts and carts of both arms; SE = √(p̂(1−p̂)(1/n₁+1/n₂)); z = Δ/SE; "
        "p = math.erfc(abs(z) / math.sqrt(2)).",
    ],
    misconceptions=[
        Misconception("one-sided p-value",
                      "Your p is half the two-sided one. Before the test, could abandonment have gone either way?",
                      lambda: _ztest_with(one_sided=True)),
        Misconception("used the CDF instead of the tail",
                      "Your p is close to 1. The p-value is the chance of a |z| at least this *large*: the tail, not "
                      "the body.", lambda: _ztest_with(cdf=True)),
        Misconception("counted sessions, not carts",
                      "Your n is all sessions. The metric is per cart: what are n₁ and n₂?",
                      lambda: _ztest_with(per="sessions")),
        Misconception("took the tail on the wrong side",
                      "Your p is above 1, which no probability can be. Your z is negative: which tail does "
                      "math.erfc(z / √2) measure then, and what does abs() change?",
                      lambda: (_test().z, math.erfc(_test().z / math.sqrt(2.0))),
                      matches=lambda a: _ztest_compare(a, (_test().z, math.erfc(_test().z / math.sqrt(2.0)))).passed
                      and _test().z < 0),
        Misconception("used the unpooled standard error",
                      "Close, but your z uses the unpooled SE (each arm's own rate). The test asks: if there were no "
                      "effect, how often would we see this? Under that hypothesis, how many rates are there?",
                      lambda: _ztest_with(unpooled=True)),
    ],
))

TASKS.add(Task(
    id="07.confidence-interval",
    title="95% confidence interval of the change",
    prompt="A pair (low, high): the 95% CI of treatment − control abandonment, in pp (unpooled standard error).",
    reference=lambda: _test().ci_pp,
    compare=_pair(rel=0.0, abs_=2e-4, what="the 95% CI (low, high)", unit="pp"),
    hints=[
        "The interval describes the difference you observed, not a world with no difference. Which standard "
        "error fits that, and how many of them either side make 95%?",
        "SE = √(p₁q₁/n₁ + p₂q₂/n₂); Δ ± 1.96·SE, times 100 for pp; low first.",
    ],
    misconceptions=[
        Misconception("used a 90% interval",
                      "Your interval is too narrow: that is 90% confidence (z = 1.645). Which z leaves 2.5% in each tail?",
                      lambda: _ci_with(z=z_quantile(0.90))),
        Misconception("used z = 2",
                      "Close: you used z = 2. The 95% two-sided z is a little smaller; "
                      "NormalDist().inv_cdf(0.975) gives it.", lambda: _ci_with(z=2.0)),
        Misconception("gave fractions, not pp", "Those are fractions. The task asks for percentage points.",
                      lambda: _ci_with(scale=1.0)),
        Misconception("control minus treatment",
                      "Your interval is the mirror image: control − treatment. The task asks for treatment − control.",
                      lambda: _ci_with(flip=True)),
        Misconception("used the pooled standard error",
                      "Your interval is a hair off: it uses the pooled SE, which assumes both arms share one rate. "
                      "The interval describes the difference you observed: which SE uses each arm's own rate?",
                      lambda: _ci_with(unpooled=False)),
    ],
))

TASKS.add(Task(
    id="07.srm-check",
    title="Sample-ratio-mismatch check",
    prompt="A Series dataset → SRM p-value for `ab_sessions` and `ab_sessions_srm` (chi-squared, 1 df, sessions per "
           "arm against the designed 50/50).",
    reference=lambda: _srm_pvalues(),
    compare=checks.series(rel=1e-2, what="SRM p-value"),
    hints=[
        "If the split really were 50/50, how many sessions would you expect in each arm, and how far off is each?",
        "χ² = Σ (observed − expected)² / expected over the two arms, expected = total / 2; p = math.erfc(math.sqrt(χ² / 2)).",
    ],
    misconceptions=[
        Misconception("used the CDF instead of the tail",
                      "Your p-values are 1 minus the right ones. Is a *large* χ² evidence of a mismatch, or of a good split?",
                      lambda: _srm_pvalues("cdf")),
        Misconception("counted carts, not sessions",
                      "You compared carts per arm. Which unit did the splitter assign 50/50?",
                      lambda: _srm_pvalues("carts")),
        Misconception("gave χ², not the p-value",
                      "Those are the χ² statistics. The task asks how likely a split this uneven is under 50/50: "
                      "what turns χ² into a p-value?", lambda: _srm_pvalues("chi2")),
    ],
))

def _one_arm_order_values() -> tuple[float, float]:
    """The average order value of the control arm's orders, then the treatment arm's."""
    s = _sessions()
    bought = s[s["purchased"].astype(bool)]
    return tuple(float(bought.loc[bought["arm"] == arm, "order_value"].mean()) for arm in ("control", "treatment"))


TASKS.add(Task(
    id="07.average-order-value",
    title="Average order value",
    prompt="The average order value in the test, in USD: a number.",
    reference=lambda: average_order_value(_sessions()),
    compare=checks.number(rel=1e-3, unit="USD"),
    hints=[
        "An order value is 0 for a session that did not buy. Is that an order?",
        "Average order_value over the sessions that purchased, in both arms.",
    ],
    misconceptions=[
        Misconception("averaged over all sessions",
                      "That is revenue per *session*: the zeros of sessions without an order pulled it down. Which "
                      "sessions have an order?", lambda: float(_sessions().order_value.mean())),
        Misconception("used the median",
                      "That is the median order. Revenue adds orders up: which average multiplies back to the total?",
                      lambda: float(_sessions().loc[_sessions().purchased, "order_value"].median())),
        Misconception("averaged one arm's orders",
                      "That averages one arm's orders. The task asks for the test's average order value: which orders "
                      "does the whole test hold?",
                      lambda: _one_arm_order_values()[0],
                      matches=lambda a: any(checks.number(rel=1e-3)(a, v).passed for v in _one_arm_order_values())),
    ],
))

TASKS.add(Task(
    id="07.revenue-range",
    title="From effect to money: a range",
    prompt="A pair (low, high): revenue recovered per month, in USD, at Cartwheel's sessions a month "
           "(`cartwheel.sessions_per_month()`), carried from the 95% CI (use the test's cart rate and average order value).",
    reference=lambda: _revenue_with(),
    compare=_pair(rel=1e-2, what="the monthly revenue range (low, high)", unit="USD"),
    hints=[
        "The drop in abandonment is per cart. How many carts does a month bring, and how many more of them become orders?",
        "sessions × cart rate × (drop in abandonment) × average order value, once for each end of the CI "
        "(the smallest drop gives the low end).",
    ],
    misconceptions=[
        Misconception("applied the change to every session",
                      "Your range is too big by a factor of 1 ÷ the cart rate: you applied a per-*cart* change to every "
                      "session. How many sessions add to cart?", lambda: _revenue_with(cart=False)),
        Misconception("kept the sign of the abandonment change",
                      "Your numbers are negative. Abandonment fell, so orders rose: which way does revenue move?",
                      lambda: _revenue_with(sign=-1.0)),
        Misconception("a point, not a range",
                      "Both ends are the point estimate. Carry the confidence interval through: the money is as "
                      "uncertain as the effect.", lambda: _revenue_with(point=True)),
        Misconception("multiplied by percentage points",
                      "Your range is a hundred times too big: the CI is in pp. What is one percentage point of a rate, "
                      "as a fraction?", lambda: tuple(100 * v for v in _revenue_with())),
        Misconception("gave a range per year",
                      "Your range is about twelve times too big: that is a year's revenue. The task asks per month: "
                      "how many sessions does `cartwheel.sessions_per_month()` count?",
                      lambda: tuple(12 * v for v in _revenue_with()),
                      matches=lambda a: any(_pair(rel=1e-2, what="", unit="")(a, tuple(k * v for v in _revenue_with())).passed
                                            for k in (12, 365 / 30))),
    ],
))

def _share_with(kind: str) -> float:
    """The point estimate's share of monthly revenue, and the wrong versions of it."""
    s, t = _sessions(), _test()
    n, share, aov = monthly_sessions(), cart_rate(s), average_order_value(s)
    point = revenue_per_month(n, share, -t.diff, aov)
    claim = revenue_claim(s)
    if kind == "carts":  # divided by the value of every cart, as if all of them bought
        return point / (n * share * aov)
    if kind == "relative":  # the relative change in abandonment
        return abs(changes(t.p1, t.p2)[1]) / 100
    if kind == "both arms":  # the store's revenue from both arms: the treatment already holds part of the gain
        return point / (n * float(s["order_value"].mean()))
    if kind == "high":
        return claim.share_high
    if kind == "treatment":  # the treatment arm's revenue per session: the store with the check already on
        treated = s[s["arm"] == "treatment"]
        return point / (n * float(treated["order_value"].sum()) / len(treated))
    if kind == "every session":  # the store's revenue as if every session were an order
        return point / (n * aov)
    return claim.share_point


TASKS.add(Task(
    id="07.revenue-share",
    title="Is the number plausible? Its share of all revenue",
    prompt="What share of Cartwheel's monthly revenue does your point estimate claim? A fraction: the point estimate "
           "÷ the store's revenue a month today (sessions a month × revenue per session in the control arm).",
    reference=lambda: _share_with("point"),
    compare=checks.number(rel=1e-3),
    hints=[
        "If the store makes some amount a month today, without the check, what part of that is your extra? Which arm "
        "shows the store as it is today?",
        "store = SESSIONS_PER_MONTH × the control arm's order_value summed ÷ its sessions (zeros included); "
        "share = (the revenue range's point: monthly carts × drop × order value) ÷ store.",
    ],
    misconceptions=[
        Misconception("divided by the value of every cart",
                      "You divided by what the carts would be worth if every one of them bought. How many carts become "
                      "orders today?", lambda: _share_with("carts")),
        Misconception("the relative change in abandonment",
                      "That is how much abandonment fell, relative to itself. The question is about revenue: how many "
                      "orders are there today, and how many more does the drop add?", lambda: _share_with("relative")),
        Misconception("the store's revenue from both arms",
                      "Close, but the treatment arm already holds part of the gain. Which arm is the store without the check?",
                      lambda: _share_with("both arms")),
        Misconception("the store's revenue from the treatment arm",
                      "Your store revenue is the treatment arm's, with the check already switched on and its gain "
                      "inside. Which arm shows the store as it is today?",
                      lambda: _share_with("treatment")),
        Misconception("the range's high end",
                      "That is the optimistic end of the range. The task asks about the point estimate.",
                      lambda: _share_with("high")),
        Misconception("gave a percentage", "That looks like a percentage; give a fraction.",
                      lambda: 100 * _share_with("point")),
        Misconception("as if every session ordered",
                      "Your store revenue counts an order for every session. How many sessions buy? Revenue per "
                      "session counts the zeros too.", lambda: _share_with("every session")),
        Misconception("gave the ceiling",
                      "That is the ceiling: what the check could add if it rescued every cart lost to a stock-out. "
                      "What share does *your* point estimate claim? Then compare the two.",
                      lambda: cartwheel.stockout_revenue_share_bound()),
    ],
))

def _saving_variant(kind: str) -> pd.Series:
    """Wrong savings per service, for the misconceptions."""
    costs = load("cloud_costs")
    table = rightsizing(costs)
    if kind == "hourly":
        saving = table["saving_usd"] / HOURS_PER_MONTH
    else:  # "either": CPU or memory under the threshold, not both
        either = rightsizing(costs, resources=("cpu",))["over_provisioned"] | rightsizing(costs, resources=("mem",))["over_provisioned"]
        saving = pd.Series(np.where(either, table["monthly_cost_usd"] / 2, 0.0), index=table.index)
    return saving.groupby(table["service"]).sum()


def _only_the_savers(answer: Any) -> bool:
    """The savings right for every service it lists, but the services with nothing to shrink left out."""
    got = checks._to_series(answer)
    want = saving_by_service(load("cloud_costs"))
    if got is None or got.empty:
        return False
    labels = [str(i) for i in got.index]
    savers = [str(i) for i in want[want > 0].index]
    return sorted(labels) == sorted(savers) and len(savers) < len(want) and checks.series(rel=1e-3, abs=0.01)(
        got, want[want > 0]).passed


TASKS.add(Task(
    id="07.saving-by-service",
    title="Over-provisioned services",
    prompt="From `cloud_costs`: a Series service → monthly right-sizing saving in USD (0 where nothing can shrink). "
           "An instance can go one size down (half the price) if its CPU *and* memory p95 are under 40% and it is "
           "not already the smallest size (`.large`).",
    reference=lambda: saving_by_service(load("cloud_costs")),
    compare=checks.series(rel=1e-3, abs=0.01, what="saving (USD a month)"),
    hints=[
        "After halving an instance its utilisation roughly doubles. Which percentile tells you whether it would "
        "survive the busy hours?",
        f"Flag instances with cpu_p95_pct < 40 and mem_p95_pct < 40, not already the smallest size (.large); "
        f"saving = hourly cost × {HOURS_PER_MONTH} / 2; sum per service.",
    ],
    misconceptions=[
        Misconception("used the median (p50)",
                      "You sized on the median. A bursty API is quiet half the time and busy at peak: which "
                      "percentile must fit after the move?", lambda: saving_by_service(load("cloud_costs"), percentile="p50")),
        Misconception("looked at CPU only",
                      "You checked CPU only. A memory-bound service can idle its CPU and fill its memory: what else "
                      "shrinks with the instance?",
                      lambda: saving_by_service(load("cloud_costs"), resources=("cpu",))),
        Misconception("counted the whole instance cost",
                      "Your saving is the whole instance: that turns it off. One size down halves the price.",
                      lambda: 2 * saving_by_service(load("cloud_costs"))),
        Misconception("CPU or memory",
                      "Some of your services shrink with one resource still busy. Must the CPU *or* the memory fit on "
                      "the smaller instance, or both?", lambda: _saving_variant("either")),
        Misconception("an hour's saving, not a month's",
                      "Your savings are tiny: they are per hour. How many hours does a billing month have?",
                      lambda: _saving_variant("hourly")),
        Misconception("left out services with nothing to shrink",
                      "Your Series lists only the services that can shrink. The task wants every service, with 0 where "
                      "nothing can shrink: which services are missing?",
                      lambda: saving_by_service(load("cloud_costs"))[lambda v: v > 0],
                      matches=lambda a: _only_the_savers(a)),
    ],
))

TASKS.add(Task(
    id="07.saving-share",
    title="The honest '−N% infra cost'",
    prompt="The right-sizing saving as a % of the fleet's monthly spend: a number.",
    reference=lambda: saving_share(load("cloud_costs")),
    compare=checks.number(rel=1e-3, unit="% of spend"),
    hints=[
        "A percentage of what? Of instances, or of dollars?",
        "Total monthly saving / total monthly cost of every instance, times 100.",
    ],
    misconceptions=[
        Misconception("used the median (p50)",
                      "That is the saving a p50 rule claims, and it would shrink services into their peaks. Size on p95.",
                      lambda: saving_share(load("cloud_costs"), percentile="p50")),
        Misconception("share of instances, not of spend",
                      "That is the share of *instances* that can shrink. The claim is about money: weight by cost.",
                      lambda: float(100 * rightsizing(load("cloud_costs"))["over_provisioned"].mean())),
        Misconception("looked at CPU only",
                      "You checked CPU only. What else must fit on the smaller instance?",
                      lambda: saving_share(load("cloud_costs"), resources=("cpu",))),
        Misconception("gave a fraction", "That is a fraction of the spend; the task asks for a percentage.",
                      lambda: saving_share(load("cloud_costs")) / 100),
    ],
))

TASKS.add(Task(
    id="07.latency-cost",
    title="The latency guardrail, in the SLO's terms",
    prompt="What the real-time check costs in latency: treatment minus control at the latency SLO's percentile of "
           "`latency_ms` (the product page's call), in ms. Use `cartwheel.call_percentile` or pandas' `quantile`.",
    reference=lambda: _latency_diff(),
    compare=checks.number(rel=1e-3, abs=1e-3, unit="ms"),
    hints=[
        "The SLO says '99% of calls within 200 ms'. Which statistic of the calls does that bound, and where would "
        "a slower check show first?",
        "Per arm, the 0.99 quantile of latency_ms (cartwheel.call_percentile does it); treatment minus control.",
    ],
    misconceptions=[
        Misconception("mean instead of the SLO's percentile",
                      "That is the difference of the means. The SLO bounds a percentile of calls, not their average: "
                      "which one, and how much does the check add there?", lambda: _latency_diff(mean=True)),
        Misconception("used the p95",
                      "That is the p95 difference. Which percentile does Cartwheel's latency SLO name?",
                      lambda: _latency_diff(0.95)),
        Misconception("used the median",
                      "That is the median's difference: the typical call, not the slow ones the SLO is about.",
                      lambda: _latency_diff(0.5)),
        Misconception("subtracted the wrong way round",
                      "Your cost is negative: it says the check made the p99 faster. The task asks for treatment − "
                      "control: which arm is slower at the p99?", lambda: -_latency_diff()),
        Misconception("the treatment's p99, not the difference",
                      "That is the treatment arm's p99 itself. The cost is what the check *adds*: compared with what?",
                      lambda: float(arm_latency(_sessions())["treatment"])),
    ],
))

TASKS.add(Task(
    id="07.impact-statement",
    title="The business-impact statement",
    prompt="A paragraph (a string) with the metric, the baseline, the change in pp, the 95% CI, the revenue "
           "range per month and the cost. Every number in it is checked against the data.",
    reference=_facts,
    compare=_statement_compare,
    hints=[
        "If your product manager repeated your paragraph to a VP, could it survive the follow-ups: how sure "
        "are you, and what does it cost?",
        "Use the numbers you computed: baseline %, change in pp, CI in pp, revenue low–high per month, and the "
        "p99 latency the check adds (the SLO's percentile) with the SLO verdict you computed. Round them; don't invent any.",
    ],
    misconceptions=[
        Misconception("relative change quoted as pp",
                      "Your pp figure is the *relative* change. Percentage points are the difference of the two rates.",
                      lambda: _statement_variant("relative-as-pp"), matches=_flags("relative-as-pp")),
        Misconception("absolute change quoted as %",
                      "'Fell 4%' reads as a relative change. An absolute change between two rates is in pp.",
                      lambda: _statement_variant("pp-as-percent"), matches=_flags("pp-as-percent")),
        Misconception("a point, not a range",
                      "A single revenue figure hides the uncertainty you measured. What do the two ends of the CI "
                      "become in money?", lambda: _statement_variant("point"), matches=_flags("point-not-range")),
        Misconception("a number the data does not support",
                      "One of your numbers is not one the data gives. Where did it come from?",
                      lambda: _statement_variant("unsupported"), matches=_flags("unsupported")),
        Misconception("no uncertainty",
                      "How sure are you? Give the 95% CI of the change.",
                      lambda: _statement_variant("no-uncertainty"),
                      matches=lambda a: _flags("missing-uncertainty")(a) and not _flags("too-coarse")(a)),
        Misconception("no cost",
                      "Every change costs something. What did the real-time check cost in latency or infrastructure?",
                      lambda: _statement_variant("no-cost"), matches=_flags("missing-cost")),
        Misconception("mean latency instead of the SLO's percentile",
                      "Your latency cost is a mean. The SLO is written on a percentile of calls: which one, and what "
                      "does the check add there?",
                      lambda: _statement_variant("mean-latency"), matches=_flags("latency-not-p99")),
        Misconception("the wrong side of the SLO",
                      "Your SLO verdict disagrees with the data. What is the treatment arm's p99, and what does the "
                      "SLO allow?", lambda: _statement_variant("wrong-slo-verdict"), matches=_flags("slo-verdict")),
    ],
    sample_answer=lambda: impact_statement(),
))

TASKS.add(Task(
    id="07.conclusion-chart",
    title="A chart whose title states the conclusion",
    prompt="A matplotlib Axes (or Figure): cart abandonment per arm, axes labelled, and a title that states the "
           "result with its number.",
    reference=_facts,
    compare=_chart_compare,
    hints=[
        "If your VP reads only the title, what do they learn?",
        "Put the change and its unit in the title (e.g. 'X cut Y by N pp'), using your computed numbers; "
        "label the y axis with its unit.",
    ],
    misconceptions=[
        Misconception("a topic, not a conclusion",
                      "'Cart abandonment by arm' names the topic. What did the test show? Put that, with its number, "
                      "in the title.", lambda: _chart_figure("Cart abandonment by arm"),
                      matches=lambda a: chart_title(a) is not None and not extract_numbers(chart_title(a) or "")),
        Misconception("relative change quoted as pp",
                      "Your title's pp figure is the relative change. Percentage points are the difference of the rates.",
                      lambda: _chart_figure(f"Real-time checks cut cart abandonment by {abs(_facts().rel_pct):.1f} pp"),
                      matches=lambda a: "relative-as-pp" in check_statement(chart_title(a) or "").codes),
    ],
    sample_answer=_reference_chart,
))

TASKS.add(Task(
    id="07.evidence-for-claim",
    title="Interrogate 'five times faster buy-in'",
    prompt="A paragraph (a string, ≥ 40 words): what evidence would support the essay's 'Gartner: business-impact "
           "framing gets buy-in five times faster'? Structure is checked; judgment is yours, against the rubric.",
    reference=lambda: "structure",
    compare=checks.structured_text(EVIDENCE_PARTS, min_words=40),
    hints=[
        "If a colleague quoted this number in a planning meeting, what would you need to see before you used it yourself?",
        "Ask for the study, the sample, the comparison (faster than what?) and what 'faster' measures; say it has no source yet.",
    ],
    misconceptions=[
        Misconception("repeated the claim as a fact",
                      "You repeated the number. What would you need to see before you believed it?",
                      lambda: "Gartner found that business-impact framing gets buy-in five times faster, so every "
                              "proposal I write should lead with revenue and cost. That is why I put the money first "
                              "in my statement about the inventory checks, and it is what seniors do when they pitch.",
                      matches=_restates_claim),
    ],
    sample_answer=lambda: EVIDENCE_SAMPLE,
))

TASKS.add(Task(
    id="07.sample-size",
    title="How many carts per arm?",
    prompt="A function n_per_arm(baseline, delta) → carts per arm to detect an absolute change delta (a fraction) "
           "from baseline, with α = 0.05 two-sided and 80% power.",
    reference=lambda: sample_size_per_arm,
    compare=_function_close(SAMPLE_SIZE_CASES),
    hints=[
        "What two errors does the size of a test protect you from, and which z-value goes with each?",
        "n = (z_{1−α/2}·√(2p̄q̄) + z_{1−β}·√(p₁q₁ + p₂q₂))² / δ², with p₂ = p₁ + δ and p̄ their mean; "
        "NormalDist().inv_cdf gives the z's.",
    ],
    misconceptions=[
        Misconception("used the 16σ²/δ² rule of thumb",
                      "That is the rule of thumb 16σ²/δ²: close, but it rounds the z's and ignores that p₂ ≠ p₁. "
                      "Use the exact formula.", lambda: _rule_of_thumb),
        Misconception("one-sided α",
                      "Your n is too small: that is a one-sided test (z = 1.645). Could the change go either way?",
                      lambda: _one_sided),
        Misconception("total, not per arm", "That is both arms together. The task asks per arm.", lambda: _total),
        Misconception("took the power z as inv_cdf(0.2)", POWER_Z_HINT, lambda: _power_z_flipped),
    ],
    stretch=True,
))

TASKS.add(Task(
    id="07.peeking",
    title="What peeking costs",
    prompt="Simulate A/A tests (no real effect) checked at 5 equally spaced looks, stopping at the first |z| > 1.96. "
           "The false-positive rate, as a fraction.",
    reference=lambda: peeking_false_positive_rate(5, sims=100_000),
    compare=checks.number(rel=0, abs=0.01),
    hints=[
        "Check the same test five times, each with a 5% chance of a false alarm: is the total 5%, 25%, or in "
        "between, given that each look includes the data of the one before?",
        "Cumulative sums of standard-normal increments, divided by √k at look k, are the z's; count the "
        "simulations where any |z| > 1.96 (vectorise: a sims × 5 array).",
    ],
    misconceptions=[
        Misconception("the nominal 5%", "That is the rate for one look. What happens to it with five chances?",
                      lambda: 0.05),
        Misconception("added 5% per look",
                      "Adding 5% per look gives 25% (five independent looks would give about 23%), but the looks share "
                      "data: a test far from significance at look 2 is still far at look 3. Simulate it.", lambda: 0.25),
        Misconception("gave a percentage", "That looks like a percentage; give a fraction.",
                      lambda: 100 * peeking_false_positive_rate(5, sims=100_000)),
    ],
    stretch=True,
))


TASKS.add(Task(
    id="07.mde",
    title="What could this test have detected?",
    prompt="The minimum detectable effect of this test on cart abandonment, in pp (a positive number): the smallest "
           "true change it detects with 80% power at α = 0.05 two-sided, with its carts per arm and the control rate.",
    reference=lambda: abandonment_mde_pp(_sessions()),
    compare=checks.number(rel=2e-3, unit="pp"),
    hints=[
        "If the true change were exactly the MDE, the observed one would scatter around it. How far out must the "
        "true change sit for the observed one to clear 1.96 SE four times in five?",
        "MDE = (z₀.₉₇₅ + z₀.₈₀) × √(p(1 − p)(1/n₁ + 1/n₂)) with p the control rate and n the carts per arm; × 100.",
    ],
    misconceptions=[
        Misconception("forgot the power term",
                      "That is 1.96 SE: a true change that size is detected only half the time. What does 80% power add?",
                      lambda: abandonment_mde_pp(_sessions(), power=0.5)),
        Misconception("took the power z as inv_cdf(0.2)", POWER_Z_HINT,
                      lambda: abandonment_mde_pp(_sessions(), power=0.2)),
        Misconception("counted sessions, not carts",
                      "Your n is all sessions. Abandonment is measured per cart: how many carts per arm?",
                      lambda: abandonment_mde_pp(_sessions(), per="sessions")),
        Misconception("one-sided α",
                      "Your MDE uses a one-sided z (1.645). Could the change have gone either way?",
                      lambda: abandonment_mde_pp(_sessions(), alpha=0.10)),
        Misconception("gave a fraction, not pp", "That is a fraction; the task asks for percentage points.",
                      lambda: abandonment_mde_pp(_sessions()) / 100),
        Misconception("a negative MDE",
                      "The MDE is a size: the smallest change the test sees, either way. Give it as a positive number of pp.",
                      lambda: -abandonment_mde_pp(_sessions())),
    ],
    stretch=True,
))

TASKS.add(Task(
    id="07.guardrail-decision",
    title="Ship, or not? The trust check, the guardrails, then the OEC",
    prompt="A Series dataset → decision for `ab_sessions` and `ab_sessions_srm`, each one of 'ship', 'do not ship', "
           "'rerun' or 'keep testing'. Guardrails: the treatment arm's p99 inside the latency SLO, the share of "
           "sessions with a server error not significantly up, and revenue per session not significantly down; the "
           "OEC is cart abandonment.",
    reference=lambda: _decisions(),
    compare=_decisions_compare,
    hints=[
        "Before you read any result, what has to be true for the comparison to mean anything? Then: which limits did "
        "you promise not to cross, whatever the result?",
        "In order: SRM check (mismatch → rerun); guardrails (treatment p99 vs the SLO with cartwheel.inside_latency_slo, "
        "error-rate and revenue-per-session CIs) → do not ship on a breach; then the abandonment CI: below zero → ship.",
    ],
    misconceptions=[
        Misconception("skipped the sample-ratio check",
                      "The second run looks even better. What did you check before trusting its effect?",
                      lambda: _decisions(check_srm=False)),
        Misconception("treated any slower p99 as a breach",
                      "Latency went up, but a guardrail is a limit set before the test. What does the SLO allow at the "
                      "p99, and what did the treatment arm reach?", lambda: _decisions(latency_rule="any increase")),
    ],
    stretch=True,
))
