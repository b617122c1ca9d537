"""Worker-side services: open/close wallet sessions and execute signatures and transactions in the browser.

One public function per task (wallets/tasks.py). Each one first claims its row with a conditional UPDATE
(wallets/services/), so a redelivered task does nothing twice; a transaction that reached `running` or
`submitted` is never sent again. Secrets are decrypted here, in the worker, and only handed to the browser.

sessions.py opens and closes sessions (and expires them, on beat); signatures.py, transactions.py,
networks.py and commands.py run operations on a ready session; common.py holds what they share, notably
how a row ends when the browser raises.
"""

from wallets.execution.commands import session_command_execute
from wallets.execution.common import Outcome
from wallets.execution.networks import network_change_execute
from wallets.execution.sessions import StepFailed, session_close, session_open, sessions_cleanup
from wallets.execution.signatures import signature_execute
from wallets.execution.transactions import transaction_execute, transactions_reconcile

__all__ = [
    "Outcome",
    "StepFailed",
    "network_change_execute",
    "session_close",
    "session_command_execute",
    "session_open",
    "sessions_cleanup",
    "signature_execute",
    "transaction_execute",
    "transactions_reconcile",
]
