"""Comparators: how a task decides whether an answer matches what reference code computed.

A comparator is ``compare(answer, expected) -> Verdict``. It never raises for a bad
answer: a wrong type, a NaN, an empty frame or a wrong shape each get a sentence that
says what was expected. (``Task.check`` still guards against a comparator that does.)
"""

from __future__ import annotations

import builtins
import datetime
import math
import numbers
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

PASS = "pass"
NOT_YET = "not yet"
NOT_ATTEMPTED = "not attempted"
STATUSES = (PASS, NOT_YET, NOT_ATTEMPTED)


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASS


Comparator = Callable[[Any, Any], Verdict]

OK = Verdict(PASS)


def not_yet(message: str) -> Verdict:
    return Verdict(NOT_YET, message)


def is_placeholder(answer: Any) -> bool:
    """The learner has not written anything yet: ``...`` or ``None``, or a tuple/list
    that still holds a ``...`` (a pair whose second half is unwritten)."""
    if answer is None or answer is Ellipsis:
        return True
    return isinstance(answer, tuple | list) and any(item is Ellipsis for item in answer)


def describe(value: Any) -> str:
    """A short, human name for what the learner passed."""
    if isinstance(value, pd.DataFrame):
        return f"a DataFrame of shape {value.shape}"
    if isinstance(value, pd.Series):
        return f"a Series of length {len(value)}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, str):
        short = value if len(value) <= 40 else value[:37] + "..."
        return f"the text {short!r}"
    if isinstance(value, bool | np.bool_):
        return f"the boolean {bool(value)}"
    if isinstance(value, pd.Index):
        return f"an Index of length {len(value)}"
    if isinstance(value, pd.Timedelta | np.timedelta64 | datetime.timedelta):
        return "a duration (a Timedelta)"
    if isinstance(value, numbers.Real):  # NumPy scalars too: "the number 8.848", never "float64 np.float64(8.848)"
        return f"the number {plain_number(float(value))}"
    if isinstance(value, tuple | list) and 0 < len(value) <= 4 and all(
            isinstance(v, numbers.Real) and not isinstance(v, bool | np.bool_) for v in value):
        shown = ", ".join(plain_number(float(v), grouped=False) for v in value)
        return f"the {'pair' if len(value) == 2 else type(value).__name__} ({shown})"
    if isinstance(value, Mapping):
        keys = [str(k) for k in list(value)[:5]]
        return f"a dict with the key{'' if len(keys) == 1 else 's'} {', '.join(keys)}" if keys else "an empty dict"
    if isinstance(value, types.ModuleType):
        return f"the module {value.__name__}"
    if isinstance(value, tuple | list | set):
        return f"a {type(value).__name__} of {len(value)} item{'' if len(value) == 1 else 's'}"
    if type(value).__module__ not in ("builtins", "numpy") and "(" in repr(value)[:60]:
        return f"a {type(value).__name__} object"  # a dataclass's repr reads like code
    return f"{type(value).__name__} {value!r}"[:80]


def _duration(answer: Any, unit: str) -> str | None:
    """A message for a duration given where a number is wanted (``b - a`` of two timestamps)."""
    if not isinstance(answer, pd.Timedelta | np.timedelta64 | datetime.timedelta):
        return None
    wanted = f"a number of {unit}" if unit else "a number in the task's unit"
    return (f"That is a duration (a Timedelta), not a number{f' in {unit}' if unit else ''}: how do you turn a "
            f"duration into {wanted}?")


def _as_float(value: Any) -> float | None:
    """A real number from an int, float, NumPy scalar, 0-d array or 1-element Series."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, pd.Series | pd.DataFrame | np.ndarray) and getattr(value, "size", 0) == 1:
        value = np.asarray(value).reshape(-1)[0]
    if isinstance(value, numbers.Real):
        return float(value)
    return None


def _close(a: float, b: float, rel: float, abs_: float) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def written_decimals(value: float) -> int | None:
    """The decimals a typed number was written with (``-4.1`` → 1, ``66`` → 0), from its shortest repr.

    None when it does not look typed by hand: more than 3 decimals (a computed value), zero (it says
    nothing about a value), or not finite."""
    if not math.isfinite(value):
        return None
    text = repr(float(value)).lstrip("-")
    if "e" in text:
        return None
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if len(frac) > 3 or not (whole + frac).strip("0"):
        return None
    return len(frac)


def rounded_close(value: float, expected: float) -> str | None:
    """One rounding rule for every check: an answer that equals the data's value at the precision it was
    written with (−4.1 for −4.065) is *close*, and the message says so instead of "not the value"."""
    places = written_decimals(value)
    if places is None or not math.isfinite(expected):
        return None
    if abs(value - expected) > 0.5 * 10.0 ** -places + 1e-9 * max(1.0, abs(expected)):
        return None
    return (f"Close: {value:,.{places}f} is the data's value rounded to {places} decimal{'' if places == 1 else 's'}. "
            "Give one more decimal, or pass your computed value.")


def _all_rounded_close(values: Iterable[float], wanted: Iterable[float]) -> bool:
    """Every value equals its expected value at the precision it was written with (the rule of
    :func:`rounded_close`, applied to a Series, a frame's column or a pair)."""
    pairs = list(zip(values, wanted, strict=True))
    return bool(pairs) and all(rounded_close(float(v), float(e)) is not None for v, e in pairs)


ROUNDED = "Give one more decimal, or pass your computed values."


def number(rel: float = 1e-3, abs: float = 0.0, unit: str = "") -> Comparator:  # noqa: A002
    """A single number, within ``rel`` relative or ``abs`` absolute tolerance."""

    def compare(answer: Any, expected: Any) -> Verdict:
        value = _as_float(answer)
        if value is None:
            if (duration := _duration(answer, unit)) is not None:
                return not_yet(duration)
            return not_yet(f"Expected a single number{f' in {unit}' if unit else ''}; got {describe(answer)}.")
        if math.isnan(value):
            return not_yet("Your answer is NaN: somewhere a value is missing or a division had no data.")
        if _close(value, float(expected), rel, abs):
            return OK
        if (close := rounded_close(value, float(expected))) is not None:
            return not_yet(close)
        shown = plain_number(value)
        return not_yet(f"{shown} is not the value the data gives{f' (in {unit})' if unit else ''}.")

    compare.tolerance = f"relative {rel:g}" + (f", absolute {abs:g}" if abs else "")  # type: ignore[attr-defined]
    return compare


def plain_number(value: float, grouped: bool = True, digits: int = 6, whole_from: float = 1e6) -> str:
    """A number as a person writes it: 71,960,000 and 0.0000384, never 7.196e+07 or 3.84e-05, and
    never a non-whole number shown as a whole one (0.99999975 is not "1": digits are added until it
    shows). ``digits`` significant digits below ``whole_from``, whole numbers from it up; without
    thousands commas (``grouped=False``) inside a pair, where they would read as separators. Used for
    every number a learner reads in a message (:func:`number`, :func:`describe`) and for kept
    results (:func:`steward.results.plain`)."""
    value = float(value)
    comma = "," if grouped else ""
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    if builtins.abs(value) >= whole_from:
        return f"{value:{comma}.0f}"
    if builtins.abs(value) < 1e-4:
        return np.format_float_positional(value, precision=3, unique=False, fractional=False, trim="-")
    shown = f"{value:{comma}.{digits}g}"
    while digits < 12 and not value.is_integer() and float(shown.replace(",", "")).is_integer():
        digits += 1
        shown = f"{value:{comma}.{digits}g}"
    return shown


def _to_series(value: Any) -> pd.Series | None:
    if isinstance(value, pd.Series):
        return value
    if isinstance(value, Mapping):
        return pd.Series(dict(value))
    if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
        return value.iloc[:, 0]
    return None


def _label(value: Any) -> str:
    """A Series label in words: a MultiIndex row's tuple ('control', False) as "control / False"."""
    if isinstance(value, tuple):
        return " / ".join(str(v) for v in value)
    return str(value)


def _listed(items: Sequence[str], most: int | None = None) -> str:
    """'A', 'A and B', 'A, B and C'; past ``most`` items, 'A, B, C and 9 others'."""
    items = list(items)
    if most is not None and len(items) > most:
        return f"{', '.join(items[:most])} and {len(items) - most} others"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def series(rel: float = 1e-3, abs: float = 0.0, what: str = "value", ordered: bool = False) -> Comparator:  # noqa: A002
    """A labelled set of numbers (a Series, or a dict label → number).

    ``ordered=True`` also requires the labels in the expected order (a ranking).
    """

    def compare(answer: Any, expected: pd.Series) -> Verdict:
        got = _to_series(answer)
        if got is None:
            label = expected.index.name or "label"
            hint = ""
            if isinstance(answer, pd.DataFrame) and label in answer.columns:
                hint = (f": {label} is one of its columns, not its index (did `reset_index()` or `as_index=False` "
                        f"make it a table? `.set_index({label!r})[…]` makes it a Series again)")
            elif isinstance(answer, pd.DataFrame) and answer.shape[1] > 1:
                hint = f": pick the one column that holds the {what} (`frame['column']`)"
            return not_yet(f"Expected a Series (or dict) of {what} per {label}; got {describe(answer)}{hint}.")
        if got.dtype.kind == "m":
            return not_yet(f"Your Series holds durations (Timedelta), not numbers: how do you turn a duration into "
                           f"the {what} the task asks for?")
        if got.empty:
            return not_yet("Your Series is empty: did a filter remove every row, or are the labels you grouped by "
                           "all missing (groupby drops NaN labels; map() gives NaN where its dict has no key, e.g. "
                           "1/0 keys on a True/False column)?")
        got_labels = [_label(i) for i in got.index]
        want_labels = [_label(i) for i in expected.index]
        missing = [i for i in want_labels if i not in got_labels]
        extra = [i for i in got_labels if i not in want_labels]
        if missing or extra:
            if isinstance(got.index, pd.RangeIndex) and not isinstance(expected.index, pd.RangeIndex):
                label = expected.index.name or "label"
                return not_yet(f"Your Series is indexed by row number (0, 1, 2, …), not by {label}: set the index "
                               f"first (`.set_index({label!r})`), then compute.")
            if isinstance(got.index, pd.MultiIndex) and not isinstance(expected.index, pd.MultiIndex):
                levels = _listed([str(n) for n in got.index.names if n is not None]) or "several columns"
                label = expected.index.name or "label"
                return not_yet(f"Your Series has a row for each combination of {levels} (such as {got_labels[0]}); "
                               f"the task asks for one {what} per {label}. Which of those rows is the {what}, and "
                               f"how do you keep one number per {label}?")
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing[:5])}")
            if extra:
                parts.append(f"unexpected {', '.join(extra[:5])}")
            return not_yet(f"The labels do not match ({'; '.join(parts)}).")
        values = pd.to_numeric(pd.Series(got.values, index=got_labels), errors="coerce")
        if values.isna().any():
            bad = list(values[values.isna()].index)
            verb = "is" if len(bad) == 1 else "are"
            return not_yet(f"The {what} for {', '.join(bad[:5])} {verb} missing or not a number.")
        wrong = [
            label for label, want in zip(want_labels, expected.to_numpy(dtype=float), strict=True)
            if not _close(float(values[label]), float(want), rel, abs)
        ]
        if wrong:
            lookup = dict(zip(want_labels, expected.to_numpy(dtype=float), strict=True))
            if _all_rounded_close([values[label] for label in wrong], [lookup[label] for label in wrong]):
                return not_yet(f"Close: for {_listed(wrong, 3)}, your {what} is the data's rounded to the decimals you "
                               f"wrote. {ROUNDED}")
            return not_yet(f"The {what} does not match the data for {_listed(wrong, 3)}.")
        if ordered and got_labels != want_labels:
            return not_yet("The values are right but the order is not: sort them as the task asks.")
        return OK

    return compare


def frame(columns: Sequence[str], rel: float = 1e-3, key: str | None = None) -> Comparator:
    """A DataFrame with at least ``columns``, compared row by row (by ``key`` if given)."""

    def compare(answer: Any, expected: pd.DataFrame) -> Verdict:
        if not isinstance(answer, pd.DataFrame):
            return not_yet(f"Expected a DataFrame with columns {list(columns)}; got {describe(answer)}.")
        if answer.empty:
            return not_yet("Your DataFrame is empty: did a filter remove every row?")
        missing = [c for c in columns if c not in answer.columns]
        if missing:
            turned = " Its index holds them: is it transposed (`.T` turns it)?" if all(
                c in [str(i) for i in answer.index] for c in missing) else ""
            return not_yet(f"Your DataFrame lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; it "
                           f"has {', '.join(str(c) for c in list(answer.columns)[:8])}.{turned}")
        got, want = answer, expected
        if key is not None:
            got = answer.set_index(key).sort_index()
            want = expected.set_index(key).sort_index()
            if [str(i) for i in got.index] != [str(i) for i in want.index]:
                return not_yet(f"The rows (by {key}) are not the ones the data gives.")
        if len(got) != len(want):
            return not_yet(f"Expected {len(want)} rows; got {len(got)}.")
        for column in columns:
            if column == key:
                continue
            a, b = got[column].to_numpy(), want[column].to_numpy()
            if np.issubdtype(np.asarray(b).dtype, np.number):
                a = pd.to_numeric(pd.Series(a), errors="coerce").to_numpy(dtype=float)
                if np.isnan(a).any():
                    return not_yet(f"Column {column!r} has missing or non-numeric values.")
                if not np.allclose(a, b.astype(float), rtol=rel, atol=0, equal_nan=False):
                    off = ~np.isclose(a, b.astype(float), rtol=rel, atol=0)
                    if _all_rounded_close(a[off], b.astype(float)[off]):
                        return not_yet(f"Close: column {column!r} is the data's, rounded to the decimals you wrote. {ROUNDED}")
                    return not_yet(f"Column {column!r} does not match the data.")
            elif [str(x) for x in a] != [str(x) for x in b]:
                return not_yet(f"Column {column!r} does not match the data.")
        return OK

    return compare


def _norm(text: Any) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").replace("-", " ").split())


def _options_text(names: Sequence[str]) -> str:
    """The options in words: "'a', 'b' or 'c'", or for a long list its size and two examples."""
    if len(names) > 6:
        return f"one of the {len(names)} options, such as {names[0]!r} or {names[1]!r},"
    quoted = [repr(n) for n in names]
    return f"one of {', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]


def choice(options: Iterable[str]) -> Comparator:
    """One of a fixed set of named options (case and spacing do not matter)."""
    names = list(options)

    def compare(answer: Any, expected: Any) -> Verdict:
        if not isinstance(answer, str):
            if (isinstance(answer, list | tuple | pd.Series | pd.Index | np.ndarray) and len(answer) == 1
                    and isinstance(list(answer)[0], str)):
                return not_yet(f"Expected the option as text; got {'an' if type(answer).__name__[0] in 'AEIOUaeiou' else 'a'} {type(answer).__name__} holding one, "
                               f"{str(list(answer)[0])!r}: take it out with `[0]` (or `.iloc[0]` on a Series).")
            return not_yet(f"Expected {_options_text(names)} as text; got {describe(answer)}.")
        if _norm(answer) not in {_norm(n) for n in names}:
            return not_yet(f"{answer!r} is not {_options_text(names)}.")
        if _norm(answer) == _norm(expected):
            return OK
        return not_yet(f"{answer!r} is not the option the data supports.")

    return compare


def same_items(ordered: bool = False, what: str = "items") -> Comparator:
    """A list (or set) of labels; ``ordered`` for rankings."""

    def compare(answer: Any, expected: Sequence[Any]) -> Verdict:
        if isinstance(answer, str) or not isinstance(answer, Iterable | pd.Series | pd.Index):
            return not_yet(f"Expected a list of {what}; got {describe(answer)}.")
        if (isinstance(answer, pd.Series) and pd.api.types.is_numeric_dtype(answer.dtype)
                and not pd.api.types.is_numeric_dtype(answer.index.dtype)):
            return not_yet(f"Expected a list of {what}; got a Series of numbers. Its index holds the names: "
                           "`list(….index)`.")
        items = list(answer)
        if (items and all(isinstance(x, numbers.Integral) and not isinstance(x, bool | np.bool_) for x in items)
                and all(isinstance(x, str) for x in expected)):
            return not_yet(f"Those are row numbers, not {what}: index the table by its labels first "
                           "(`.set_index(…)`), so that `.index` holds the names.")
        got = [_norm(x) for x in items]
        want = [_norm(x) for x in expected]
        if not got:
            return not_yet(f"Your list of {what} is empty.")
        if len(got) != len(want):  # more or fewer, never how many: the count is half the answer
            return not_yet(f"You listed {len(got)} {what}; the data gives {'fewer' if len(got) > len(want) else 'more'}.")
        if sorted(got) != sorted(want):
            return not_yet(f"Those are not the {what} the data gives.")
        if ordered and got != want:
            return not_yet(f"The right {what}, in the wrong order.")
        return OK

    return compare


def integer() -> Comparator:
    """A whole number, exactly (a count)."""

    def compare(answer: Any, expected: Any) -> Verdict:
        value = _as_float(answer)
        if value is None:
            return not_yet(f"Expected a whole number (a count); got {describe(answer)}.")
        if math.isnan(value):
            return not_yet("A count is a whole number; got NaN.")
        if value != int(value):
            if round(value) == int(expected):
                return not_yet(f"Close: {value:,.6g} rounds to the count the data gives, but a count is a whole "
                               "number: count the rows, or round your value.")
            return not_yet(f"A count is a whole number; got {value:,.6g}.")  # 1.60718, never 1.6071768908401562
        if int(value) == int(expected):
            return OK
        return not_yet(f"{int(value)} is not the count the data gives.")

    return compare


def function_on(cases: Callable[[], Iterable[tuple[Any, ...]]], what: str = "case") -> Comparator:
    """The learner's function against the reference function on many inputs.

    A function that returns ``None``/``...`` for every case has not been written yet.
    """

    def compare(answer: Any, expected: Callable[..., Any]) -> Verdict:
        if not callable(answer):
            return not_yet(f"Expected a function; got {describe(answer)}.")
        all_blank = True
        for args in cases():
            want = expected(*args)
            try:
                got = answer(*args)
            except Exception as error:  # the learner's code: report, never raise
                return not_yet(f"Your function raised {type(error).__name__}: {error} for {what} {_case(args)}.")
            if not is_placeholder(got):
                all_blank = False
            if got != want:
                if all_blank:
                    continue
                return not_yet(f"For {what} {_case(args)}, your function returns {_words(got)}; the reference gives "
                               f"{_words(want)}.")
        if all_blank:
            if has_body(answer):
                return not_yet("Your function returns None for every case: does it end with `return …`?")
            return Verdict(NOT_ATTEMPTED, "Your function returns nothing yet.")
        return OK

    return compare


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + " …"


def _case(args: tuple[Any, ...]) -> str:
    """One argument as itself (a doc, not ``('# Title…',)``); several in brackets, each in words, after an
    equals sign (the ``what`` before it names them: "(hint, fix) = (`…`, `…`)")."""
    return _words(args[0]) if len(args) == 1 else "= (" + ", ".join(_words(a) for a in args) + ")"


def _text(line: str, limit: int = 80) -> str:
    """One line of text as a code span (in quotes if it holds a backtick, which ends a span), cut short."""
    line = line if len(line) <= limit else line[: limit - 2] + " …"
    if not line.strip():
        return "(blank line)"
    return f"“{line}”" if "`" in line else f"`{line}`"


def _words(value: Any, lines: int = 12) -> str:
    """A value as a reader reads it: a multi-line string line by line (↵ between lines, never a ``\\n``
    escape), strings in code spans, a list's items; anything else as Python shows it, cut short."""
    if isinstance(value, str):
        parts = value.split("\n")
        if parts[-1] == "" and len(parts) > 1:
            parts = parts[:-1]
        shown = " ↵ ".join(_text(p) for p in parts[:lines])
        return shown + (f" ↵ … ({len(parts) - lines} more lines)" if len(parts) > lines else "")
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "an empty list" if not value else "[" + ", ".join(_text(v) for v in value) + "]"
    return _short(value)


def has_body(function: Any) -> bool:
    """Does the function do anything (name a variable, call something)? The blank exercise's stub
    (a docstring and ``...``) does not; a body that forgot its ``return`` does. A wrapper a lesson put
    around the learner's function (module 03 replays it over streams) is judged by what it wraps."""
    if getattr(function, "__module__", "").startswith("steward."):
        inner = [cell.cell_contents for cell in getattr(function, "__closure__", None) or ()
                 if callable(getattr(cell, "cell_contents", None)) and hasattr(cell.cell_contents, "__code__")]
        return any(has_body(f) for f in inner)
    code = getattr(function, "__code__", None)
    if code is None:
        return False
    return bool(code.co_names) or len(code.co_varnames) > code.co_argcount + code.co_kwonlyargcount


def structured_text(parts: Mapping[str, Callable[[str], bool]], min_words: int = 0) -> Comparator:
    """Free text whose *structure* is checked: each named part must be present.

    The judgment in it is the learner's to self-assess against a rubric; this checks only
    what a machine can (say plainly which parts are checked).
    """

    def compare(answer: Any, expected: Any) -> Verdict:
        if not isinstance(answer, str):
            return not_yet(f"Expected your text as a string; got {describe(answer)}.")
        if not answer.strip():
            return Verdict(NOT_ATTEMPTED, "The text is empty.")
        words = len(answer.split())
        if words < min_words:
            return not_yet(f"{words} word{'' if words == 1 else 's'} is too short to carry every part; aim for at least {min_words}.")
        missing = [name for name, present in parts.items() if not present(answer)]
        if missing:
            return not_yet(f"Missing: {'; '.join(missing)}.")
        return OK

    return compare


def require_frame(frame: Any, columns: Iterable[str], what: str = "data") -> pd.DataFrame:
    """The frame, or a ValueError that says in plain words what is wrong with it (never a
    KeyError deep inside pandas). Lesson functions call this on every frame they are given."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected the {what} as a DataFrame; got {type(frame).__name__}")
    if frame.empty:
        raise ValueError(f"the {what} table is empty: did a filter remove every row?")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"the {what} table lacks the column(s) {missing}")
    return frame
