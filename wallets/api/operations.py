"""Signature requests and transactions on a ready session (the browser worker executes them)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.fields import JsonObjectRuleField, TextRuleField, UintRuleField, drf_validator
from wallets.api.idempotency import idempotent
from wallets.api.payloads import AcceptedOutput, accepted, validated
from wallets.models import SignatureRequest
from wallets.selectors import signature_request_get_for_user, transaction_get_for_user
from wallets.services import signature_request_create, transaction_request_create
from wallets.validators import (
    validate_address,
    validate_hex_data,
    validate_max_fee_per_gas_wei,
    validate_max_priority_fee_per_gas_wei,
    validate_message,
    validate_sign_in,
    validate_typed_data,
    validate_value_wei,
)

MAX_GAS = 2**63 - 1


class SignatureOutput(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    account = serializers.CharField(help_text="the session's account when it was asked: the one it uses")
    method = serializers.CharField()
    message = serializers.SerializerMethodField(
        help_text="the text signed: personal_sign's message, or the EIP-4361 message the service built for "
        "sign_in (send it with the signature to the dApp); null for typed data"
    )
    status = serializers.CharField()
    signature = serializers.CharField()
    error = serializers.CharField()
    error_kind = serializers.CharField()
    progress = serializers.JSONField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_message(self, obj: Any) -> str | None:
        return obj.payload if isinstance(obj.payload, str) else None


class TransactionOutput(serializers.Serializer):
    id = serializers.UUIDField()
    session_id = serializers.UUIDField()
    account = serializers.CharField(help_text="the session's account when it was asked: the one it uses")
    network = serializers.JSONField(help_text="the session's network when the transaction was accepted")
    to = serializers.CharField()
    value_wei = serializers.SerializerMethodField()
    data = serializers.CharField()  # type: ignore[assignment]
    gas = serializers.IntegerField(allow_null=True)
    max_fee_per_gas_wei = serializers.SerializerMethodField()
    max_priority_fee_per_gas_wei = serializers.SerializerMethodField()
    status = serializers.CharField()
    tx_hash = serializers.CharField()
    block_number = serializers.IntegerField(allow_null=True)
    receipt_status = serializers.IntegerField(allow_null=True)
    gas_used = serializers.IntegerField(allow_null=True)
    error = serializers.CharField()
    error_kind = serializers.CharField()
    progress = serializers.JSONField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_value_wei(self, obj: Any) -> str:
        return str(int(obj.value_wei))  # a string: JSON numbers lose precision above 2**53

    def get_max_fee_per_gas_wei(self, obj: Any) -> str | None:
        return None if obj.max_fee_per_gas_wei is None else str(int(obj.max_fee_per_gas_wei))

    def get_max_priority_fee_per_gas_wei(self, obj: Any) -> str | None:
        value = obj.max_priority_fee_per_gas_wei
        return None if value is None else str(int(value))


class SignatureCreateApi(ApiView):
    ratelimit_groups = {"POST": "transaction_operations"}

    class SignatureInput(serializers.Serializer):
        method = serializers.ChoiceField(choices=SignatureRequest.Method.choices)
        message = TextRuleField(validate_message, required=False)
        typed_data = JsonObjectRuleField(validate_typed_data, required=False)

        sign_in = JsonObjectRuleField(validate_sign_in, required=False)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            given = {key for key in ("message", "typed_data", "sign_in") if key in attrs}
            if attrs["method"] == SignatureRequest.Method.SIGN_IN:
                if given != {"sign_in"}:
                    raise serializers.ValidationError(
                        {"sign_in": "sign_in takes `sign_in` (and no message or typed_data)"}
                    )
                return {"method": attrs["method"], "payload": attrs["sign_in"]}
            if "sign_in" in given:
                raise serializers.ValidationError({"sign_in": "only method sign_in takes `sign_in`"})
            if attrs["method"] == SignatureRequest.Method.PERSONAL_SIGN:
                if "message" not in attrs or "typed_data" in attrs:
                    raise serializers.ValidationError(
                        {"message": "personal_sign takes `message` (and no typed_data)"}
                    )
                return {"method": attrs["method"], "payload": attrs["message"]}
            if "typed_data" not in attrs or "message" in attrs:
                raise serializers.ValidationError(
                    {"typed_data": "eth_signTypedData_v4 takes `typed_data` (and no message)"}
                )
            return {"method": attrs["method"], "payload": attrs["typed_data"]}

    @extend_schema(
        request=SignatureInput,
        responses={202: AcceptedOutput},
        operation_id="signatures_create",
        examples=[
            OpenApiExample(
                "personal_sign",
                value={"method": "personal_sign", "message": "Hello from the trading system"},
                request_only=True,
            ),
            OpenApiExample(
                "Sign-In with Ethereum",
                value={
                    "method": "sign_in",
                    "sign_in": {"nonce": "k3Jd92LmQp", "statement": "Sign in to the exchange."},
                },
                request_only=True,
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        data = validated(self.SignatureInput, request)
        row = signature_request_create(user=request.user, session_id=session_id, ip=self.ip(request), **data)
        return accepted(row)


class SignatureDetailApi(ApiView):
    @extend_schema(responses=SignatureOutput, operation_id="signatures_detail")
    def get(self, request: Request, session_id: str, signature_id: str) -> Response:
        row = signature_request_get_for_user(
            user=request.user, session_id=session_id, signature_id=signature_id, ip=self.ip(request)
        )
        return Response(SignatureOutput(row).data)


class TransactionCreateApi(ApiView):
    ratelimit_groups = {"POST": "transaction_operations"}

    class TransactionInput(serializers.Serializer):
        to = serializers.CharField(max_length=42, validators=[drf_validator(validate_address)])
        value_wei = UintRuleField(validate_value_wei)
        data = serializers.CharField(  # type: ignore[assignment]
            required=False, allow_blank=True, default="", max_length=262_144
        )
        gas = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_GAS)
        # EIP-1559 caps MetaMask is asked to use; the mined transaction must carry exactly these. A wallet
        # whose policy caps the fee per gas needs max_fee_per_gas_wei (else the row ends blocked).
        max_fee_per_gas_wei = UintRuleField(validate_max_fee_per_gas_wei, required=False)
        max_priority_fee_per_gas_wei = UintRuleField(validate_max_priority_fee_per_gas_wei, required=False)

        def validate_to(self, value: str) -> str:
            return validate_address(value)

        def validate_data(self, value: str) -> str:
            return drf_validator(validate_hex_data)(value) if value else ""

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            fee, tip = attrs.get("max_fee_per_gas_wei"), attrs.get("max_priority_fee_per_gas_wei")
            if fee is not None and tip is not None and tip > fee:
                raise serializers.ValidationError(
                    {"max_priority_fee_per_gas_wei": "cannot exceed max_fee_per_gas_wei"}
                )
            return attrs

    @extend_schema(
        request=TransactionInput, responses={202: AcceptedOutput}, operation_id="transactions_create"
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        data = validated(self.TransactionInput, request)
        row = transaction_request_create(
            user=request.user, session_id=session_id, ip=self.ip(request), **data
        )
        return accepted(row)


class TransactionDetailApi(ApiView):
    @extend_schema(responses=TransactionOutput, operation_id="transactions_detail")
    def get(self, request: Request, session_id: str, transaction_id: str) -> Response:
        row = transaction_get_for_user(
            user=request.user, session_id=session_id, transaction_id=transaction_id, ip=self.ip(request)
        )
        return Response(TransactionOutput(row).data)
