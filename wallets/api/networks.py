"""Network changes on a ready session: add a network to MetaMask if it lacks it and switch the dApp to it."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import JsonObjectRuleField
from wallets.api.idempotency import idempotent
from wallets.api.payloads import AcceptedOutput, accepted, validated
from wallets.selectors import network_change_get_for_user
from wallets.services import network_change_create
from wallets.validators import validate_network


class NetworkChangeOutput(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    account = serializers.CharField(help_text="the session's account when it was asked: the one it uses")
    network = serializers.JSONField()
    status = serializers.CharField(help_text="pending, running, switched, rejected, blocked or failed")
    chain_id = serializers.IntegerField(
        allow_null=True, help_text="chain MetaMask has selected for the dApp when the change ended"
    )
    error = serializers.CharField()
    error_kind = serializers.CharField()
    progress = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class NetworkChangeCreateApi(ApiView):
    """Once the change is `switched`, the session is on that network: its chain id and RPC are the ones later
    transactions are checked against. MetaMask's add-network and switch screens are checked against the
    request; anything else is refused and recorded."""

    ratelimit_groups = {"POST": "transaction_operations"}

    class NetworkChangeInput(serializers.Serializer):
        network = JsonObjectRuleField(validate_network)

    @extend_schema(
        request=NetworkChangeInput,
        responses={202: AcceptedOutput},
        operation_id="network_changes_create",
        examples=[
            OpenApiExample(
                "A local chain",
                value={
                    "network": {
                        "chain_id": 31390,
                        "rpc_url": "http://127.0.0.1:8546",
                        "name": "Other Anvil",
                        "currency_symbol": "ETH",
                    }
                },
                request_only=True,
            )
        ],
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        data = validated(self.NetworkChangeInput, request)
        row = network_change_create(user=request.user, session_id=session_id, ip=self.ip(request), **data)
        return accepted(row)


class NetworkChangeDetailApi(ApiView):
    @extend_schema(responses=NetworkChangeOutput, operation_id="network_changes_detail")
    def get(self, request: Request, session_id: str, network_change_id: str) -> Response:
        row = network_change_get_for_user(
            user=request.user,
            session_id=session_id,
            network_change_id=network_change_id,
            ip=self.ip(request),
        )
        return Response(NetworkChangeOutput(row).data)
