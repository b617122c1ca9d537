"""Approval screens that later builds moved into the redesigned confirmations (MetaMask 13.36)."""
