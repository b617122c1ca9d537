"""The steps of a dApp flow on the dApp's own page: what a user does there (navigate, click, fill, select,
wait, read), through WebDriver's own commands. No step runs a script the caller wrote, and none leaves the
session's origin: a navigation is a path on that origin, and the page's origin is checked after every step.

Every wait of a step calls ``tick`` on each turn, so MetaMask's confirmations are looked at (and answered)
while the page waits for their outcome: the flow's clicks raise them, and its waits see their results.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    InvalidSelectorException,
    NoSuchElementException,
    StaleElementReferenceException,
    UnexpectedTagNameException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.select import Select

from automation.channel import origin_of
from automation.dapp import DappPage
from automation.errors import AutomationError
from automation.polling import wait_until

NAVIGATE, CLICK, FILL, SELECT, WAIT, READ = "navigate", "click", "fill", "select", "wait", "read"
ACTIONS = (NAVIGATE, CLICK, FILL, SELECT, WAIT, READ)
READ_LIMIT = 4000  # characters of a read step's text kept in the result
_POLL = 0.1
# Elements a click by visible text may land on: what a user clicks as a button or a link.
_CLICKABLE = "self::button or self::a or @role='button' or self::input[@type='button' or @type='submit']"
# The element's own text, whitespace collapsed; an <input type=button> shows its value.
_SHOWN_TEXT = "normalize-space(concat(., @value))"
_TRANSIENT = (StaleElementReferenceException, NoSuchElementException)


class StepFailed(AutomationError):
    kind = "flow_step_failed"


class LeftOrigin(AutomationError):
    kind = "flow_left_origin"


@dataclass(frozen=True)
class Step:
    action: str  # one of ACTIONS
    selector: str = ""  # a CSS selector (click, fill, select, wait, read)
    text: str = ""  # visible text (click: the element's own; wait: anywhere on the page, or in `selector`)
    value: str = ""  # fill: what is typed; select: the option's value or visible text
    path: str = ""  # navigate: a path (and query, fragment) on the session's origin
    name: str = ""  # read: the key of the text in the result
    timeout: float = 10.0


@dataclass
class StepResult:
    index: int
    action: str
    ok: bool
    seconds: float
    name: str = ""
    text: str | None = None  # a read step's text
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "action": self.action,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
        }
        if self.name:
            out["name"] = self.name
        if self.text is not None:
            out["text"] = self.text
        if self.error:
            out["error"] = self.error
        return out


def xpath_literal(text: str) -> str:
    """``text`` as an XPath 1.0 string literal (which has no escapes: quotes are joined with concat)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


class StepRunner:
    """Runs steps on ``page`` (the dApp's own window), which must stay on ``origin``."""

    def __init__(self, page: DappPage, origin: str, tick: Callable[[], None]) -> None:
        self.page = page
        self.origin = origin
        self.tick = tick

    def run(self, index: int, step: Step) -> StepResult:
        started = time.monotonic()
        result = StepResult(index, step.action, ok=False, seconds=0.0, name=step.name)
        try:
            text = getattr(self, f"_{step.action}")(step)
            if step.action == READ:
                result.text = text
            result.ok = True
        except StepFailed as exc:
            result.error = str(exc)
        finally:
            result.seconds = time.monotonic() - started
        self.check_origin()
        return result

    def check_origin(self) -> None:
        self.page.focus()
        url = self.page.driver.current_url
        try:
            now = origin_of(url)
        except AutomationError:
            now = url[:100]
        if now != self.origin:
            raise LeftOrigin(f"the dApp page left {self.origin} for {now}")

    # ---- steps ---------------------------------------------------------------------------------------------
    def _navigate(self, step: Step) -> None:
        url = urljoin(self.origin + "/", step.path)
        if origin_of(url) != self.origin:
            raise StepFailed(f"navigate: {step.path!r} is not on {self.origin}")
        self.page.focus()
        self.page.driver.get(url)
        self.page.url = url
        loaded = "return document.readyState === 'complete'"
        self._until(step, "the page to load", lambda: self._script(loaded))

    def _click(self, step: Step) -> None:
        def clicked() -> bool:
            element = self._usable(step)
            if element is None:
                return False
            try:
                element.click()
            except (ElementClickInterceptedException, ElementNotInteractableException):
                return False  # covered or moving: tried again on the next turn
            return True

        self._until(step, f"{self._what(step)} to click", clicked)

    def _fill(self, step: Step) -> None:
        def filled() -> bool:
            element = self._usable(step)
            if element is None:
                return False
            element.clear()
            element.send_keys(step.value)
            return True

        self._until(step, f"{self._what(step)} to fill", filled)

    def _select(self, step: Step) -> None:
        def selected() -> bool:
            element = self._usable(step)
            if element is None:
                return False
            try:
                choice = Select(element)
            except UnexpectedTagNameException:
                raise StepFailed(f"select: {step.selector!r} is not a <select>") from None
            try:
                choice.select_by_value(step.value)
            except NoSuchElementException:
                try:
                    choice.select_by_visible_text(step.value)
                except NoSuchElementException:
                    raise StepFailed(f"select: no option {step.value!r} in {step.selector!r}") from None
            return True

        self._until(step, f"{self._what(step)} to select in", selected)

    def _wait(self, step: Step) -> None:
        self._until(step, self._what(step), lambda: self._shown(step) is not None)

    def _read(self, step: Step) -> str:
        """The element's visible text, once it has some (a result the page writes when it has it)."""

        def text() -> str | None:
            element = self._shown(step)
            if element is None:
                return None
            return " ".join(element.text.split()) or None

        return self._until(step, f"text in {step.selector!r}", text)[:READ_LIMIT]

    # ---- finding -------------------------------------------------------------------------------------------
    def _until(self, step: Step, what: str, probe: Callable[[], Any]) -> Any:
        def turn() -> Any:
            self.tick()
            self.page.focus()
            try:
                return probe()
            except _TRANSIENT:
                return None

        return wait_until(
            what,
            turn,
            step.timeout,
            interval=_POLL,
            error=lambda w: StepFailed(f"{step.action}: no {w} within {step.timeout:g}s"),
        )

    def _script(self, script: str) -> Any:
        return self.page.driver.execute_script(script)

    @staticmethod
    def _what(step: Step) -> str:
        if step.selector and step.text:
            return f"{step.selector!r} showing {step.text!r}"
        return repr(step.selector) if step.selector else f"text {step.text!r}"

    def _candidates(self, step: Step) -> list[WebElement]:
        driver = self.page.driver
        try:
            if step.selector:
                found = driver.find_elements(By.CSS_SELECTOR, step.selector)
                if step.text:
                    wanted = " ".join(step.text.split())
                    found = [e for e in found if wanted in " ".join(e.text.split())]
                return found
            # Compared as the page's text is, whitespace collapsed: "Approve  Tokens " finds "Approve Tokens".
            literal = xpath_literal(" ".join(step.text.split()))
            if step.action == CLICK:
                return driver.find_elements(By.XPATH, f"//*[({_CLICKABLE}) and {_SHOWN_TEXT}={literal}]")
            # The innermost elements that show the text: not every ancestor that contains it.
            contains = f"contains(normalize-space(.), {literal})"
            return driver.find_elements(By.XPATH, f"//body//*[{contains} and not(*[{contains}])]")
        except InvalidSelectorException:
            raise StepFailed(f"{step.action}: {step.selector!r} is not a valid CSS selector") from None

    def _shown(self, step: Step) -> WebElement | None:
        return next((e for e in self._candidates(step) if e.is_displayed()), None)

    def _usable(self, step: Step) -> WebElement | None:
        """The one displayed, enabled element the step names: more than one is refused (which one a user
        would mean cannot be told), none yet is waited for."""
        shown = [e for e in self._candidates(step) if e.is_displayed()]
        if len(shown) > 1:
            raise StepFailed(f"{step.action}: {self._what(step)} matches {len(shown)} elements, not one")
        if not shown or not shown[0].is_enabled():
            return None
        return shown[0]
