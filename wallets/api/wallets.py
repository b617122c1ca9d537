from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import drf_validator
from wallets.api.idempotency import idempotent
from wallets.api.payloads import validated
from wallets.selectors import wallet_get_for_user, wallet_list
from wallets.services import wallet_import
from wallets.validators import validate_mnemonic


class WalletOutput(serializers.Serializer):
    id = serializers.UUIDField()
    label = serializers.CharField()  # type: ignore[assignment]
    address = serializers.CharField()
    created_at = serializers.DateTimeField()


class WalletsApi(ApiView):
    """GET: the caller's wallets. POST: import a wallet from its mnemonic (secrets are never returned)."""

    class WalletImportInput(serializers.Serializer):
        label = serializers.CharField(max_length=100)  # type: ignore[assignment]
        mnemonic = serializers.CharField(
            write_only=True, trim_whitespace=True, validators=[drf_validator(validate_mnemonic)]
        )
        password = serializers.CharField(write_only=True, min_length=8, max_length=128, trim_whitespace=False)

    @extend_schema(responses=WalletOutput(many=True), operation_id="wallets_list")
    def get(self, request: Request) -> Response:
        return Response(WalletOutput(wallet_list(user=request.user), many=True).data)

    @extend_schema(request=WalletImportInput, responses={201: WalletOutput}, operation_id="wallets_import")
    @idempotent
    def post(self, request: Request) -> Response:
        data = validated(self.WalletImportInput, request)
        wallet = wallet_import(owner=request.user, **data)  # type: ignore[arg-type]
        return Response(WalletOutput(wallet).data, status=201)


class WalletDetailApi(ApiView):
    @extend_schema(responses=WalletOutput, operation_id="wallets_detail")
    def get(self, request: Request, wallet_id: str) -> Response:
        wallet = wallet_get_for_user(user=request.user, wallet_id=wallet_id, ip=self.ip(request))
        return Response(WalletOutput(wallet).data)
