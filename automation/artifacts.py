"""Failure artifacts: a screenshot and the DOM of the page in focus, with every input value stripped.

Artifacts are for humans debugging a failed flow; they must never carry a secret. MetaMask keeps the SRP and
the password in <input>/<textarea> values, so the DOM is cloned and every value removed before it is
serialised; the screenshot is only taken when no secret-bearing page (onboarding, unlock) is on screen.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any

from automation.dom import IsolatedDom

logger = logging.getLogger("automation.artifacts")
_LOG = {"component": "browser_controller"}

# Clone the document, blank every form value (attribute and property), drop scripts, serialise the clone.
# Run in an isolated world (MetaMask's official builds scuttle the page's own globals, docs/metamask.md
# section 9), where the clone sees the same DOM.
_SANITISED_DOM_JS = """
() => {
const clone = document.documentElement.cloneNode(true);
for (const el of clone.querySelectorAll('input, textarea, select')) {
  el.removeAttribute('value');
  el.textContent = '';
  if ('value' in el) { try { el.value = ''; } catch (e) {} }
}
for (const el of clone.querySelectorAll('script, iframe')) el.remove();
return '<!-- ' + location.href.replace(/--/g, '') + ' -->\\n' + clone.outerHTML;
}
"""
# Screens where the SRP or password is rendered in the clear (word grids, reveal pages).
_SECRET_ROUTES = ("#onboarding", "#unlock", "reveal-seed", "#settings/security/reveal")


def _slug(label: str) -> str:
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", label)[:40].strip("-") or "failure"


_INPUT_VALUE_RE = re.compile(r"(<input\b[^>]*?)\svalue=(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_TEXTAREA_RE = re.compile(r"(<textarea\b[^>]*>).*?(</textarea>)", re.IGNORECASE | re.DOTALL)


def sanitise_html(html: str) -> str:
    """Drop every <input> value attribute and every <textarea> body."""
    previous = None
    while previous != html:  # an input can carry the attribute only once, but be safe with odd markup
        previous = html
        html = _INPUT_VALUE_RE.sub(r"\1", html)
    return _TEXTAREA_RE.sub(r"\1\2", html)


def save_failure_artifacts(driver: Any, artifacts_dir: str, label: str) -> str | None:
    """Write <dir>/<timestamp>-<label>-<rand>/{page.html,screenshot.png}; return that directory or None."""
    if driver is None:
        return None
    try:
        target = (
            Path(artifacts_dir) / f"{time.strftime('%Y%m%dT%H%M%S')}-{_slug(label)}-{uuid.uuid4().hex[:6]}"
        )
        target.mkdir(parents=True, exist_ok=True)
        dom = IsolatedDom(driver)
        url: str | None = None  # unknown: no screenshot, it could show a secret-bearing screen
        try:
            url = dom.url()
            html = str(dom.call(_SANITISED_DOM_JS))
        except Exception as exc:  # e.g. a page CSP breaking the clone; fall back to regex sanitising
            logger.info("DOM clone failed (%s); sanitising page_source", type(exc).__name__, extra=_LOG)
            html = sanitise_html(str(driver.page_source))
        (target / "page.html").write_text(html, encoding="utf-8")
        if url is not None and not any(marker in url for marker in _SECRET_ROUTES):
            driver.save_screenshot(str(target / "screenshot.png"))
        logger.warning("saved failure artifacts to %s", target, extra=_LOG)
        return str(target)
    except Exception as exc:  # an artifact must never hide the original failure
        logger.warning("could not save artifacts: %s", type(exc).__name__, extra=_LOG)
        return None
