"""Session commands on a ready session: wallet actions other than signing and sending (lock, unlock,
watch_asset)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import JsonObjectRuleField
from wallets.api.idempotency import idempotent
from wallets.api.payloads import AcceptedOutput, accepted, validated
from wallets.commands import COMMANDS, PLAIN_COMMANDS, command_for
from wallets.exceptions import ValidationFailed
from wallets.selectors import session_command_get_for_user
from wallets.services import session_command_create


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("params must be an object")
    return value


class SessionCommandOutput(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    account = serializers.CharField(help_text="the session's account when it was asked: the one it uses")
    kind = serializers.CharField()
    params = serializers.JSONField()
    status = serializers.CharField(help_text="pending, running, done, rejected or failed")
    result = serializers.JSONField(
        help_text="once done: lock and unlock give locked (now) and was_locked (before the command); "
        "watch_asset gives added, address and symbol; switch_account gives account, kind and accounts (the "
        "dApp's)"
    )
    error = serializers.CharField()
    error_kind = serializers.CharField()
    progress = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


_KINDS = "; ".join(f"`{kind}`: {COMMANDS[kind].summary}" for kind in sorted(PLAIN_COMMANDS))


class SessionCommandCreateApi(ApiView):
    __doc__ = f"Commands run in order with the session's other operations. {_KINDS}"

    ratelimit_groups = {"POST": "transaction_operations"}

    class SessionCommandInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=sorted(PLAIN_COMMANDS))
        params = JsonObjectRuleField(_object, required=False, default=dict)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            try:
                params = command_for(attrs["kind"]).clean(attrs["params"])
            except ValidationFailed as exc:
                raise serializers.ValidationError({"params": exc.message}) from None
            return {**attrs, "params": params}

    @extend_schema(
        request=SessionCommandInput,
        responses={202: AcceptedOutput},
        operation_id="session_commands_create",
        examples=[
            OpenApiExample("Lock MetaMask", value={"kind": "lock"}, request_only=True),
            OpenApiExample("Unlock MetaMask", value={"kind": "unlock"}, request_only=True),
            OpenApiExample(
                "Use another of the wallet's accounts",
                value={
                    "kind": "switch_account",
                    "params": {"address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
                },
                request_only=True,
            ),
            OpenApiExample(
                "Add an ERC-20 to MetaMask",
                value={
                    "kind": "watch_asset",
                    "params": {
                        "address": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                        "symbol": "PRB",
                        "decimals": 18,
                    },
                },
                request_only=True,
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        data = validated(self.SessionCommandInput, request)
        row = session_command_create(user=request.user, session_id=session_id, ip=self.ip(request), **data)
        return accepted(row)


class SessionCommandDetailApi(ApiView):
    @extend_schema(responses=SessionCommandOutput, operation_id="session_commands_detail")
    def get(self, request: Request, session_id: str, command_id: str) -> Response:
        row = session_command_get_for_user(
            user=request.user, session_id=session_id, command_id=command_id, ip=self.ip(request)
        )
        return Response(SessionCommandOutput(row).data)
