"""Sign-In with Ethereum (EIP-4361): the message the service builds for a session, and the same message read
back, with the siwe library (spruceid's reference implementation) on both ends.

The domain is the session's dApp host, the URI the dApp's URL unless the caller names another, the chain
the one MetaMask has selected for the dApp, the address the wallet's: MetaMask compares the domain with the
asking origin and warns when they differ, and its warnings are never approved past."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from siwe import SiweMessage


@dataclass(frozen=True)
class SignIn:
    """The fields of a sign-in message that MetaMask's sign-in screen shows and the driver checks."""

    domain: str
    address: str
    uri: str
    version: str
    chain_id: int
    nonce: str
    statement: str
    issued_at: str


def sign_in_message(
    fields: dict[str, Any], *, dapp_url: str, address: str, chain_id: int, issued_at: datetime
) -> str:
    """The EIP-4361 text for the caller's ``fields`` (validators.validate_sign_in) on this session."""
    message = SiweMessage(
        domain=urlsplit(dapp_url).netloc,
        address=address,
        uri=fields.get("uri") or dapp_url,
        version="1",
        chain_id=chain_id,
        nonce=fields["nonce"],
        issued_at=issued_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        statement=fields.get("statement"),
        expiration_time=fields.get("expiration_time"),
        not_before=fields.get("not_before"),
        request_id=fields.get("request_id"),
        resources=fields.get("resources"),
    )
    return str(message.prepare_message())


def sign_in_fields(message: str) -> SignIn:
    """What ``message`` asks, parsed by EIP-4361's grammar."""
    parsed = SiweMessage.from_message(message)
    return SignIn(
        domain=str(parsed.domain),
        address=str(parsed.address),
        uri=str(parsed.uri),
        version=str(parsed.version.value if hasattr(parsed.version, "value") else parsed.version),
        chain_id=int(parsed.chain_id),
        nonce=str(parsed.nonce),
        statement=str(parsed.statement or ""),
        issued_at=str(parsed.issued_at),
    )
