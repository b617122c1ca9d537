"""Serializer fields wrapping wallets/validators.py so the API and the services share one set of rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
