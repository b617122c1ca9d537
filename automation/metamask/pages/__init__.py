"""One page object per MetaMask screen the driver uses."""
