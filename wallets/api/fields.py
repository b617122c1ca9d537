"""Serializer fields wrapping wallets/validators.py so the API and the services share one set of rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from wallets.exceptions import ValidationFailed


def drf_validator(rule: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        try:
            return rule(value)
        except ValidationFailed as exc:
            raise serializers.ValidationError(exc.message) from None

    return run


class RuleField(serializers.Field):
    """Accepts the raw JSON value and returns what `rule` returns (the normalised value)."""

    def __init__(self, rule: Callable[[Any], Any], **kwargs: Any) -> None:
        self.rule = drf_validator(rule)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        return self.rule(data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(OpenApiTypes.OBJECT)
class JsonObjectRuleField(RuleField):
    """A JSON object checked by `rule` (network, typed_data)."""


@extend_schema_field(OpenApiTypes.STR)
class TextRuleField(RuleField):
    """A string checked by `rule` (message)."""


@extend_schema_field(
    {"oneOf": [{"type": "string", "pattern": "^[0-9]+$"}, {"type": "integer", "minimum": 0}]}
)
class UintRuleField(RuleField):
    """A non-negative integer given as a JSON number or a decimal string (value_wei)."""
