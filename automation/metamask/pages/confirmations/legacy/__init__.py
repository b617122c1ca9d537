"""Approval screens of the templated-confirmation generation (MetaMask 13.5 and earlier)."""
