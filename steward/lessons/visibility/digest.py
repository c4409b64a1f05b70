"""Module 09's digest: the builder that fills it from kept results, and the linter."""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward import cartwheel, feedback, results
from steward.lessons.visibility.model import (
    INCIDENT_MINUTES,
    ITEMS_PER_CALL,
    SLO,
    SLO_MS,
    TTL_TODAY_S,
    _rates,
    _reference_tradeoff,
    cache_at,
    inventory_load,
    latency_model,
    reference_ttl,
)


# -- the digest ----------------------------------------------------------------------------------------------
def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, (list, tuple)) and len(value) == 2:
        try:
            a, b = float(value[0]), float(value[1])
        except (TypeError, ValueError):
            return None
        if math.isfinite(a) and math.isfinite(b):
            return a, b
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _default_p99() -> float:
    from steward.lessons import quantify

    return round(quantify.percentile(quantify.requests_log()["latency_ms"], 0.99), 2)


def _default_max_load() -> float:
    from steward.lessons import quantify

    return quantify.max_load_under(quantify.requests_log())


def _default_abandonment() -> tuple[float, float]:
    from steward.lessons import influence

    facts = influence._facts()
    return round(facts.baseline_pct, 2), round(facts.treatment_pct, 2)


def _default_revenue() -> tuple[float, float]:
    from steward.lessons import influence

    facts = influence._facts()
    return round(facts.revenue_low), round(facts.revenue_high)


def _default_ttl() -> float:
    """Module 09's reference TTL (s); module 11 quotes it when the learner kept none."""
    return reference_ttl()


def _default_fresh() -> float:
    return round(100 * cache_at(_rates(), _default_ttl()).fresh_share, 2)


def _target_ms() -> float:
    from steward.lessons import quantify

    return float(quantify.TARGET_MS)


#: The results the digest reads: key → (what, default, kind).
DIGEST_RESULTS: dict[str, tuple[str, Callable[[], Any], str]] = {
    "04.p99_ms": ("your week's p99 (module 04)", _default_p99, "number"),
    "04.max_load_rps": ("the load up to which p99 stays under 10 ms (module 04)", _default_max_load, "number"),
    "07.abandonment_pct": ("cart abandonment, control and treatment (module 07)", _default_abandonment, "pair"),
    "07.revenue_range": ("the revenue range a month (module 07)", _default_revenue, "pair"),
    "09.ttl_s": ("your TTL (this module)", _default_ttl, "number"),
    "09.freshness_pct": ("your share of fresh answers (this module)", _default_fresh, "number"),
}


@dataclass(frozen=True)
class DigestFacts:
    """Every number the digest uses, each from a module's results (or its reference value)."""

    p99_ms: float
    max_load_rps: float
    abandonment_pct: tuple[float, float]
    revenue_range: tuple[float, float]
    ttl_s: float
    fresh_pct: float
    p99_no_cache_ms: float
    #: The call's p99 over the incident's minutes at ``ttl_s``, and at today's TTL.
    incident_p99_ms: float = float("nan")
    incident_p99_today_ms: float = float("nan")
    #: Stock lookups/s reaching the inventory service at ``ttl_s`` and with no cache.
    load: float = float("nan")
    load_no_cache: float = float("nan")
    items: int = ITEMS_PER_CALL
    slo_ms: float = SLO_MS
    sources: Mapping[str, str] = field(default_factory=dict)


def _shown(key: str, value: Any) -> str:
    """A reference value as the digest writes it: a money range, two percentages, not a Python list."""
    pair = _pair(value) if DIGEST_RESULTS[key][2] == "pair" else None
    if pair is None:
        unit = {"04.p99_ms": " ms", "04.max_load_rps": " requests/s", "09.ttl_s": " s", "09.freshness_pct": "%"}.get(key, "")
        return results.plain(value) + unit
    if key == "07.revenue_range":
        return f"{cartwheel.money(pair[0])} to {cartwheel.money(pair[1])} a month"
    if key == "07.abandonment_pct":
        return f"{pair[0]:.2f}% (control) and {pair[1]:.2f}% (treatment)"
    return f"{results.plain(pair[0])} and {results.plain(pair[1])}"


def _recall(key: str) -> tuple[Any, str]:
    """A kept result, checked; a malformed one is replaced by the default with a plain message."""
    what, default, kind = DIGEST_RESULTS[key]
    kept = results.all_results()
    value = results.recall(key, default, what=what, shown=lambda v: _shown(key, v))
    parsed = _pair(value) if kind == "pair" else _number(value)
    if parsed is None:
        fallback = default()
        from steward import feedback

        text = f"The kept {key} ({value!r}) is not a {kind} of numbers; using the reference value {fallback!r}."
        feedback.show(feedback.bundle(text, f"<div class='steward-result'>{html.escape(text)}</div>"))
        return (_pair(fallback) if kind == "pair" else float(fallback)), "reference"
    return parsed, ("yours" if key in kept else "reference")


def digest_facts() -> DigestFacts:
    """The digest's numbers: the learner's kept results where they exist, else the reference values."""
    values, sources = {}, {}
    for key in DIGEST_RESULTS:
        values[key], sources[key] = _recall(key)
    if values["09.ttl_s"] < 0:
        values["09.ttl_s"], sources["09.ttl_s"] = _default_ttl(), "reference"
    return facts_for(values["04.p99_ms"], values["04.max_load_rps"], values["07.abandonment_pct"],
                     values["07.revenue_range"], values["09.ttl_s"], values["09.freshness_pct"], sources)


def facts_for(p99_ms: float, max_load_rps: float, abandonment_pct: tuple[float, float],
              revenue_range: tuple[float, float], ttl_s: float, fresh_pct: float,
              sources: Mapping[str, str] | None = None) -> DigestFacts:
    """:class:`DigestFacts` with the model's numbers at ``ttl_s`` (incident p99, load) filled in."""
    at = cache_at(_rates(), float(ttl_s))
    incident = latency_model("incident")
    return DigestFacts(
        p99_ms=p99_ms, max_load_rps=max_load_rps, abandonment_pct=abandonment_pct, revenue_range=revenue_range,
        ttl_s=float(ttl_s), fresh_pct=fresh_pct, p99_no_cache_ms=_reference_tradeoff().p99_no_cache_ms,
        incident_p99_ms=float(incident.call_quantile(at.hit_ratio)),
        incident_p99_today_ms=_reference_tradeoff().p99_incident_today_ms,
        load=at.inventory_lookups_per_s, load_no_cache=float(inventory_load(0.0)), sources=dict(sources or {}),
    )


class Digest(str):
    """Markdown text that renders itself in a notebook (inside a block MathJax skips, so two
    amounts such as "$320M to $965M" are never typeset as maths)."""

    def _repr_markdown_(self) -> str:
        return feedback.markdown_without_maths(str(self))


def build_digest(progress: str, trade_off: str, metrics: Sequence[str], next_steps: str,
                 title: str = "Recommendation engine: bi-weekly digest") -> Digest:
    """Assemble the three sections (Progress with its Trade-off, Metrics, Next) as Markdown."""
    def clean(text: Any) -> str:
        return " ".join(str(text).split()) if text is not None and text is not Ellipsis else ""

    if metrics is None or metrics is Ellipsis:
        metrics = []
    elif isinstance(metrics, str | bytes | Mapping) or not isinstance(metrics, Iterable):
        metrics = [metrics]
    bullets = "\n".join(f"- {clean(m)}" for m in metrics if clean(m))
    return Digest(
        f"### {clean(title)}\n\n**Progress:** {clean(progress)}\n\n**Trade-off:** {clean(trade_off)}\n\n"
        f"**Metrics:**\n{bullets}\n\n**Next:** {clean(next_steps)}\n"
    )


def trade_off_text(facts: DigestFacts) -> str:
    """The trade-off sentence for the learner's TTL, true for any TTL: the SLO claim checked with
    the canon's SLI on the data, the incident's p99 said as within or above 200 ms."""
    inside = "holds" if SLO.met_by(facts.p99_no_cache_ms) else "does not hold"
    within = "within" if facts.incident_p99_ms <= facts.slo_ms else "above"
    return (f"chose {facts.fresh_pct:.1f}% fresh answers over 100% (a {facts.ttl_s:.0f} s TTL instead of no cache) "
            f"to keep the inventory service's load at {facts.load:,.0f} stock lookups/s instead of "
            f"{facts.load_no_cache:,.0f} and to shield the call in an inventory incident: over the "
            f"{INCIDENT_MINUTES}-minute incident in the log the call's p99 at this TTL would have been "
            f"{facts.incident_p99_ms:.0f} ms, {within} {facts.slo_ms:.0f} ms, against "
            f"{facts.incident_p99_today_ms:.0f} ms measured at the old {TTL_TODAY_S} s. Our {facts.slo_ms:.0f} ms latency SLO {inside} over the week without any cache "
            f"(p99 {facts.p99_no_cache_ms:.0f} ms).")


def digest_from(facts: DigestFacts) -> Digest:
    """The digest filled from the numbers: what the builder produces before the author edits it."""
    control, treatment = facts.abandonment_pct
    low, high = facts.revenue_range
    return build_digest(
        progress=(f"Shipped real-time inventory checks: each recommendation call checks stock for its "
                  f"{facts.items} items, cached in {cartwheel.CACHE_STORE} for {facts.ttl_s:.0f} s."),
        trade_off=trade_off_text(facts),
        metrics=[
            f"Cart abandonment fell from {control:.1f}% to {treatment:.1f}% of carts (A/B test against control).",
            f"Recovered orders worth {cartwheel.money(low)} to {cartwheel.money(high)} a month (from the test's 95% CI), "
            "against none before.",
            f"Engine p99 latency {facts.p99_ms:.1f} ms over the week, against the {_target_ms():.0f} ms target; it "
            f"holds up to {facts.max_load_rps:,.0f} requests/s.",
        ],
        next_steps=("partnering with the data science team to test ranking by stock level, and with SRE to alert "
                    f"when the share of stale answers rises above {100 - facts.fresh_pct:.1f}%."),
    )


# -- the digest linter -------------------------------------------------------------------------------------
#: What the linter cannot judge, said with its verdicts.
DIGEST_LIMITS = ("The linter checks that each claim has a number and a baseline; it cannot tell whether the "
                 "numbers are true, or whether the reader will care: the rubric judges that.")
MAX_DIGEST_CHARS = 6_000
#: The names a writer gives each part, at the start of a line (a heading, bold, or "Name:").
_SECTION_NAMES = {
    "progress": r"progress|highlights|what we shipped|shipped|done|accomplishments|this (?:fortnight|sprint|week)",
    "trade-off": r"trade[- ]?offs?|what we gave up|the trade|decisions?(?: and costs)?",
    "metrics": r"metrics|numbers|results|kpis|measures|by the numbers|impact",
    "next": r"next(?:[ \t]+(?:steps|up))?|coming up|what's next|up next|plans?",
}
_SECTION = re.compile(
    r"(?im)^[ \t]{0,3}(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(" + "|".join(_SECTION_NAMES.values()) + r")"
    r"[ \t]*(?::|(?:\*\*|__)|$)[ \t]*(?:\*\*|__)?[ \t]*:?"
)
_INLINE_LABEL = re.compile(r"(?i)\b(progress|trade[- ]?offs?|metrics|next(?:[ \t]+steps)?)[ \t]*(?:\*\*|__)?[ \t]*:")
#: A number, not a percentile's name: "p99" and "p95" say which number, not how much.
_NUMBER = re.compile(r"(?<![A-Za-z\d])\d+(?:[.,]\d+)*")
#: A section with nothing in it: "TBD", "N/A", "-", "…".
_HOLLOW_SECTION = re.compile(r"^\W*(?:tbd|tbc|n/?a|none|nothing|todo|later|soon|\?+|-+|…|\.\.\.)?\W*$", re.IGNORECASE)
_CHANGE = re.compile(r"(?i)\b(reduc\w*|cut|cuts|improv\w*|increas\w*|decreas\w*|grew|grow\w*|rose|rise|fell|fall\w*|"
                     r"drop\w*|faster|slower|saved|sav\w*|resulted|lower\w*|higher|gain\w*|lift\w*|boost\w*|"
                     r"halv\w*|doubl\w*|shrank|more|less|fewer|up|down|better|worse)\b")
_CONNECTOR = re.compile(r"(?i)\b(over|instead of|rather than|at the cost of|in exchange for|traded|trading|versus|vs|"
                        r"to keep|to maintain|to stay|to protect|to hold|in return for|for the sake of)\b")
_PARTNER = re.compile(r"(?i)\b(with|partner\w*|pair\w*|alongside|together|handing|hand off|owned by|jointly)\b")
_TEAM = re.compile(r"(?i)\b(team|squad|data science|sre|product|security|finance|design|analytics|platform|"
                   r"marketing|support|ops|infra\w*|pm|manager|lead)\b|@\w+")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


#: A baseline that says nothing: "compared to never", "vs before", "against nothing". A change against
#: no number cannot be checked, and a percentage against zero is not a number at all.
_HOLLOW_BASELINE = re.compile(r"^\W*(?:to|with)?\W*(?:never|nothing|before|previously|earlier|last time|the past|"
                              r"ever|forever)\b\W*$")
_NULL_BASELINE = re.compile(r"^\W*(?:to|with)?\W*(?:none|zero|0)\b")


def _has_baseline(sentence: str) -> bool:
    """A baseline: "from X to Y", "vs", "versus", "compared with", "against", "than", "baseline",
    "control", "before …", or an arrow, followed by something to compare with: "compared to never"
    and "vs before" are no baseline, nor is a percentage against none. Linear on any input."""
    lowered = f" {sentence.lower()} "
    if " from " in lowered and " to " in lowered.split(" from ", 1)[1]:
        return True
    markers = (" vs", " versus ", " compared ", " against ", " than ", " baseline", " control", " before",
               "→", "->", " over ", " instead of ", " down from ", " up from ")
    for marker in markers:
        at = lowered.find(marker)
        while at >= 0:
            rest = lowered[at + len(marker):at + len(marker) + 40].split(". ")[0].split(";")[0]
            hollow = _HOLLOW_BASELINE.match(rest) or (marker.strip() == "before" and not re.search(r"\w", rest))
            if not hollow and not ("%" in lowered and _NULL_BASELINE.match(rest)):
                return True
            at = lowered.find(marker, at + 1)
    return False


def _sentences(text: str) -> list[str]:
    return [s.strip(" -*•\t") for s in _SENTENCE_SPLIT.split(text) if s and s.strip(" -*•\t")]


@dataclass
class Finding:
    section: str
    problem: str
    excerpt: str = ""
    #: A short code for the rule broken (``missing-section``, ``no-baseline``…), for measuring the linter.
    rule: str = "digest"


@dataclass
class DigestLint:
    """What the linter found; an empty ``findings`` means the digest is ready to send."""

    findings: list[Finding]
    sections: dict[str, str]

    @property
    def passed(self) -> bool:
        return not self.findings

    def problems(self) -> list[str]:
        return [f"{f.section}: {f.problem}" + (f' ("{f.excerpt}")' if f.excerpt else "") for f in self.findings]

    def _repr_markdown_(self) -> str:
        if self.passed:
            return "**Digest linter:** ✔ every claim has a number and a baseline, the trade-off names both sides, Next names a partner."
        items = "\n".join(f"- **{html.escape(f.section)}**: {html.escape(f.problem)}"
                          + (f" — “{html.escape(f.excerpt)}”" if f.excerpt else "") for f in self.findings)
        return feedback.markdown_without_maths(
            f"**Digest linter:** {len(self.findings)} finding(s)\n\n{items}\n\n_{DIGEST_LIMITS}_")

    def __repr__(self) -> str:
        return "DigestLint(" + ("passed" if self.passed else "; ".join(self.problems())) + ")"


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_sections(text: str) -> dict[str, str]:
    """The digest's sections by name (progress, trade-off, metrics, next): a label at the start
    of a line (a heading, bold, or "Name:"), or "Name:" inside a paragraph, as the essay's
    "Trade-off:" sits inside its Progress."""
    marks: list[tuple[int, int, str]] = []
    for match in _SECTION.finditer(text):
        name = match.group(1).lower()
        key = next(k for k, rx in _SECTION_NAMES.items() if re.fullmatch(rx, name, re.IGNORECASE))
        marks.append((match.start(), match.end(), key))
    for match in _INLINE_LABEL.finditer(text):
        if not any(start <= match.start() < end for start, end, _ in marks):
            name = match.group(1).lower()
            key = "trade-off" if name.startswith("trade") else "next" if name.startswith("next") else name
            marks.append((match.start(), match.end(), key))
    marks.sort()
    sections: dict[str, str] = {}
    for index, (_, end, key) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(text)
        sections[key] = (sections.get(key, "") + " " + text[end:stop]).strip()
    return sections


def lint_digest(text: Any) -> DigestLint:
    """Check a digest draft. Takes any value; never raises.

    Rules: the four parts are present; every sentence that claims a change has a number and a
    baseline; every metric has a number; the trade-off names both sides (a connector like
    "over" or "to keep", and a number on each side); "Next" names a partner. A digest longer
    than a page is flagged (it will not be read)."""
    if text is None or text is Ellipsis:
        return DigestLint([Finding("digest", "there is no text yet")], {})
    if not isinstance(text, str):
        return DigestLint([Finding("digest", f"a digest is text; got {type(text).__name__}")], {})
    findings: list[Finding] = []
    if not text.strip():
        return DigestLint([Finding("digest", "the digest is empty")], {})
    if len(text) > MAX_DIGEST_CHARS:
        findings.append(Finding("digest", f"{len(text.split()):,} words: longer than a page, so nobody reads it to the end", rule="too-long"))
        text = text[:MAX_DIGEST_CHARS]
    sections = split_sections(text)
    for name in ("progress", "trade-off", "metrics", "next"):
        if _HOLLOW_SECTION.match(sections.get(name, "")):
            label = {"trade-off": "Trade-off"}.get(name, name.capitalize())
            findings.append(Finding(name, f"missing: add a **{label}:** part and fill it", rule="missing-section"))
    for name in ("progress", "trade-off", "metrics"):
        for sentence in _sentences(sections.get(name, "")):
            numbers = _NUMBER.findall(sentence)
            if name == "metrics" and not numbers:
                findings.append(Finding(name, "a metric without a number", _short(sentence), "metric-no-number"))
                if _CHANGE.search(sentence):
                    findings.append(Finding(name, "a claim without a number", _short(sentence), "claim-no-number"))
                continue
            if _CHANGE.search(sentence):
                if not numbers:
                    findings.append(Finding(name, "a claim without a number", _short(sentence), "claim-no-number"))
                elif not _has_baseline(sentence):
                    findings.append(Finding(name, "a number without a baseline (from what? compared with what?)",
                                            _short(sentence), "no-baseline"))
    trade = sections.get("trade-off", "")
    if trade.strip():
        if not _CONNECTOR.search(trade):
            findings.append(Finding("trade-off", "names one side only: what did you give up, and for what?", _short(trade),
                                    "one-sided-tradeoff"))
        elif len(_NUMBER.findall(trade)) < 2:
            findings.append(Finding("trade-off", "give each side a number (e.g. 95% fresh over 100%, to keep 200 ms)",
                                    _short(trade), "tradeoff-no-numbers"))
    nxt = sections.get("next", "")
    if nxt.strip() and not (_PARTNER.search(nxt) and _TEAM.search(nxt)):
        findings.append(Finding("next", "names no partner: who are you doing it with?", _short(nxt), "no-partner"))
    return DigestLint(findings, sections)


def _digest_numbers(text: str) -> list[float]:
    values = []
    for token in _NUMBER.findall(text):
        try:
            values.append(float(token.replace(",", "")))
        except ValueError:
            continue
    return values


