"""The one place that reads the process environment for settings.

Secrets may come from ``VAR`` or from a file named by ``VAR_FILE`` (Kubernetes/Docker secrets are mounted
as files, so a token never has to sit in the environment of every child process).
"""

from __future__ import annotations

import builtins
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        self._environ = environ if environ is not None else os.environ

    def _raw(self, name: builtins.str) -> builtins.str | None:
        value = self._environ.get(name)
        if value is not None:
            return value
        file_name = self._environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ImproperlyConfigured(f"{name}_FILE points to an unreadable file") from exc
        return None

    def is_set(self, name: builtins.str) -> bool:
        return bool(self._raw(name))

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        value = self._raw(name)
        return default if value is None else value

    def int(self, name: builtins.str, default: int) -> int:
        value = self._raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc

    def float(self, name: builtins.str, default: float) -> float:
        value = self._raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            return float(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be a number, got {value!r}") from exc

    def bool(self, name: builtins.str, default: bool) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")

    def list(
        self,
        name: builtins.str,
        default: builtins.list[builtins.str] | None = None,
        separator: builtins.str = ",",
    ) -> builtins.list[builtins.str]:
        value = self._raw(name)
        if value is None:
            return list(default or [])
        return [item.strip() for item in value.split(separator) if item.strip()]

    def required(self, name: builtins.str) -> builtins.str:
        """A secret without which the process must not start (used by production settings)."""
        value = self._raw(name)
        if not value:
            raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set")
        return value


env = Env()
