"""How an outcome looks: compact HTML in JupyterLab, plain text in a terminal, and a
machine-readable JSON copy in the cell output so a saved notebook carries its results
(the mentor report reads it back)."""

from __future__ import annotations

import html
from typing import Any

from steward import seal
from steward.checks import NOT_ATTEMPTED, NOT_YET, PASS

MIME_OUTCOME = "application/vnd.steward.outcome+json"
MIME_ASSESSMENT = "application/vnd.steward.assessment+json"
MIME_HINT = "application/vnd.steward.hint+json"
MIME_NOTE = "application/vnd.steward.note+json"

# Icons and words carry the meaning; colour only repeats it (colour-blind safe).
_LOOK = {
    PASS: ("✔", "Pass", "#0072B2"),
    NOT_YET: ("✘", "Not yet", "#D55E00"),
    NOT_ATTEMPTED: ("…", "Not attempted", "#777777"),
}


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
    icon, word, colour = _LOOK.get(record["status"], ("?", record["status"], "#777"))
    title = html.escape(record.get("title") or record["task"])
    body = ""
    if record.get("message"):
        body += f"<div>{html.escape(record['message'])}</div>"
    if record.get("hint"):
        body += f"<div><b>Hint:</b> {html.escape(record['hint'])}</div>"
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
        f"<div>{html.escape(text)}</div></div>"
    )


def bundle(text: str, html_text: str, mime: str | None = None, record: dict[str, Any] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"text/plain": text, "text/html": html_text}
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
