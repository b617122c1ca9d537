// EIP-1193 methods as MetaMask answers them. Anything needing the user goes through an approval that
// sidepanel.html or notification.html shows; the work (signing, broadcasting) happens only after it is approved.
import { getAddress, getBytes, isHexString, toBeHex, TypedDataEncoder } from 'ethers';
import { requestApproval } from './approvals.js';
import { providerFor, rpcCall } from './chain.js';
import { internal, invalidParams, unauthorized, unknownChain, unsupported } from './errors.js';
import { emit } from './ports.js';
import * as state from './state.js';
import * as vault from './vault.js';

// Read-only methods forwarded unchanged to the selected network's RPC.
const PASSTHROUGH = new Set([
  'eth_blockNumber', 'eth_call', 'eth_estimateGas', 'eth_feeHistory', 'eth_gasPrice', 'eth_getBalance',
  'eth_getBlockByHash', 'eth_getBlockByNumber', 'eth_getBlockTransactionCountByHash',
  'eth_getBlockTransactionCountByNumber', 'eth_getCode', 'eth_getFilterChanges', 'eth_getFilterLogs',
  'eth_getLogs', 'eth_getProof', 'eth_getStorageAt', 'eth_getTransactionByBlockHashAndIndex',
  'eth_getTransactionByBlockNumberAndIndex', 'eth_getTransactionByHash', 'eth_getTransactionCount',
  'eth_getTransactionReceipt', 'eth_getUncleByBlockHashAndIndex', 'eth_getUncleCountByBlockHash',
  'eth_maxPriorityFeePerGas', 'eth_newBlockFilter', 'eth_newFilter', 'eth_newPendingTransactionFilter',
  'eth_sendRawTransaction', 'eth_syncing', 'eth_uninstallFilter', 'net_listening', 'net_peerCount',
  'web3_clientVersion', 'web3_sha3', 'eth_protocolVersion', 'eth_blobBaseFee',
]);

async function isUnlocked() {
  return vault.isUnlocked();
}

async function exposedAccounts(origin) {
  return state.permittedAccounts(origin);
}

async function requireAccount(origin, address) {
  const permitted = await exposedAccounts(origin);
  let wanted;
  try {
    wanted = getAddress(String(address));
  } catch {
    throw invalidParams(`Invalid parameters: must provide an Ethereum address.`);
  }
  if (!permitted.some((a) => a.toLowerCase() === wanted.toLowerCase())) throw unauthorized();
  return wanted;
}

function permissionObject(origin, accounts) {
  return {
    id: state.nanoid(),
    parentCapability: 'eth_accounts',
    invoker: origin,
    caveats: [{ type: 'restrictReturnedAccounts', value: accounts }],
    date: Date.now(),
  };
}

async function connect(origin, requestKey) {
  const already = await exposedAccounts(origin);
  if (already.length) {
    // Connected but locked: MetaMask asks for the password, then answers.
    if (!(await isUnlocked())) await requestApproval(origin, 'unlock', {}, requestKey);
    return already;
  }
  await requestApproval(origin, 'connect', {}, requestKey);
  // The selected account, as MetaMask connects by default; MetaMask hands accounts to dApps in lower case.
  const accounts = [String(await vault.selectedAccount()).toLowerCase()];
  await state.setPermitted(origin, accounts);
  await state.permitChain(origin, (await state.currentNetwork()).chainId);
  emit(origin, 'accountsChanged', accounts);
  return accounts;
}

// Keep only the types reachable from primaryType, so ethers does not guess a different primary type.
function reachableTypes(types, primaryType) {
  const out = {};
  const visit = (name) => {
    const base = name.replace(/\[\d*\]$/g, '').replace(/\[\d*\]/g, '');
    if (out[base] || !types[base]) return;
    out[base] = types[base];
    for (const field of types[base]) visit(field.type);
  };
  visit(primaryType);
  return out;
}

function parseTypedData(raw) {
  let data = raw;
  if (typeof raw === 'string') {
    try {
      data = JSON.parse(raw);
    } catch {
      throw invalidParams('Invalid parameters: must provide valid typed data JSON.');
    }
  }
  if (!data || typeof data !== 'object' || !data.types || !data.primaryType || !data.message) {
    throw invalidParams('Invalid parameters: typed data must have types, primaryType and message.');
  }
  if (!data.types[data.primaryType]) throw invalidParams(`Invalid primary type: ${data.primaryType}`);
  return data;
}

function decodePersonalMessage(message) {
  // MetaMask signs the bytes of a 0x hex message and the UTF-8 bytes of anything else.
  if (isHexString(message)) return getBytes(message);
  return String(message);
}

async function personalSign(origin, params, requestKey) {
  const [message, address] = params || [];
  if (message === undefined || address === undefined) throw invalidParams('Invalid parameters: must provide a message and an address.');
  const from = await requireAccount(origin, address);
  await requestApproval(origin, 'personal_sign', { message, from }, requestKey);
  const wallet = await vault.signer(from);
  if (!wallet) throw unauthorized();
  return wallet.signMessage(decodePersonalMessage(message));
}

async function signTypedDataV4(origin, params, requestKey) {
  const [address, raw] = params || [];
  const from = await requireAccount(origin, address);
  const data = parseTypedData(raw);
  const net = await state.currentNetwork();
  const domainChain = data.domain?.chainId;
  if (domainChain !== undefined && domainChain !== null && BigInt(domainChain) !== BigInt(net.chainId)) {
    throw internal(`Provided chainId "${BigInt(domainChain)}" must match the active chainId "${BigInt(net.chainId)}"`);
  }
  const types = reachableTypes(data.types, data.primaryType);
  delete types.EIP712Domain;
  // Fails here (before any screen) on typed data ethers cannot encode.
  try {
    TypedDataEncoder.hash(data.domain || {}, types, data.message);
  } catch (e) {
    throw invalidParams(`Invalid typed data: ${e.shortMessage || e.message}`);
  }
  await requestApproval(origin, 'eth_signTypedData_v4', { typedData: data, from }, requestKey);
  const wallet = await vault.signer(from);
  if (!wallet) throw unauthorized();
  return wallet.signTypedData(data.domain || {}, types, data.message);
}

function quantity(v, name) {
  if (v === undefined || v === null) return undefined;
  try {
    return toBeHex(BigInt(v));
  } catch {
    throw invalidParams(`Invalid transaction params: ${name} is not a valid number.`);
  }
}

export const APPROVE_SELECTOR = '0x095ea7b3';
export const isApprove = (txParams) => !!txParams.to
  && (txParams.data || '').toLowerCase().startsWith(APPROVE_SELECTOR) && txParams.data.length >= 138;

async function erc20Decimals(net, token) {
  try {
    const raw = await rpcCall(net, 'eth_call', [{ to: token, data: '0x313ce567' }, 'latest']);
    const decimals = Number(BigInt(raw));
    return decimals <= 36 ? decimals : null;
  } catch {
    return null; // not readable: the cap is shown in raw units, as MetaMask does then
  }
}

async function sendTransaction(origin, params, requestKey) {
  const tx = (params || [])[0];
  if (!tx || typeof tx !== 'object') throw invalidParams('Invalid parameters: expected a transaction object.');
  const from = await requireAccount(origin, tx.from);
  const net = await state.currentNetwork();
  const txParams = {
    from,
    to: tx.to ? getAddress(tx.to) : undefined,
    value: quantity(tx.value, 'value') || '0x0',
    data: tx.data || tx.input || undefined,
    gas: quantity(tx.gas ?? tx.gasLimit, 'gas'),
    gasPrice: quantity(tx.gasPrice, 'gasPrice'),
    maxFeePerGas: quantity(tx.maxFeePerGas, 'maxFeePerGas'),
    maxPriorityFeePerGas: quantity(tx.maxPriorityFeePerGas, 'maxPriorityFeePerGas'),
    nonce: quantity(tx.nonce, 'nonce'),
  };
  if (!txParams.gas) {
    try {
      txParams.gas = await rpcCall(net, 'eth_estimateGas', [{ from, to: txParams.to, value: txParams.value, data: txParams.data }]);
    } catch {
      // MetaMask still shows the confirmation when estimation fails; sending will then fail loudly.
    }
  }
  // What MetaMask knows before it draws the screen: the sender's balance (for its insufficient-funds alert)
  // and the fee per gas it would bid when the dApp names none.
  const [balance, gasPrice] = await Promise.all([
    rpcCall(net, 'eth_getBalance', [from, 'latest']).catch(() => null),
    rpcCall(net, 'eth_gasPrice', []).catch(() => null),
  ]);
  const feePerGas = txParams.maxFeePerGas || txParams.gasPrice || (gasPrice ? toBeHex(BigInt(gasPrice) * 2n) : null);
  // An ERC-20 approve's cap is shown in token units, as MetaMask does when it can read the token's decimals.
  const tokenDecimals = isApprove(txParams) ? await erc20Decimals(net, txParams.to) : null;
  const approved = await requestApproval(origin, 'transaction', {
    txParams, chainId: net.chainId, networkName: net.name, symbol: net.symbol, balance, feePerGas, tokenDecimals,
  }, requestKey);
  // What was approved, as its screen left it (an edited spending cap changes the calldata only).
  txParams.data = approved?.data?.txParams?.data ?? txParams.data;
  const wallet = await vault.signer(from);
  if (!wallet) throw unauthorized();
  const signer = wallet.connect(providerFor(net));
  try {
    const sent = await signer.sendTransaction({
      to: txParams.to,
      value: BigInt(txParams.value),
      data: txParams.data,
      gasLimit: txParams.gas ? BigInt(txParams.gas) : undefined,
      gasPrice: txParams.gasPrice ? BigInt(txParams.gasPrice) : undefined,
      maxFeePerGas: txParams.maxFeePerGas ? BigInt(txParams.maxFeePerGas) : undefined,
      maxPriorityFeePerGas: txParams.maxPriorityFeePerGas ? BigInt(txParams.maxPriorityFeePerGas) : undefined,
      nonce: txParams.nonce ? Number(BigInt(txParams.nonce)) : undefined,
      chainId: BigInt(net.chainId),
    });
    return sent.hash;
  } catch (e) {
    throw internal(e.shortMessage || e.message);
  }
}

function normalizeChainId(raw) {
  try {
    const id = BigInt(raw);
    if (typeof raw !== 'string' || !/^0x[0-9a-f]+$/i.test(raw) || id <= 0n) throw new Error();
    return toBeHex(id).replace(/^0x0+(?=.)/, '0x');
  } catch {
    throw invalidParams(`Expected 0x-prefixed, unpadded, non-zero hexadecimal string 'chainId'. Received:\n${raw}`);
  }
}

async function switchTo(chainId) {
  const before = await state.currentNetwork();
  await state.selectNetwork(chainId);
  if (before.chainId !== chainId) emit(null, 'chainChanged', chainId);
}

async function addEthereumChain(origin, params, requestKey) {
  const p = (params || [])[0];
  if (!p || typeof p !== 'object') throw invalidParams('Expected single, object parameter.');
  const chainId = normalizeChainId(p.chainId);
  const known = (await state.getNetworks()).find((n) => n.chainId === chainId);
  if (known) return switchPermitted(origin, known, requestKey);
  const rpcUrl = (p.rpcUrls || []).find((u) => typeof u === 'string' && /^https?:\/\//.test(u));
  if (!rpcUrl) throw invalidParams(`Expected an array with at least one valid string HTTPS url 'rpcUrls', Received:\n${p.rpcUrls}`);
  if (!p.chainName || typeof p.chainName !== 'string') throw invalidParams('Expected non-empty string \'chainName\'.');
  const symbol = p.nativeCurrency?.symbol || 'ETH';
  const net = { chainId, name: p.chainName, rpcUrl, symbol, explorer: (p.blockExplorerUrls || [])[0] || null };
  // MetaMask refuses an endpoint that reports another chain.
  let endpointChainId;
  try {
    endpointChainId = await rpcCall(net, 'eth_chainId', []);
  } catch {
    throw internal(`Request for method 'eth_chainId on ${rpcUrl} failed`);
  }
  if (BigInt(endpointChainId) !== BigInt(chainId)) {
    throw internal(`Chain ID returned by RPC URL ${rpcUrl} does not match ${chainId}`);
  }
  await requestApproval(origin, 'addEthereumChain', { network: net }, requestKey);
  await state.addNetwork(net);
  await state.permitChain(origin, chainId);
  await switchTo(chainId);
  return null;
}

// A network the wallet has: a connected site that may not use it yet is asked about it first, on MetaMask
// 13.5's "Review permissions" screen (#connect/<id>/confirm-permissions); 13.36 switches without asking.
async function switchPermitted(origin, network, requestKey) {
  const connected = (await exposedAccounts(origin)).length > 0;
  if (connected && !(await state.permittedChains(origin)).includes(network.chainId)) {
    await requestApproval(origin, 'chainPermission', { network }, requestKey);
    await state.permitChain(origin, network.chainId);
  }
  await switchTo(network.chainId);
  return null;
}

// wallet_watchAsset (EIP-747, params an object): an ERC-20 MetaMask reads from the chain before it asks
// (its balance for the screen); the suggestion is shown on #confirm-add-suggested-token, and once approved
// the token is in the wallet's list and the request answers true.
const ERC20_BALANCE_OF = '0x70a08231';

async function watchAsset(origin, params, requestKey) {
  if (!params || Array.isArray(params) || params.type !== 'ERC20') throw invalidParams('Asset of type \'ERC20\' expected.');
  const { address, symbol, decimals } = params.options || {};
  let token;
  try {
    token = getAddress(String(address));
  } catch {
    throw invalidParams(`Invalid address "${address}".`);
  }
  if (typeof symbol !== 'string' || !symbol || symbol.length > 11) throw invalidParams(`Invalid symbol "${symbol}".`);
  if (!Number.isInteger(Number(decimals)) || Number(decimals) < 0 || Number(decimals) > 36) throw invalidParams(`Invalid decimals "${decimals}".`);
  const [account] = await exposedAccounts(origin);
  if (!account) throw unauthorized();
  const net = await state.currentNetwork();
  const data = ERC20_BALANCE_OF + account.slice(2).toLowerCase().padStart(64, '0');
  const balance = BigInt(await rpcCall(net, 'eth_call', [{ to: token, data }, 'latest']));
  await requestApproval(origin, 'watchAsset', { token: { address: token, symbol, decimals: Number(decimals) }, balance: toBeHex(balance) }, requestKey);
  await state.addToken(net.chainId, { address: token, symbol, decimals: Number(decimals) });
  return true;
}

async function switchEthereumChain(origin, params, requestKey) {
  const chainId = normalizeChainId((params || [])[0]?.chainId);
  const known = (await state.getNetworks()).find((n) => n.chainId === chainId);
  if (!known) throw unknownChain(chainId);
  return switchPermitted(origin, known, requestKey);
}

export async function handleRequest(origin, method, params, requestKey) {
  const net = await state.currentNetwork();
  switch (method) {
    case 'metamask_getProviderState': {
      const accounts = await exposedAccounts(origin);
      return { accounts, chainId: net.chainId, networkVersion: String(BigInt(net.chainId)), isUnlocked: await isUnlocked() };
    }
    case 'eth_chainId':
      return net.chainId;
    case 'net_version':
      return String(BigInt(net.chainId));
    case 'eth_accounts':
      return exposedAccounts(origin);
    case 'eth_coinbase':
      return (await exposedAccounts(origin))[0] || null;
    case 'eth_requestAccounts':
      return connect(origin, requestKey);
    case 'wallet_requestPermissions': {
      const wanted = (params || [])[0] || {};
      if (!wanted.eth_accounts) throw invalidParams('Only eth_accounts can be requested.');
      const accounts = await connect(origin, requestKey);
      return [permissionObject(origin, accounts)];
    }
    case 'wallet_getPermissions': {
      const accounts = await exposedAccounts(origin);
      return accounts.length ? [permissionObject(origin, accounts)] : [];
    }
    case 'wallet_revokePermissions': {
      if ((await exposedAccounts(origin)).length) {
        await state.setPermitted(origin, []);
        emit(origin, 'accountsChanged', []);
      }
      return null;
    }
    case 'personal_sign':
      return personalSign(origin, params, requestKey);
    case 'eth_signTypedData_v4':
      return signTypedDataV4(origin, params, requestKey);
    case 'eth_sendTransaction':
      return sendTransaction(origin, params, requestKey);
    case 'wallet_addEthereumChain':
      return addEthereumChain(origin, params, requestKey);
    case 'wallet_switchEthereumChain':
      return switchEthereumChain(origin, params, requestKey);
    case 'wallet_watchAsset':
      return watchAsset(origin, params, requestKey);
    case 'eth_sign':
    case 'eth_signTypedData':
    case 'eth_signTypedData_v1':
    case 'eth_signTypedData_v3':
    case 'eth_signTransaction':
      throw unsupported(method);
    default:
      if (PASSTHROUGH.has(method)) return rpcCall(net, method, params || []);
      throw unsupported(method);
  }
}

