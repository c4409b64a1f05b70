"""How an outcome looks: compact HTML in JupyterLab, plain text in a terminal, and a
machine-readable JSON copy in the cell output so a saved notebook carries its results
(the mentor report reads it back)."""

from __future__ import annotations

import html
import re
from typing import Any

from steward import seal, themes
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS

MIME_OUTCOME = "application/vnd.steward.outcome+json"
MIME_ASSESSMENT = "application/vnd.steward.assessment+json"
MIME_HINT = "application/vnd.steward.hint+json"
MIME_NOTE = "application/vnd.steward.note+json"

# Icons and words carry the meaning; colour only repeats it (colour-blind safe), in Lab's
# theme colours so the words stay legible in the dark theme too (steward.themes).
_LOOK = {
    PASS: ("✔", "Pass", themes.GOOD),
    NOT_YET: ("✘", "Not yet", themes.BAD),
    NOT_ATTEMPTED: ("…", "Not attempted", themes.MUTED),
}


#: MathJax (JupyterLab typesets every HTML output) skips elements with these classes, so two
#: dollar amounts in one message never pair up as inline maths.
NO_MATHS = "mathjax_ignore tex2jax_ignore"

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?![\s*_])(.+?)(?<![\s*_])\1(?![\w*])")


def inline_markdown(text: str) -> str:
    """HTML for the small Markdown subset hints and messages use: `code`, **strong**, *emphasis*.

    Everything else is escaped first, so no raw HTML from a message (or a learner's answer
    quoted in one) ever reaches the page."""
    pieces = _CODE_SPAN.split(str(text))
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:  # inside a code span: literal
            out.append(f"<code>{html.escape(piece)}</code>")
            continue
        escaped = html.escape(piece)
        escaped = _STRONG.sub(r"<b>\1</b>", escaped)
        escaped = _EMPHASIS.sub(r"<em>\2</em>", escaped)
        out.append(escaped)
    return "".join(out)


def markdown_without_maths(text: str) -> str:
    """Markdown wrapped in a block that MathJax skips (its blank lines keep the Markdown inside
    rendered as Markdown): amounts like "$320M to $965M" stay amounts."""
    return f'<div class="{NO_MATHS}">\n\n{text}\n\n</div>'


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + ")"
    if isinstance(value, list | tuple):
        return "; ".join(_plain(v) for v in value) if value else "none"
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def plain_mapping(mapping: Any, lines: bool = False) -> str:
    """A dict as a reader reads it, not as Python prints it: ``team_size = 6 · asks_per_hour = 12.0``
    on one line, or one ``field: value`` a line (``lines=True``) for a record with nested parts."""
    if not isinstance(mapping, dict):
        return _plain(mapping)
    if lines:
        return "\n".join(f"{key}: {_plain(value)}" for key, value in mapping.items())
    return " · ".join(f"{key} = {_plain(value)}" for key, value in mapping.items())


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 hint``, ``2 hints``, ``0 hints``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def outcome_text(record: dict[str, Any]) -> str:
    icon, word, _ = _LOOK.get(record["status"], ("?", record["status"], ""))
    lines = [f"{icon} {word} — {record.get('title') or record['task']}"]
    if record.get("message"):
        lines.append(f"  {record['message']}")
    if record.get("hint"):
        lines.append(f"  Hint: {record['hint']}")
    if record["status"] == NOT_YET and not record.get("hint"):
        lines.append(f"  Stuck? {record.get('hint_call', 'task.hint()')} asks you a question that may help.")
    return "\n".join(lines)


def outcome_html(record: dict[str, Any]) -> str:
    icon, word, colour = _LOOK.get(record["status"], ("?", record["status"], themes.MUTED))
    title = html.escape(record.get("title") or record["task"])
    body = ""
    if record.get("message"):
        body += f"<div>{inline_markdown(record['message'])}</div>"
    if record.get("hint"):
        body += f"<div><b>Hint:</b> {inline_markdown(record['hint'])}</div>"
    if record["status"] == NOT_YET and not record.get("hint"):
        call = html.escape(record.get("hint_call", "task.hint()"))
        body += f"<div style='opacity:.8'>Stuck? <code>{call}</code> asks you a question that may help.</div>"
    return (
        f"<div class='steward-outcome' data-status='{html.escape(record['status'])}' "
        f"style='border-left:4px solid {colour};padding:4px 10px;margin:4px 0;font-family:sans-serif'>"
        f"<b style='color:{colour}'>{icon} {word}</b> · {title}{body}</div>"
    )


def hint_text(task_title: str, tier: int, total: int, text: str) -> str:
    return f"Hint {tier} of {total} — {task_title}\n  {text}"


def hint_html(task_title: str, tier: int, total: int, text: str) -> str:
    return (
        "<div class='steward-hint' style='border-left:4px solid #E69F00;padding:4px 10px;margin:4px 0;"
        f"font-family:sans-serif'><b>Hint {tier} of {total}</b> · {html.escape(task_title)}"
        f"<div>{inline_markdown(text)}</div></div>"
    )


def bundle(text: str, html_text: str, mime: str | None = None, record: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"text/plain": text, "text/html": f"<div class='{NO_MATHS}'>{html_text}</div>"}
    if mime and record is not None:
        data[mime] = seal.sign(record)
    return data


def show(data: dict[str, Any]) -> None:
    """Display a MIME bundle in a notebook, or print its text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with the curriculum
        print(data["text/plain"])
        return
    if get_ipython() is None:
        print(data["text/plain"])
    else:
        display(data, raw=True)
