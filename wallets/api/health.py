from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from wallets.health import health_report_cached


class HealthApi(APIView):
    """No auth and no rate limit: Kubernetes probes call it several times a minute from one address."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        responses={200: OpenApiResponse(description="healthy"), 503: OpenApiResponse(description="unhealthy")}
    )
    def get(self, request: Request) -> Response:
        healthy, body = health_report_cached()
        return Response(body, status=200 if healthy else 503)
