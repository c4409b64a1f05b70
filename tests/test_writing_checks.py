"""The writing checks read meaning, measured on labelled corpora (issue #15).

Every check must flag at least 90% of its corpus's bad texts *with the rule they were labelled
with*, flag at most 10% of the good ones, on the whole corpus and on its held-out third, in at
most 50 ms a text, and give the same answer twice. Checks another engineer is changing are
measured too, and marked xfail until they meet the targets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "corpora"))

from registry import ENTRIES  # noqa: E402

from steward import writing  # noqa: E402

OWNED = [e for e in ENTRIES if not e.pending]
PENDING = [e for e in ENTRIES if e.pending]


def _ids(entries):
    return [e.name for e in entries]


@pytest.fixture(scope="module")
def measures():
    return {e.name: writing.measure(e.name, e.check, writing.load_corpus(e.corpus)) for e in ENTRIES}


@pytest.mark.parametrize("entry", ENTRIES, ids=_ids(ENTRIES))
def test_corpus_is_big_enough_and_labelled(entry):
    corpus = writing.load_corpus(entry.corpus)
    assert len(corpus) >= 40
    good = sum(item.verdict == "good" for item in corpus)
    assert good * 3 >= len(corpus), "at least a third of the texts are good"
    assert all(item.verdict == "good" or item.rule for item in corpus)
    assert len({item.text for item in corpus}) == len(corpus), "no text twice"


@pytest.mark.parametrize("entry", OWNED, ids=_ids(OWNED))
@pytest.mark.parametrize("held_out", [None, True], ids=["all", "held-out"])
def test_check_meets_the_targets(entry, held_out, measures):
    m = measures[entry.name].part(held_out)
    misses = [(o.item.index, o.item.verdict, o.item.rule, o.rules) for o in m.misses()]
    assert m.bad_flagged_right >= writing.BAD_FLAGGED_TARGET, misses
    assert m.good_flagged <= writing.GOOD_FLAGGED_LIMIT, misses


@pytest.mark.parametrize("entry", OWNED, ids=_ids(OWNED))
def test_check_is_fast_and_deterministic(entry, measures):
    m = measures[entry.name]
    again = writing.measure(entry.name, entry.check, [o.item for o in m.outcomes])
    # CPU time; still, a text is slow only if it is slow every time
    for first, second in zip(m.outcomes, again.outcomes, strict=True):
        if min(first.seconds, second.seconds) > writing.TIME_BUDGET_S:
            third = writing.measure(entry.name, entry.check, [first.item]).outcomes[0]
            assert third.seconds <= writing.TIME_BUDGET_S, (first.item.index, third.seconds)
    assert [o.rules for o in again.outcomes] == [o.rules for o in m.outcomes]


@pytest.mark.parametrize("entry", PENDING, ids=_ids(PENDING))
def test_pending_check_meets_the_targets(entry, measures):
    m = measures[entry.name]
    if not m.meets_targets:
        pytest.xfail(f"{entry.name}: {entry.pending} (now {m.bad_flagged_right:.0%} of bad flagged, "
                     f"{m.good_flagged:.0%} of good flagged)")


# -- the examples of issue #15, judged right ---------------------------------------------------------
def test_issue_examples_statement():
    from steward.lessons.influence.model import impact_statement, statement_rules

    good = impact_statement()
    assert statement_rules(good) == []
    assert "direction" in statement_rules(good.replace(" cut cart abandonment", " raised cart abandonment"))
    assert "wrong-role" in statement_rules(good.replace("cut cart abandonment", "cut cart abandonment by 13%,"))
    assert "unsupported" in statement_rules(good.replace(" relative", " relative, five times faster (Gartner)"))


def test_issue_examples_hint():
    from steward.lessons.mentoring.model import hint_rules

    assert "contains-fix" in hint_rules("What if you raised the TTL?", "raise the TTL")
    assert hint_rules("Walk me through what you tried.", "raise the TTL") == []


def test_issue_examples_blame():
    from steward.lessons.ownership.exercise import blame_rules

    assert blame_rules("The developer made a mistake.")
    assert blame_rules("Dana deployed the fix at 15:07.") == []


def test_issue_examples_digest():
    from steward.lessons.visibility.digest import digest_facts, digest_from, lint_digest

    text = str(digest_from(digest_facts()))
    assert lint_digest(text).passed
    bad = text.replace("**Next:**", "- Revenue up 900% compared to never.\n\n**Next:**")
    assert "no-baseline" in {f.rule for f in lint_digest(bad).findings}


# -- the harness -----------------------------------------------------------------------------------
def test_harness_counts_right_rule_and_false_positives(tmp_path):
    rows = [{"text": "a", "verdict": "bad", "rule": "r1"}, {"text": "b", "verdict": "bad", "rule": "r2"},
            {"text": "c", "verdict": "good"}, {"text": "d", "verdict": "good"}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    flags = {"a": ["r1"], "b": ["r1"], "c": ["r9"], "d": []}
    m = writing.measure("toy", lambda text: flags[text], writing.load_corpus(path))
    assert m.bad_flagged_right == 0.5 and m.bad_flagged == 1.0 and m.good_flagged == 0.5
    assert [o.item.held_out for o in m.outcomes] == [False, False, True, False]
    assert "toy" in writing.table([m]) and "| toy |" in writing.table([m], markdown=True)


def test_harness_rejects_unlabelled_bad_text(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"text": "a", "verdict": "bad"}))
    with pytest.raises(ValueError, match="rule"):
        writing.load_corpus(path)
