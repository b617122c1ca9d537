"""The registry of session commands: kind -> command (wallets/commands/base.py says what a command is).

Adding a command: a module with a Command subclass, its entry below, the driver method it calls, and tests
(tests/wallets/test_commands.py, the driver suite, the e2e flow). The API, the worker task, the admin, the
metrics (action label = kind) and the evidence export take it from here.
"""

from __future__ import annotations

from wallets.commands.base import Command
from wallets.commands.flow import Flow
from wallets.commands.lock import Lock
from wallets.commands.switch_account import SwitchAccount
from wallets.commands.unlock import Unlock
from wallets.commands.watch_asset import WatchAsset

COMMANDS: dict[str, type[Command]] = {
    command.kind: command for command in (Lock, Unlock, WatchAsset, SwitchAccount, Flow)
}
# What POST /sessions/{id}/commands/ takes; a flow has its own endpoint (/sessions/{id}/flows/).
PLAIN_COMMANDS = tuple(kind for kind in COMMANDS if kind != Flow.kind)


def command_for(kind: str) -> Command:
    """The command registered under ``kind``."""
    return COMMANDS[kind]()


__all__ = [
    "COMMANDS",
    "PLAIN_COMMANDS",
    "Command",
    "Flow",
    "Lock",
    "SwitchAccount",
    "Unlock",
    "WatchAsset",
    "command_for",
]
