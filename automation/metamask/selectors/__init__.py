"""MetaMask's UI contract by UI generation: ``base`` (shared), ``legacy`` (13.5), ``redesign`` (later)."""

from automation.metamask.selectors import base, legacy, redesign

__all__ = ["base", "legacy", "redesign"]
