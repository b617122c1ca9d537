from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import drf_validator
from wallets.api.idempotency import idempotent
from wallets.api.payloads import validated
from wallets.exceptions import NotFound, PermissionDenied, ValidationFailed
from wallets.models import Wallet, WalletPolicy
from wallets.selectors import wallet_get_for_user, wallet_list
from wallets.services import wallet_import, wallet_policy_update
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


class WalletPolicyOutput(serializers.Serializer):
    wallet_id = serializers.UUIDField()
    allowed_origins = serializers.ListField(child=serializers.CharField())
    allowed_chain_ids = serializers.ListField(child=serializers.IntegerField())
    max_value_wei_per_tx = serializers.CharField(allow_null=True)
    max_value_wei_per_24h = serializers.CharField(allow_null=True)
    allowed_contracts = serializers.ListField(child=serializers.CharField())
    allowed_selectors = serializers.ListField(child=serializers.CharField())
    max_permit_amount = serializers.CharField(allow_null=True)
    max_fee_per_gas_wei = serializers.CharField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        for name in (
            "max_value_wei_per_tx",
            "max_value_wei_per_24h",
            "max_permit_amount",
            "max_fee_per_gas_wei",
        ):
            value = getattr(instance, name)
            data[name] = None if value is None else str(int(value))  # strings: wei overflow JSON numbers
        return data


class WalletPolicyApi(ApiView):
    """A wallet's policy: readable by its owner and staff, changed by staff only (each change is a
    policy_changed security event). PUT sets the rules it names; the others keep their value."""

    def _wallet(self, request: Request, wallet_id: str) -> Wallet:
        if request.user.is_staff:
            wallet = Wallet.objects.filter(id=wallet_id).first()
            if wallet is None:
                raise NotFound("Wallet not found.")
            return wallet
        return wallet_get_for_user(user=request.user, wallet_id=wallet_id, ip=self.ip(request))

    @extend_schema(responses=WalletPolicyOutput, operation_id="wallets_policy_detail")
    def get(self, request: Request, wallet_id: str) -> Response:
        wallet = self._wallet(request, wallet_id)
        policy = WalletPolicy.objects.filter(wallet=wallet).first() or WalletPolicy(wallet=wallet)
        return Response(WalletPolicyOutput(policy).data)

    @extend_schema(request=dict[str, Any], responses=WalletPolicyOutput, operation_id="wallets_policy_update")
    @idempotent
    def put(self, request: Request, wallet_id: str) -> Response:
        if not request.user.is_staff:
            raise PermissionDenied("Only staff change wallet policies")
        wallet = self._wallet(request, wallet_id)
        if not isinstance(request.data, dict):
            raise ValidationFailed("a JSON object of policy rules")
        rules = dict(request.data)
        policy = wallet_policy_update(wallet=wallet, actor=request.user, rules=rules, ip=self.ip(request))
        return Response(WalletPolicyOutput(policy).data)
