"""``Idempotency-Key`` on the endpoints that act (POST and DELETE): a retried request does no new work.

- Same key, same request (method, path, body): the first response is returned again, with the header
  ``Idempotent-Replayed: true``; nothing is created or queued a second time.
- Same key, another request: 409 ``idempotency_key_reused``.
- A request with that key still running: the duplicate waits for it (IDEMPOTENCY_WAIT_SECONDS) and replays
  its response, else 409 ``idempotency_key_in_progress``.
- Only successful (2xx) responses are kept: a refused request (4xx) or a crash frees the key, so fixing the
  input and retrying with it works. Keys are per caller and kept IDEMPOTENCY_KEY_TTL_SECONDS (24 h).

The key row is inserted and committed before the request runs: PostgreSQL's unique index makes concurrent
duplicates wait for, then see, the first one's row, so exactly one of them does the work.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.exceptions import Conflict, ValidationFailed
from wallets.models import IdempotencyKey

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces


class IdempotencyKeyReused(Conflict):
    default_message = "This Idempotency-Key was used for a different request"
    code = "idempotency_key_reused"


class IdempotencyKeyInProgress(Conflict):
    default_message = "A request with this Idempotency-Key is still running; retry shortly"
    code = "idempotency_key_in_progress"


def fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    message = f"{request.method} {request.path}\n{body}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """Decorates an APIView method (post/delete) with the Idempotency-Key contract above."""

    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(HEADER)
        if key is None:
            return view(self, request, *args, **kwargs)
        if not KEY_RE.fullmatch(key):
            raise ValidationFailed(f"{HEADER} must be 1-255 printable ASCII characters without spaces")
        return _run(request, key, lambda: view(self, request, *args, **kwargs))

    return wrapper


def _run(request: Request, key: str, call: Callable[[], Response]) -> Response:
    print_ = fingerprint(request)
    deadline = time.monotonic() + float(settings.IDEMPOTENCY_WAIT_SECONDS)
    while True:
        row, created = _claim(request, key, print_)
        if created and row is not None:
            return _first(row, call)
        if row is None:
            continue  # the first request failed and freed the key: claim it again
        if row.fingerprint != print_:
            raise IdempotencyKeyReused()
        if row.response_status is not None:
            return _replay(row)
        if time.monotonic() > deadline:
            raise IdempotencyKeyInProgress()
        time.sleep(0.05)


def _claim(request: Request, key: str, print_: str) -> tuple[IdempotencyKey | None, bool]:
    user: Any = request.user  # authenticated: the endpoints that act require it
    cutoff = timezone.now() - timedelta(seconds=int(settings.IDEMPOTENCY_KEY_TTL_SECONDS))
    IdempotencyKey.objects.filter(user=user, created_at__lt=cutoff).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, key=key, fingerprint=print_, method=request.method or "", path=request.path[:300]
            )
        return row, True
    except IntegrityError:
        return IdempotencyKey.objects.filter(user=user, key=key).first(), False


def _first(row: IdempotencyKey, call: Callable[[], Response]) -> Response:
    try:
        response = call()
    except BaseException:
        row.delete()
        raise
    if 200 <= response.status_code < 300:
        IdempotencyKey.objects.filter(pk=row.pk).update(
            response_status=response.status_code, response_body=response.data, completed_at=timezone.now()
        )
    else:
        row.delete()
    return response


def _replay(row: IdempotencyKey) -> Response:
    return Response(row.response_body, status=row.response_status, headers={"Idempotent-Replayed": "true"})


def idempotency_keys_purge() -> int:
    """Deletes keys older than IDEMPOTENCY_KEY_TTL_SECONDS (the sessions_cleanup beat calls it)."""
    cutoff = timezone.now() - timedelta(seconds=int(settings.IDEMPOTENCY_KEY_TTL_SECONDS))
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return int(deleted)
