"""Plain-Python helpers that start a local chain (anvil) and serve the test dApp on free loopback ports.

Used by tests and by ``make demo``; nothing here imports Django.
"""

from metamask_service.devstack.anvil import DEFAULT_MNEMONIC, Anvil, RpcError, rpc_call
from metamask_service.devstack.ports import free_port
from metamask_service.devstack.static_server import StaticServer, repo_root, test_dapp_dir

__all__ = [
    "DEFAULT_MNEMONIC",
    "Anvil",
    "RpcError",
    "StaticServer",
    "free_port",
    "repo_root",
    "rpc_call",
    "test_dapp_dir",
]
