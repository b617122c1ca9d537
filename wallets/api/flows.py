"""dApp flows on a ready session: steps on its dApp page and the MetaMask confirmations they may raise.

The serializers below describe the body for the schema and check its types; what is stored is what
``wallets.flows.clean_flow`` makes of the body as sent (no field is trimmed or coerced on the way).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from wallets.api.base import ApiView
from wallets.api.commands import SessionCommandOutput
from wallets.api.idempotency import idempotent
from wallets.api.payloads import AcceptedOutput, accepted, validated
from wallets.commands import Flow
from wallets.exceptions import ValidationFailed
from wallets.flows import EXPECTATIONS, MAX_STEPS, MAX_TIME_LIMIT, clean_flow
from wallets.flows.spec import MAX_STEP_TIMEOUT, STEP_FIELDS
from wallets.selectors import session_command_get_for_user
from wallets.services import session_command_create


def _text(**kw: Any) -> serializers.CharField:
    return serializers.CharField(required=False, trim_whitespace=False, allow_blank=True, **kw)


class FlowStepInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(STEP_FIELDS))
    selector = _text(help_text="CSS selector (click, fill, select, wait, read)")
    text = _text(help_text="visible text: click, the element's own; wait, anywhere (or in selector)")
    value = _text(help_text="fill: the text typed; select: the option's value or visible text")
    path = _text(help_text="navigate: a path, query or fragment on the session's dApp origin")
    name = _text(help_text="read: the key of the text in the result's reads")
    timeout_seconds = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_STEP_TIMEOUT)


class FlowExpectationInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(EXPECTATIONS))
    approve = serializers.BooleanField(required=False, help_text="false: reject it (default true)")
    message = _text(help_text="personal_sign: the exact message")
    primary_type = _text(help_text="typed_data: the primary type shown")
    verifying_contract = _text(help_text="typed_data: the domain's verifying contract")
    typed_data = serializers.JSONField(required=False, help_text="typed_data: the whole typed data")
    to = _text(help_text="transaction: recipient or contract (absent: a contract creation)")
    selector = _text(help_text="transaction: the method selector (absent: no calldata)")
    max_value_wei = _text(help_text="transaction: most native value (default 0)")
    spender = _text(help_text="transaction (approve, increaseAllowance): the spender")
    max_amount = _text(help_text="transaction (approve, increaseAllowance): the most the dApp may ask")
    amount = _text(
        help_text="transaction (approve): exactly this cap, in base units; MetaMask's spending cap is "
        "edited to it whatever the dApp proposes (excludes max_amount)"
    )
    max_fee_wei = _text(help_text="transaction: the most it may pay for gas")
    chain_id = serializers.IntegerField(required=False, help_text="network")
    rpc_url = _text(help_text="network")
    name = _text(help_text="network")
    currency_symbol = _text(help_text="network")
    symbol = _text(help_text="token: the ERC-20's symbol")


class FlowInput(serializers.Serializer):
    steps = FlowStepInput(many=True, help_text=f"1 to {MAX_STEPS} steps, run in order")
    expect = FlowExpectationInput(many=True, required=False)
    time_limit_seconds = serializers.FloatField(required=False, min_value=0.1, max_value=MAX_TIME_LIMIT)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        raw = self.initial_data
        if not isinstance(raw, dict):
            raise serializers.ValidationError("the body must be an object")
        try:
            return clean_flow(dict(raw))
        except ValidationFailed as exc:
            raise serializers.ValidationError(exc.message) from None


_EXAMPLE = {
    "steps": [
        {"action": "click", "selector": "#personalSign"},
        {"action": "read", "selector": "#personalSignResult", "name": "signature"},
    ],
    "expect": [{"kind": "personal_sign", "message": "Example `personal_sign` message"}],
    "time_limit_seconds": 60,
}
_APPROVE_STEPS = [{"action": "click", "text": "Approve Tokens"}]
_APPROVE_TOKENS = {  # the test dApp's Approve Tokens, on the token its Create Token deployed
    "kind": "transaction",
    "to": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    "selector": "0x095ea7b3",
    "spender": "0x9bc5baF874d2DA8D216aE9f137804184EE5AfEF4",
}
_APPROVE_EXAMPLE = {"steps": _APPROVE_STEPS, "expect": [{**_APPROVE_TOKENS, "max_amount": "70000"}]}
_EXACT_CAP_EXAMPLE = {"steps": _APPROVE_STEPS, "expect": [{**_APPROVE_TOKENS, "amount": "12345"}]}


class SessionFlowCreateApi(ApiView):
    __doc__ = (
        "Runs steps on the session's dApp page, in order with the session's other operations. Every "
        "MetaMask confirmation they raise is approved only when one expectation accepts what MetaMask "
        "shows and the wallet's policy allows it; any other is rejected and recorded as a security event."
    )

    ratelimit_groups = {"POST": "transaction_operations"}

    @extend_schema(
        request=FlowInput,
        responses={202: AcceptedOutput},
        operation_id="session_flows_create",
        examples=[
            OpenApiExample("Personal Sign on the test dApp", value=_EXAMPLE, request_only=True),
            OpenApiExample("Approve Tokens with a cap", value=_APPROVE_EXAMPLE, request_only=True),
            OpenApiExample(
                "Approve Tokens with an exact cap (MetaMask's spending cap edited to it)",
                value=_EXACT_CAP_EXAMPLE,
                request_only=True,
            ),
        ],
    )
    @idempotent
    def post(self, request: Request, session_id: str) -> Response:
        params = validated(FlowInput, request)
        row = session_command_create(
            user=request.user, session_id=session_id, kind=Flow.kind, params=params, ip=self.ip(request)
        )
        return accepted(row)


class SessionFlowDetailApi(ApiView):
    """A flow: its status and, once it ended (done or failed), its result: ok, error, steps (ok, seconds,
    text of a read), reads, confirmations (kind, decision, the expectation it met, what MetaMask showed,
    the signature proven to be the wallet's, the transaction on chain with its receipt), unmet
    expectations, the transactions from the account on chain since it began, and MetaMask's chain."""

    @extend_schema(responses=SessionCommandOutput, operation_id="session_flows_detail")
    def get(self, request: Request, session_id: str, flow_id: str) -> Response:
        row = session_command_get_for_user(
            user=request.user, session_id=session_id, command_id=flow_id, ip=self.ip(request), kind=Flow.kind
        )
        return Response(SessionCommandOutput(row).data)
