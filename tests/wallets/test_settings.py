"""Settings modules checked in fresh interpreters, as a deployment would load them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "JWT_SIGNING_KEY": "y" * 50,
    "FIELD_ENCRYPTION_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
}
# Not secrets of the service's own, but production must not start without them either (no connection is
# made by these probes).
SERVERS = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/unused",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}
REQUIRED = {**SECRETS, **SERVERS}


def run(code, *, settings, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in REQUIRED and not k.endswith("_FILE")}
    env.update({"DJANGO_SETTINGS_MODULE": settings, "VAR_DIR": str(tmp_path / "var"), **env_extra})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


PROBE = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_each_secret_or_server(tmp_path, missing):
    env = {k: v for k, v in REQUIRED.items() if k != missing}
    result = run(PROBE, settings="metamask_service.settings.production", env_extra=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
    assert not (tmp_path / "var" / "secrets").exists()  # no development fallback was created


def test_production_rejects_a_malformed_fernet_key_without_printing_it(tmp_path):
    env = {**REQUIRED, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key-but-secret"}
    result = run(PROBE, settings="metamask_service.settings.production", env_extra=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "is not a Fernet key" in result.stderr
    assert "not-a-fernet-key-but-secret" not in result.stderr


def test_production_starts_with_secrets_from_files(tmp_path):
    env = dict(SERVERS)
    for name, value in SECRETS.items():
        path = tmp_path / name
        path.write_text(value + "\n")
        env[f"{name}_FILE"] = str(path)
    code = (
        "import django; django.setup(); from django.conf import settings; import json; "
        "print(json.dumps([settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
        "len(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY == 'x' * 50]))"
    )
    result = run(code, settings="metamask_service.settings.production", env_extra=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, True, True, 2, True]


def test_embedded_mode_uses_sqlite_filesystem_broker_and_passes_checks(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; call_command('check', fail_level='ERROR'); "
        "print(json.dumps([settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, "
        "settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE]))"
    )
    env = {"DATABASE_URL": "", "REDIS_URL": ""}
    result = run(code, settings="metamask_service.settings.base", env_extra=env, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "django_prometheus.db.backends.sqlite3",
        "filesystem://",
        "metamask_service.cache.AtomicDatabaseCache",
        "django.contrib.sessions.backends.db",
    ]
    assert (tmp_path / "var" / "broker" / "queue").is_dir()
    # ratelimit's check only warns that the backend is not on its list; errors (E003) would fail the run
    assert "django_ratelimit.E" not in result.stderr


def test_redis_mode_settings(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    assert settings.CELERY_BROKER_URL == settings.REDIS_URL
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT
    assert settings.CELERY_TASK_TIME_LIMIT > settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert settings.CELERY_BEAT_SCHEDULE["sessions-cleanup"]["task"] == "wallets.sessions_cleanup"
    db = settings.DATABASES["default"]
    assert db["CONN_HEALTH_CHECKS"] is True
    assert db["CONN_MAX_AGE"] > 0


FS_PRODUCER = """
import sys
from celery import Celery
folder = sys.argv[1]
app = Celery("producer", broker="filesystem://", broker_transport_options={
    "data_folder_in": folder, "data_folder_out": folder, "processed_folder": folder + "-done",
    "control_folder": folder + "-control"})
app.conf.task_default_queue = "browser"
for queue, task_id in (("browser", "t-shared"), ("browser.w1@host", "t-w1"), ("browser.w2@host", "t-w2")):
    app.send_task("wallets.session_open", args=["id-" + task_id], task_id=task_id, queue=queue)
"""


def test_filesystem_broker_delivers_to_named_queues_across_processes(tmp_path):
    from kombu import Connection

    folder = tmp_path / "queue"
    folder.mkdir()
    (tmp_path / "queue-done").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", FS_PRODUCER, str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # kombu's default control folder is ./control, i.e. wherever pytest was started.
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": f"{folder}-control",
    }
    received = {}
    with Connection("filesystem://", transport_options=options) as conn:
        for queue in ("browser.w2@host", "browser", "browser.w1@host"):
            with conn.SimpleQueue(queue) as simple:  # type: ignore[attr-defined]
                message = simple.get(timeout=2)
                received[queue] = message.headers["id"]
                message.ack()
                assert simple.qsize() == 0  # each queue got exactly its own message
    assert received == {"browser": "t-shared", "browser.w1@host": "t-w1", "browser.w2@host": "t-w2"}
