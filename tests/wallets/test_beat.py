"""The beat schedule really sends the cleanup task: a real `celery beat` process on the embedded broker."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

from tests.support.polling import until

REPO = Path(__file__).resolve().parents[2]


def test_beat_sends_sessions_cleanup_on_schedule(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
    }
    # Embedded mode: the filesystem broker keeps each published message as a file we can read back.
    env.update(
        DJANGO_SETTINGS_MODULE="metamask_service.settings.base",
        VAR_DIR=str(tmp_path / "var"),
        SESSIONS_CLEANUP_INTERVAL_SECONDS="1",
    )
    celery = Path(sys.executable).with_name("celery")
    beat = subprocess.Popen(
        [str(celery), "-A", "celery_app", "beat", "-s", str(tmp_path / "schedule"), "--loglevel", "INFO"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    queue = tmp_path / "var" / "broker" / "queue"
    sent: list[Path] = []

    def two_sent() -> bool:
        sent[:] = [m for m in queue.glob("*.browser.msg") if "wallets.sessions_cleanup" in m.read_text()]
        return len(sent) >= 2

    try:
        with contextlib.suppress(AssertionError):  # the assertion below, with what beat printed, says why
            until("two cleanup messages", two_sent, 30)
    finally:
        beat.terminate()
        output = beat.communicate(timeout=20)[0].decode(errors="replace")
    assert len(sent) >= 2, output[-2000:]
