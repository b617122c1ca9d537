"""The command registry: each command's parameters and, for watch_asset, its check of MetaMask's screen. No
browser: the driver suite and e2e run the commands on a wallet."""

import pytest

from automation import DisplayedToken
from automation.models import Alert
from wallets import verification
from wallets.commands import COMMANDS, command_for
from wallets.exceptions import ValidationFailed

TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ORIGIN = "http://127.0.0.1:8545"


def test_each_kind_is_its_own_command():
    assert set(COMMANDS) == {"lock", "unlock", "watch_asset", "switch_account", "flow"}
    assert all(command_for(kind).kind == kind for kind in COMMANDS)


def test_watch_asset_takes_a_token_and_stores_its_checksummed_address():
    cleaned = command_for("watch_asset").clean({"address": TOKEN.lower(), "symbol": "TST", "decimals": 18})
    assert cleaned == {"address": TOKEN, "symbol": "TST", "decimals": 18}
    with pytest.raises(ValidationFailed, match="image"):
        command_for("watch_asset").clean({"address": TOKEN, "symbol": "TST", "decimals": 18, "image": "x"})
    with pytest.raises(ValidationFailed, match="no params"):
        command_for("lock").clean({"anything": 1})


def shown(*symbols: str, origin: str = "") -> DisplayedToken:
    return DisplayedToken(origin=origin, symbols=symbols, balances=("0",) * len(symbols), raw_text="")


def test_the_add_token_screen_must_list_the_asked_token_alone():
    assert verification.token_reason(shown("TST"), symbol="TST", dapp_origin=ORIGIN) is None
    assert "asked for 'TST'" in (
        verification.token_reason(shown("EVL"), symbol="TST", dapp_origin=ORIGIN) or ""
    )
    # A page's own suggestion pending beside it: approving would add both.
    both = verification.token_reason(shown("TST", "EVL"), symbol="TST", dapp_origin=ORIGIN)
    assert both == "MetaMask lists the tokens [TST, EVL], asked for 'TST' alone"
    assert verification.token_reason(shown(), symbol="TST", dapp_origin=ORIGIN)
    elsewhere = verification.token_reason(
        shown("TST", origin="evil.example"), symbol="TST", dapp_origin=ORIGIN
    )
    assert "evil.example" in (elsewhere or "")
    warned = DisplayedToken("", ("TST",), ("0",), "", alerts=(Alert("warning", "reused token name"),))
    assert "MetaMask warns" in (verification.alerts_reason(warned) or "")
