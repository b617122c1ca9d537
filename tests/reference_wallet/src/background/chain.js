// Talks to the selected network's JSON-RPC endpoint. Mainnet has no endpoint here on purpose: nothing may
// leave 127.0.0.1, so reads on it fail cleanly instead of reaching a public node.
import { JsonRpcProvider, Network } from 'ethers';
import { internal, ProviderRpcError } from './errors.js';

let rpcId = 1;

export async function rpcCall(network, method, params = []) {
  if (!network.rpcUrl) throw internal(`No RPC endpoint is configured for ${network.name}.`);
  let res;
  try {
    res = await fetch(network.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: rpcId++, method, params }),
    });
  } catch (e) {
    throw internal(`Failed to reach ${network.name} RPC: ${e.message}`);
  }
  const body = await res.json().catch(() => null);
  if (!body) throw internal(`Invalid response from ${network.name} RPC (HTTP ${res.status}).`);
  if (body.error) throw new ProviderRpcError(body.error.code ?? -32603, body.error.message, body.error.data);
  return body.result;
}

export function providerFor(network) {
  if (!network.rpcUrl) throw internal(`No RPC endpoint is configured for ${network.name}.`);
  const net = Network.from(Number(BigInt(network.chainId)));
  return new JsonRpcProvider(network.rpcUrl, net, { staticNetwork: net, batchMaxCount: 1 });
}
