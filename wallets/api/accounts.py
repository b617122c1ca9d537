"""A wallet's accounts: listed, the phrase's next one added, one imported from a private key (write-only:
encrypted at rest, never returned). A session uses one of them at a time: switch_account
(POST /sessions/{id}/commands/) changes which."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.idempotency import idempotent
from wallets.api.payloads import validated
from wallets.selectors import wallet_accounts, wallet_get_for_user
from wallets.services import wallet_account_add, wallet_account_import


class AccountOutput(serializers.Serializer):
    address = serializers.CharField()
    kind = serializers.CharField(help_text="derived (the phrase's account at hd_index) or imported")
    hd_index = serializers.IntegerField(allow_null=True, help_text="m/44'/60'/0'/0/<hd_index>")
    label = serializers.CharField()  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class WalletAccountsApi(ApiView):
    """GET: the wallet's accounts, its first one first. POST: add the phrase's next account
    (`{"kind": "derived"}`) or import one from its private key (`{"kind": "imported", "private_key": ...}`;
    the key is stored encrypted and never shown again). MetaMask gets the account when a session switches
    to it."""

    # Like importing a wallet: the default limit (RATELIMIT_DEFAULT); the switch itself is a session command
    # and counts with the transaction group.

    class AccountAddInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["derived", "imported"])
        private_key = serializers.CharField(
            write_only=True, required=False, max_length=66, trim_whitespace=True, help_text="imported only"
        )
        label = serializers.CharField(max_length=100, required=False, default="")  # type: ignore[assignment]

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            if attrs["kind"] == "imported" and not attrs.get("private_key"):
                raise serializers.ValidationError({"private_key": "an imported account needs its key"})
            if attrs["kind"] == "derived" and "private_key" in attrs:
                raise serializers.ValidationError({"private_key": "a derived account takes no key"})
            return attrs

    @extend_schema(responses=AccountOutput(many=True), operation_id="wallet_accounts_list")
    def get(self, request: Request, wallet_id: str) -> Response:
        wallet = wallet_get_for_user(user=request.user, wallet_id=wallet_id, ip=self.ip(request))
        return Response(AccountOutput(wallet_accounts(wallet=wallet), many=True).data)

    @extend_schema(
        request=AccountAddInput,
        responses={201: AccountOutput},
        operation_id="wallet_accounts_add",
        examples=[
            OpenApiExample("The phrase's next account", value={"kind": "derived"}, request_only=True),
            OpenApiExample(
                "Import a private key",
                value={"kind": "imported", "private_key": "0x" + "<64 hex digits>", "label": "hot"},
                request_only=True,
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, wallet_id: str) -> Response:
        data = validated(self.AccountAddInput, request)
        wallet = wallet_get_for_user(user=request.user, wallet_id=wallet_id, ip=self.ip(request))
        if data["kind"] == "derived":
            account = wallet_account_add(wallet=wallet, label=data["label"])
        else:
            account = wallet_account_import(
                wallet=wallet,
                private_key=data["private_key"],
                label=data["label"],
                actor=request.user,
                ip=self.ip(request),
            )
        return Response(AccountOutput(account).data, status=201)
