"""Re-encrypts every wallet's secrets with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first (old keys after it), deploy, run this command, then drop the old keys.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from wallets.services import wallet_keys_rotate


class Command(BaseCommand):
    help = "Re-encrypt wallet secrets under the current (first) FIELD_ENCRYPTION_KEYS key."

    def handle(self, *args: Any, **options: Any) -> None:
        count = wallet_keys_rotate()
        self.stdout.write(f"re-encrypted {count} wallet(s)")
