"""What the admin shows of a row's progress: its steps as a timeline with durations, its failure screenshot
inline, and a session browser's memory. HTML only (format_html escapes every value); wallets/admin.py
puts them on the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SCREENSHOT = "screenshot.png"  # what automation/artifacts.py writes beside the page's DOM
_BAR_PX = 240


def _at(entry: dict[str, Any]) -> datetime | None:
    value = entry.get("at")
    return parse_datetime(value) if isinstance(value, str) else None


def timeline_html(progress: list[dict[str, Any]]) -> SafeString:
    """One row per step: name, ok or failed, seconds, when it ended (seconds after the first step began),
    and a bar as long as its share of the slowest step."""
    steps = [p for p in progress if isinstance(p, dict) and "step" in p]
    if not steps:
        return mark_safe("-")
    seconds = [float(p.get("seconds") or 0) for p in steps]
    longest = max(seconds) or 1.0
    ends = [_at(p) for p in steps]
    first = next((end for end in ends if end is not None), None)
    start = first.timestamp() - seconds[0] if first is not None else None
    rows = []
    for entry, took, end in zip(steps, seconds, ends, strict=True):
        ok = bool(entry.get("ok"))
        after = f"+{end.timestamp() - start:.1f} s" if end is not None and start is not None else ""
        rows.append(
            (
                "ok" if ok else "failed",
                str(entry["step"]),
                "ok" if ok else "failed",
                f"{took:.2f} s",
                after,
                "#417690" if ok else "#ba2121",
                max(2, round(_BAR_PX * took / longest)),
            )
        )
    body = format_html_join(
        "",
        '<tr class="timeline-{}"><td>{}</td><td>{}</td><td class="seconds">{}</td><td>{}</td>'
        '<td><div style="background:{};height:10px;width:{}px"></div></td></tr>',
        rows,
    )
    total = sum(seconds)
    return format_html(
        '<table class="timeline"><thead><tr><th>step</th><th>result</th><th>took</th><th>ended</th>'
        "<th></th></tr></thead><tbody>{}</tbody><tfoot><tr><td>total</td><td></td>"
        '<td class="seconds">{}</td><td></td><td></td></tr></tfoot></table>',
        body,
        f"{total:.2f} s",
    )


def screenshot_html(url: str) -> SafeString:
    return format_html(
        '<a href="{}"><img class="failure-screenshot" src="{}" alt="failure screenshot" '
        'style="max-width:480px;border:1px solid #ccc"></a>',
        url,
        url,
    )


def memory_text(rss_bytes: int | None, at: datetime | None) -> str:
    if rss_bytes is None:
        return "-"
    when = f" (measured {at:%Y-%m-%d %H:%M:%S})" if at is not None else ""
    return f"{rss_bytes / 2**20:.0f} MiB RSS{when}"
