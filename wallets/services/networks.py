"""Network changes: asked by the API on a ready session, claimed and finished by the browser worker. A switch
that MetaMask made moves the session to the new network in the same database transaction, so no later
request is checked against the old one."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from wallets import dispatch
from wallets.models import NetworkChange, WalletSession
from wallets.selectors import session_get_for_user
from wallets.services.operations import operation_claim, operation_end
from wallets.services.sessions import session_lock_ready
from wallets.services.transitions import transition_one

UserLike = AbstractBaseUser | AnonymousUser
Status = NetworkChange.Status


# --- API side -------------------------------------------------------------------------------------------
def network_change_create(
    *, user: UserLike, session_id: Any, network: dict[str, Any], ip: str | None = None
) -> NetworkChange:
    owned = session_get_for_user(user=user, session_id=session_id, ip=ip)
    with transaction.atomic():
        session = session_lock_ready(session=owned)
        row = NetworkChange.objects.create(
            session=session, network=network, account=session.active_account, task_id=dispatch.new_task_id()
        )
        dispatch.network_change_execute_enqueue(network_change=row, created_with_id=True)
    return row


# --- worker side ----------------------------------------------------------------------------------------
def network_change_claim(*, network_change_id: Any) -> bool:
    """A redelivered task finds the row no longer pending and does nothing."""
    return operation_claim(NetworkChange, row_id=network_change_id)


def network_change_mark_switched(*, network_change_id: Any, chain_id: int) -> bool:
    """MetaMask has the requested network selected for the dApp: the row ends switched and its session is on
    that network from now on (its RPC checks later transactions)."""
    with transaction.atomic():
        row = NetworkChange.objects.select_for_update().get(id=network_change_id)
        if not transition_one(NetworkChange, row_id=row.id, to=Status.SWITCHED, chain_id=chain_id):
            return False
        WalletSession.objects.filter(id=row.session_id).update(network=row.network, chain_id=chain_id)
    return True


def session_set_network(*, session_id: Any, network: dict[str, Any], chain_id: int) -> None:
    """A flow moved MetaMask to ``network`` through its checked screens: the session is on it from now on."""
    WalletSession.objects.filter(id=session_id).update(network=network, chain_id=chain_id)


def session_set_chain_id(*, session_id: Any, chain_id: int) -> None:
    """What MetaMask really has selected for the dApp after a change that did not end switched. The session
    keeps its network (name, RPC), so a request on another chain is refused by the network checks."""
    WalletSession.objects.filter(id=session_id).update(chain_id=chain_id)


def network_change_mark_rejected(
    *, network_change_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        NetworkChange,
        row_id=network_change_id,
        to=Status.REJECTED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )


def network_change_mark_failed(
    *, network_change_id: Any, error: str, error_kind: str, artifact_path: str = ""
) -> bool:
    return operation_end(
        NetworkChange,
        row_id=network_change_id,
        to=Status.FAILED,
        error=error,
        error_kind=error_kind,
        artifact_path=artifact_path,
    )
