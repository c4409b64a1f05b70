"""A per-run seal: how ``steward report`` tells the outcomes its own run produced from outcome
bundles a notebook displays by itself (copied from an old output, or typed in).

The report starts the mentee's kernel with a random key in ``STEWARD_REPORT_SEAL``. Importing
``steward`` reads the key once and removes it from the environment, so a later cell finds no key
in ``os.environ`` and a saved notebook never contains it. Every outcome, assessment and note this
package displays then carries an HMAC of its fields; the report accepts a fresh outcome only with
a valid seal. Outside a report (a learner's own session) there is no key and nothing is sealed.

This is a check against forged *outputs*, not a sandbox: code in the same kernel that sets out to
find the key in this module's memory can. ``docs/mentor-guide.md`` says what a report runs and how
to run an untrusted notebook in a container instead.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from typing import Any

ENV = "STEWARD_REPORT_SEAL"
FIELD = "seal"
#: The fields a seal covers: what the report reads from a fresh outcome.
SEALED = ("task", "status", "misconception", "hints_used", "answer", "module", "note", "title", "text", "scores")

_KEY: bytes | None = os.environ.pop(ENV, "").encode() or None


def new_key() -> str:
    """A fresh random key for one report run."""
    return secrets.token_hex(16)


def _digest(record: dict[str, Any], key: bytes) -> str:
    payload = json.dumps({k: record.get(k) for k in SEALED}, sort_keys=True, default=str)
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(record: dict[str, Any]) -> dict[str, Any]:
    """The record with its seal when this kernel runs under a report; unchanged otherwise."""
    if _KEY is None:
        return record
    return {**record, FIELD: _digest(record, _KEY)}


def valid(record: dict[str, Any], key: str) -> bool:
    """Does ``record`` carry the seal of ``key``?"""
    seal = record.get(FIELD)
    return isinstance(seal, str) and hmac.compare_digest(seal, _digest(record, key.encode()))
