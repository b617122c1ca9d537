"""What the views share around their own serializers: validating a request body, and the 202 answer of an
operation that a browser worker carries out later (poll its detail endpoint)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response


class AcceptedOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    task_id = serializers.CharField()


def validated(input_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    """The request body validated by `input_class`; invalid input raises (DRF answers 400)."""
    serializer = input_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def accepted(row: Any) -> Response:
    return Response(AcceptedOutput(row).data, status=202)
