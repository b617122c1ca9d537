"""What a dApp flow takes: its steps on the dApp's page, what it expects MetaMask to show, and its limits.
Pure validation (no Django, no browser): ``clean_flow`` returns the flow as stored, or raises
ValidationFailed (a 400) naming the field."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from wallets.exceptions import ValidationFailed
from wallets.flows.expectations import EXPECTATIONS

MAX_STEPS = 50
MAX_EXPECTATIONS = 10
MAX_STEP_TIMEOUT = 60.0
DEFAULT_STEP_TIMEOUT = 10.0
# Under the worker's soft time limit (240 s), with room for what follows the steps (receipts, the record).
MAX_TIME_LIMIT = 180.0
DEFAULT_TIME_LIMIT = 60.0
MAX_TEXT = 500  # characters of a selector, a text, a value or a path
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# action -> (fields it needs, fields it may have besides); every step may have "timeout_seconds"
STEP_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "navigate": (("path",), ()),
    "click": ((), ("selector", "text")),
    "fill": (("selector", "value"), ()),
    "select": (("selector", "value"), ()),
    "wait": ((), ("selector", "text")),
    "read": (("selector", "name"), ()),
}


def clean_flow(params: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(params) - {"steps", "expect", "time_limit_seconds"})
    if unknown:
        raise ValidationFailed(f"a flow takes steps, expect and time_limit_seconds; not {', '.join(unknown)}")
    steps = params.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= MAX_STEPS:
        raise ValidationFailed(f"steps must be a list of 1 to {MAX_STEPS} steps")
    expect = params.get("expect", [])
    if not isinstance(expect, list) or len(expect) > MAX_EXPECTATIONS:
        raise ValidationFailed(f"expect must be a list of at most {MAX_EXPECTATIONS} expectations")
    cleaned_steps = [_step(i, s) for i, s in enumerate(steps)]
    names = [s["name"] for s in cleaned_steps if "name" in s]
    if len(names) != len(set(names)):
        raise ValidationFailed("each read step needs a name of its own")
    return {
        "steps": cleaned_steps,
        "expect": [_expectation(i, e) for i, e in enumerate(expect)],
        "time_limit_seconds": _seconds(
            params.get("time_limit_seconds", DEFAULT_TIME_LIMIT), "time_limit_seconds", MAX_TIME_LIMIT
        ),
    }


def _step(index: int, step: Any) -> dict[str, Any]:
    where = f"steps[{index}]"
    if not isinstance(step, dict):
        raise ValidationFailed(f"{where} must be an object")
    action = step.get("action")
    if action not in STEP_FIELDS:
        raise ValidationFailed(f"{where}.action must be one of {', '.join(STEP_FIELDS)}")
    needed, optional = STEP_FIELDS[action]
    unknown = sorted(set(step) - {"action", "timeout_seconds", *needed, *optional})
    if unknown:
        raise ValidationFailed(f"{where}: a {action} step does not take {', '.join(unknown)}")
    out: dict[str, Any] = {"action": action}
    for name in (*needed, *optional):
        if name in step:
            out[name] = _text(step[name], f"{where}.{name}")
        elif name in needed:
            raise ValidationFailed(f"{where}: a {action} step needs {name}")
    if optional and not any(out.get(name) for name in optional):
        raise ValidationFailed(f"{where}: a {action} step needs selector or text")
    if action == "navigate":
        _same_origin_path(out["path"], where)
    if action == "read" and not _NAME.match(out["name"]):
        raise ValidationFailed(f"{where}.name must be 1 to 40 lowercase letters, digits or _")
    out["timeout_seconds"] = _seconds(
        step.get("timeout_seconds", DEFAULT_STEP_TIMEOUT), f"{where}.timeout_seconds", MAX_STEP_TIMEOUT
    )
    return out


def _expectation(index: int, expectation: Any) -> dict[str, Any]:
    where = f"expect[{index}]"
    if not isinstance(expectation, dict):
        raise ValidationFailed(f"{where} must be an object")
    kind = expectation.get("kind")
    if kind not in EXPECTATIONS:
        raise ValidationFailed(f"{where}.kind must be one of {', '.join(EXPECTATIONS)}")
    approve = expectation.get("approve", True)
    if not isinstance(approve, bool):
        raise ValidationFailed(f"{where}.approve must be true or false")
    fields = {k: v for k, v in expectation.items() if k not in ("kind", "approve")}
    try:
        cleaned = EXPECTATIONS[kind].clean(fields)
    except ValidationFailed as exc:
        raise ValidationFailed(f"{where}: {exc.message}") from None
    return {"kind": kind, "approve": approve, **cleaned}


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValidationFailed(f"{where} must be a string of at most {MAX_TEXT} characters")
    if any(ord(c) < 32 and c not in "\t\n" for c in value):
        raise ValidationFailed(f"{where} must not hold control characters")
    return value


def _seconds(value: Any, where: str, most: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.1 <= value <= most:
        raise ValidationFailed(f"{where} must be a number of seconds from 0.1 to {most:g}")
    return float(value)


def _same_origin_path(path: str, where: str) -> None:
    """A path on the session's origin: "/x", "?q" or "#h"; never a scheme, a host or "//host"."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or path.startswith("//") or "\\" in path:
        raise ValidationFailed(f"{where}.path must be a path on the session's dApp origin, not {path[:80]!r}")
    if not path.startswith(("/", "?", "#")):
        raise ValidationFailed(f"{where}.path must start with /, ? or #")
