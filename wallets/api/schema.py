"""OpenAPI description of our JWT authentication (same scheme as simplejwt's)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class JWTScheme(SimpleJWTScheme):
    target_class = "wallets.api.authentication.JWTAuthentication"
    name = "jwtAuth"
