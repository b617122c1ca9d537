from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import JsonObjectRuleField, drf_validator
from wallets.api.idempotency import idempotent
from wallets.api.payloads import AcceptedOutput, accepted, validated
from wallets.models import WalletSession
from wallets.selectors import session_get_for_user
from wallets.services import session_request_close, session_request_open
from wallets.validators import validate_dapp_url, validate_network


class SessionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    wallet_id = serializers.UUIDField()
    status = serializers.CharField()
    dapp_url = serializers.CharField()
    dapp_origin = serializers.CharField()
    network = serializers.JSONField()
    accounts = serializers.JSONField(help_text="what the dApp was given, its first one the session's account")
    account = serializers.CharField(
        source="active_account", help_text="the account every action uses (switch_account changes it)"
    )
    chain_id = serializers.IntegerField(allow_null=True)
    worker = serializers.CharField()
    metamask_version = serializers.CharField(
        read_only=True, help_text="manifest version of the MetaMask build the session's browser loaded"
    )
    browser_rss_bytes = serializers.IntegerField(
        allow_null=True, help_text="RSS of the session's Chromium, as its worker last measured it"
    )
    browser_rss_at = serializers.DateTimeField(allow_null=True)
    task_id = serializers.CharField()
    progress = serializers.JSONField()
    error = serializers.CharField()
    error_kind = serializers.CharField()
    created_at = serializers.DateTimeField()
    opened_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class SessionOpenApi(ApiView):
    """Opens a browser with the wallet on the dApp; poll GET /sessions/{id}/ until status is ready."""

    ratelimit_groups = {"POST": "wallet_connect"}

    class SessionOpenInput(serializers.Serializer):
        wallet_id = serializers.UUIDField()
        dapp_url = serializers.CharField(max_length=2000, validators=[drf_validator(validate_dapp_url)])
        network = JsonObjectRuleField(validate_network, required=False, allow_null=True)

    @extend_schema(request=SessionOpenInput, responses={202: AcceptedOutput}, operation_id="sessions_open")
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(self.SessionOpenInput, request)
        return accepted(session_request_open(user=request.user, ip=self.ip(request), **data))


class SessionApi(ApiView):
    """GET: state of a session (touching it extends its TTL). DELETE: close it (the browser is stopped)."""

    @extend_schema(responses=SessionOutput, operation_id="sessions_detail")
    def get(self, request: Request, session_id: str) -> Response:
        session = session_get_for_user(user=request.user, session_id=session_id, ip=self.ip(request))
        if session.status in WalletSession.ACTIVE_STATUSES and not session.is_expired:
            session.touch()
        return Response(SessionOutput(session).data)

    @extend_schema(responses={202: AcceptedOutput}, operation_id="sessions_close")
    @idempotent
    def delete(self, request: Request, session_id: str) -> Response:
        return accepted(session_request_close(user=request.user, session_id=session_id, ip=self.ip(request)))
