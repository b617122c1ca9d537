"""MetaMask-specific part of the driver: selectors (the UI contract) and page objects."""
