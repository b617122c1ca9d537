"""Input rules shared by the API serializers and the services. Each returns the normalised value or raises
ValidationFailed with a message that never repeats a secret."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from eth_account.hdaccount.mnemonic import Mnemonic
from eth_account.types import Language
from eth_utils import is_address, is_checksum_address, to_checksum_address

from wallets.exceptions import ValidationFailed

_HEX = re.compile(r"^0x(?:[0-9a-fA-F]{2})*$")
MAX_UINT256 = 2**256 - 1
MAX_MESSAGE_CHARS = 10_000


def validate_mnemonic(value: str) -> str:
    words = " ".join(value.split()).lower()
    if not Mnemonic(Language.ENGLISH).is_mnemonic_valid(words):
        # Say nothing about which word was wrong: the message may end up in logs.
        raise ValidationFailed("Invalid mnemonic phrase (BIP-39 English words with a valid checksum)")
    return words


def validate_dapp_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("dApp URL must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise ValidationFailed("dApp URL must not contain credentials")
    return value


def url_origin(value: str) -> str:
    parts = urlsplit(value)
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = parts.port
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")


def validate_address(value: str) -> str:
    """Accepts all-lower/all-upper hex or a correct EIP-55 checksum; returns the checksummed form."""
    if not isinstance(value, str) or not is_address(value):
        raise ValidationFailed("Not a valid Ethereum address")
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise ValidationFailed("Address checksum (EIP-55) does not match")
    return str(to_checksum_address(value))


def uint256_rule(name: str) -> Callable[[Any], int]:
    """A rule for a wei amount called ``name``: a JSON number or a decimal string, 0 to 2**256-1."""

    def validate(value: Any) -> int:
        if isinstance(value, bool):
            raise ValidationFailed(f"{name} must be a non-negative integer")
        if isinstance(value, int):
            number = value
        elif isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
            number = int(value.strip())
        else:
            raise ValidationFailed(f"{name} must be a non-negative integer (number or decimal string)")
        if number < 0 or number > MAX_UINT256:
            raise ValidationFailed(f"{name} must be between 0 and 2**256-1")
        return number

    return validate


validate_value_wei = uint256_rule("value_wei")
validate_max_fee_per_gas_wei = uint256_rule("max_fee_per_gas_wei")
validate_max_priority_fee_per_gas_wei = uint256_rule("max_priority_fee_per_gas_wei")


def validate_hex_data(value: str) -> str:
    if not _HEX.fullmatch(value):
        raise ValidationFailed("data must be 0x-prefixed hex with whole bytes")
    return value.lower()


def validate_message(value: Any) -> str:
    if not isinstance(value, str) or value == "":
        raise ValidationFailed("message must be a non-empty string")
    if len(value) > MAX_MESSAGE_CHARS:
        raise ValidationFailed(f"message must be at most {MAX_MESSAGE_CHARS} characters")
    return value


_SIGN_IN_NONCE = re.compile(r"^[A-Za-z0-9]{8,64}$")  # EIP-4361: at least 8 alphanumeric characters
_SIGN_IN_TEXT = re.compile(r"^[\x20-\x7e]{1,500}$")  # one line of printable ASCII (statement, request id)
# RFC 3339 with a time zone, as EIP-4361's date fields take it.
_SIGN_IN_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
SIGN_IN_FIELDS = ("nonce", "statement", "uri", "expiration_time", "not_before", "request_id", "resources")


def validate_sign_in(value: Any) -> dict[str, Any]:
    """The caller's part of a Sign-In with Ethereum message; the service adds the domain (the session's
    dApp host), the address, the chain id, the version and the issue time."""
    if not isinstance(value, dict):
        raise ValidationFailed("sign_in must be an object")
    unknown = sorted(set(value) - set(SIGN_IN_FIELDS))
    if unknown:
        raise ValidationFailed(f"sign_in takes {', '.join(SIGN_IN_FIELDS)}; not {', '.join(unknown)}")
    nonce = value.get("nonce")
    if not isinstance(nonce, str) or not _SIGN_IN_NONCE.match(nonce):
        raise ValidationFailed("sign_in.nonce must be 8 to 64 letters and digits")
    out: dict[str, Any] = {"nonce": nonce}
    for key in ("statement", "request_id"):
        if value.get(key) is not None:
            if not isinstance(value[key], str) or not _SIGN_IN_TEXT.match(value[key]):
                raise ValidationFailed(f"sign_in.{key} must be one line of printable ASCII, up to 500")
            out[key] = value[key]
    for key in ("expiration_time", "not_before"):
        if value.get(key) is not None:
            if not isinstance(value[key], str) or not _SIGN_IN_TIME.match(value[key]):
                raise ValidationFailed(f"sign_in.{key} must be an RFC 3339 time with a zone")
            out[key] = value[key]
    if value.get("uri") is not None:
        out["uri"] = _sign_in_uri(value["uri"], "sign_in.uri")
    if value.get("resources") is not None:
        resources = value["resources"]
        if not isinstance(resources, list) or len(resources) > 20:
            raise ValidationFailed("sign_in.resources must be a list of at most 20 URIs")
        out["resources"] = [_sign_in_uri(r, "sign_in.resources[]") for r in resources]
    return out


def _sign_in_uri(value: Any, name: str) -> str:
    if not isinstance(value, str) or len(value) > 2000 or not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", value):
        raise ValidationFailed(f"{name} must be an absolute URI (no spaces), up to 2000 characters")
    return value


def validate_typed_data(value: Any) -> dict[str, Any]:
    """EIP-712 structure as eth_signTypedData_v4 expects it."""
    if not isinstance(value, dict):
        raise ValidationFailed("typed_data must be an object")
    missing = [key for key in ("types", "primaryType", "domain", "message") if key not in value]
    if missing:
        raise ValidationFailed(f"typed_data is missing: {', '.join(missing)}")
    types, primary = value["types"], value["primaryType"]
    if not isinstance(types, dict) or "EIP712Domain" not in types:
        raise ValidationFailed("typed_data.types must be an object including EIP712Domain")
    for name, fields in types.items():
        if not isinstance(fields, list) or not all(
            isinstance(field, dict)
            and isinstance(field.get("name"), str)
            and isinstance(field.get("type"), str)
            for field in fields
        ):
            raise ValidationFailed(f"typed_data.types.{name} must be a list of {{name, type}}")
    if not isinstance(primary, str) or primary not in types:
        raise ValidationFailed("typed_data.primaryType must name one of typed_data.types")
    if not isinstance(value["domain"], dict):
        raise ValidationFailed("typed_data.domain must be an object")
    if not isinstance(value["message"], dict):
        raise ValidationFailed("typed_data.message must be an object")
    try:
        from eth_account.messages import encode_typed_data

        encode_typed_data(full_message=value)
    except Exception as exc:  # eth-account raises many types for malformed data
        raise ValidationFailed(f"typed_data cannot be encoded: {type(exc).__name__}") from None
    return value


def validate_network(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed("network must be an object")
    chain_id = value.get("chain_id")
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise ValidationFailed("network.chain_id must be a positive integer")
    rpc_url = value.get("rpc_url")
    if not isinstance(rpc_url, str) or urlsplit(rpc_url).scheme not in ("http", "https"):
        raise ValidationFailed("network.rpc_url must be an http(s) URL")
    name = value.get("name", f"Chain {chain_id}")
    symbol = value.get("currency_symbol", "ETH")
    if not isinstance(name, str) or not isinstance(symbol, str) or not name or not 2 <= len(symbol) <= 6:
        raise ValidationFailed("network.name must be text and currency_symbol 2-6 characters")
    return {"chain_id": chain_id, "rpc_url": rpc_url, "name": name, "currency_symbol": symbol}
