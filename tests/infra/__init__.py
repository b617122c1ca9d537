"""Tests of the project's own tooling: bootstrap, Makefile, runtests, throwaway servers, k8s manifests."""

from __future__ import annotations

import os
from collections.abc import Mapping


def environ_with(updates: Mapping[str, str | None]) -> dict[str, str]:
    """This process's environment with ``updates`` applied; None removes a variable."""
    env = dict(os.environ)
    for key, value in updates.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env
