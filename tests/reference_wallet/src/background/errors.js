// EIP-1193 / JSON-RPC errors with the codes and messages MetaMask uses.
export class ProviderRpcError extends Error {
  constructor(code, message, data) {
    super(message);
    this.code = code;
    this.data = data;
  }
  toJSON() {
    return { code: this.code, message: this.message, ...(this.data === undefined ? {} : { data: this.data }) };
  }
}

export const userRejected = () => new ProviderRpcError(4001, 'User rejected the request.');
export const unauthorized = () =>
  new ProviderRpcError(4100, 'The requested account and/or method has not been authorized by the user.');
export const invalidParams = (msg) => new ProviderRpcError(-32602, msg);
export const internal = (msg) => new ProviderRpcError(-32603, msg);
export const unsupported = (method) =>
  new ProviderRpcError(-32601, `The method "${method}" does not exist / is not available.`);
export const unknownChain = (chainId) =>
  new ProviderRpcError(4902, `Unrecognized chain ID "${chainId}". Try adding the chain using wallet_addEthereumChain first.`);

export function toRpcError(err) {
  if (err instanceof ProviderRpcError) return err.toJSON();
  if (err && typeof err.code === 'number' && err.message) return { code: err.code, message: err.message, data: err.data };
  return { code: -32603, message: (err && err.shortMessage) || (err && err.message) || 'Internal JSON-RPC error.' };
}
