from django.urls import path

from wallets.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
from wallets.api.accounts import WalletAccountsApi
from wallets.api.auth import TokenObtainApi, TokenRefreshApi, TokenVerifyApi
from wallets.api.commands import SessionCommandCreateApi, SessionCommandDetailApi
from wallets.api.flows import SessionFlowCreateApi, SessionFlowDetailApi
from wallets.api.health import HealthApi
from wallets.api.networks import NetworkChangeCreateApi, NetworkChangeDetailApi
from wallets.api.operations import (
    SignatureCreateApi,
    SignatureDetailApi,
    TransactionCreateApi,
    TransactionDetailApi,
)
from wallets.api.sessions import SessionApi, SessionOpenApi
from wallets.api.wallets import WalletDetailApi, WalletPolicyApi, WalletsApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/token/verify/", TokenVerifyApi.as_view(), name="token-verify"),
    path("health", HealthApi.as_view(), name="health"),
    path("wallets/", WalletsApi.as_view(), name="wallets"),
    path("wallets/<uuid:wallet_id>/", WalletDetailApi.as_view(), name="wallet-detail"),
    path("wallets/<uuid:wallet_id>/policy/", WalletPolicyApi.as_view(), name="wallet-policy"),
    path("wallets/<uuid:wallet_id>/accounts/", WalletAccountsApi.as_view(), name="wallet-accounts"),
    path("sessions/", SessionOpenApi.as_view(), name="session-open"),
    path("sessions/<uuid:session_id>/", SessionApi.as_view(), name="session-detail"),
    path("sessions/<uuid:session_id>/signatures/", SignatureCreateApi.as_view(), name="signature-create"),
    path(
        "sessions/<uuid:session_id>/signatures/<uuid:signature_id>/",
        SignatureDetailApi.as_view(),
        name="signature-detail",
    ),
    path(
        "sessions/<uuid:session_id>/transactions/", TransactionCreateApi.as_view(), name="transaction-create"
    ),
    path(
        "sessions/<uuid:session_id>/transactions/<uuid:transaction_id>/",
        TransactionDetailApi.as_view(),
        name="transaction-detail",
    ),
    path(
        "sessions/<uuid:session_id>/network-changes/",
        NetworkChangeCreateApi.as_view(),
        name="network-change-create",
    ),
    path(
        "sessions/<uuid:session_id>/network-changes/<uuid:network_change_id>/",
        NetworkChangeDetailApi.as_view(),
        name="network-change-detail",
    ),
    path(
        "sessions/<uuid:session_id>/flows/",
        SessionFlowCreateApi.as_view(),
        name="session-flow-create",
    ),
    path(
        "sessions/<uuid:session_id>/flows/<uuid:flow_id>/",
        SessionFlowDetailApi.as_view(),
        name="session-flow-detail",
    ),
    path(
        "sessions/<uuid:session_id>/commands/",
        SessionCommandCreateApi.as_view(),
        name="session-command-create",
    ),
    path(
        "sessions/<uuid:session_id>/commands/<uuid:command_id>/",
        SessionCommandDetailApi.as_view(),
        name="session-command-detail",
    ),
]
