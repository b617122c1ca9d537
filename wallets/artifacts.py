"""Failure artifacts (screenshot, DOM dump) written by the worker under ARTIFACTS_DIR, served to staff."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


class ArtifactNotFound(Exception):
    pass


def artifact_resolve(*, stored_path: str, file_name: str = "") -> Path:
    """Resolves a row's artifact_path (absolute or relative to ARTIFACTS_DIR), confined to ARTIFACTS_DIR.

    Symlinks and ``..`` are resolved first, so nothing outside the directory can be reached.
    """
    if not stored_path:
        raise ArtifactNotFound("no artifact")
    root = Path(settings.ARTIFACTS_DIR).resolve()
    candidate = Path(stored_path)
    if not candidate.is_absolute():
        candidate = root / candidate
    if file_name:
        candidate = candidate / file_name
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root) or not resolved.exists():
        raise ArtifactNotFound("artifact not found")
    return resolved


CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".json": "application/json",
}


def artifact_content_type(path: Path) -> str:
    # Captured DOM is shown as text: rendered as HTML it would run the dApp's markup on the admin origin.
    return CONTENT_TYPES.get(path.suffix.lower(), "text/plain; charset=utf-8")
