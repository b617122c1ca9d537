"""The Celery application; all of its configuration lives in Django settings under the CELERY_ namespace."""

from __future__ import annotations

import os

from celery import Celery

from metamask_service import metrics_server

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metamask_service.settings.base")

app = Celery("metamask_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A `celery worker` serves its pool children's metrics on one port (multiprocess mode only).
metrics_server.install_celery_hooks()
