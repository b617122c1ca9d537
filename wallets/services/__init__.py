"""Business operations (writes), one module per entity, re-exported here so that callers write
``services.session_claim(...)``. API views call the *_request/_create/import
functions; the browser worker calls the *_claim and *_mark_* functions. All arguments are keyword-only.
Status changes are declared in each model's TRANSITIONS and applied by services.transitions only."""

from wallets.services.operations import (
    progress_append,
    signature_mark_failed,
    signature_mark_rejected,
    signature_mark_signed,
    signature_request_claim,
    signature_request_create,
    transaction_claim,
    transaction_mark_failed,
    transaction_mark_mined,
    transaction_mark_rejected,
    transaction_mark_submitted,
    transaction_mark_unknown,
    transaction_record_nonce,
    transaction_request_create,
)
from wallets.services.sessions import (
    session_claim,
    session_close_claim,
    session_lock_ready,
    session_mark_closed,
    session_mark_expired,
    session_mark_failed,
    session_mark_lost,
    session_mark_ready,
    session_request_close,
    session_request_open,
    session_set_metamask_version,
    sessions_mark_lost_for_worker,
)
from wallets.services.wallets import (
    DERIVATION_PATH,
    WalletSecrets,
    wallet_import,
    wallet_keys_rotate,
    wallet_secrets,
)
from wallets.services.workers import browser_worker_heartbeat, browser_worker_remove

__all__ = [
    "DERIVATION_PATH",
    "WalletSecrets",
    "browser_worker_heartbeat",
    "browser_worker_remove",
    "progress_append",
    "session_claim",
    "session_close_claim",
    "session_lock_ready",
    "session_mark_closed",
    "session_mark_expired",
    "session_mark_failed",
    "session_mark_lost",
    "session_mark_ready",
    "session_request_close",
    "session_request_open",
    "session_set_metamask_version",
    "sessions_mark_lost_for_worker",
    "signature_mark_failed",
    "signature_mark_rejected",
    "signature_mark_signed",
    "signature_request_claim",
    "signature_request_create",
    "transaction_claim",
    "transaction_mark_failed",
    "transaction_mark_mined",
    "transaction_mark_rejected",
    "transaction_mark_submitted",
    "transaction_mark_unknown",
    "transaction_record_nonce",
    "transaction_request_create",
    "wallet_import",
    "wallet_keys_rotate",
    "wallet_secrets",
]
