// Persistent wallet state (not secret): networks, selected network, connected origins, approval surface.
// Pending approvals live in chrome.storage.session so they survive the service worker sleeping.
import { surfaceOf } from '../shared/surface.js';

export const MAINNET = { chainId: '0x1', name: 'Ethereum Mainnet', rpcUrl: null, symbol: 'ETH', explorer: null };

export async function getNetworks() {
  const { networks } = await chrome.storage.local.get('networks');
  return networks && networks.length ? networks : [MAINNET];
}

export async function currentNetwork() {
  const [networks, { selectedChainId }] = await Promise.all([getNetworks(), chrome.storage.local.get('selectedChainId')]);
  return networks.find((n) => n.chainId === selectedChainId) || networks[0];
}

export async function addNetwork(net) {
  const networks = (await getNetworks()).filter((n) => n.chainId !== net.chainId);
  networks.push(net);
  await chrome.storage.local.set({ networks });
}

export async function selectNetwork(chainId) {
  await chrome.storage.local.set({ selectedChainId: chainId });
}

export async function getPermissions() {
  const { permissions } = await chrome.storage.local.get('permissions');
  return permissions || {};
}

export async function permittedAccounts(origin) {
  return (await getPermissions())[origin]?.accounts || [];
}

export async function setPermitted(origin, accounts) {
  const permissions = await getPermissions();
  if (accounts.length) permissions[origin] = { accounts, date: Date.now() };
  else delete permissions[origin];
  await chrome.storage.local.set({ permissions });
}

// Networks each origin may use without asking (as MetaMask 13.5: the ones it added, the one selected when it
// connected, and those it was granted on a "Review permissions" screen).
export async function permittedChains(origin) {
  const { chainPermissions } = await chrome.storage.local.get('chainPermissions');
  return (chainPermissions || {})[origin] || [];
}

export async function permitChain(origin, chainId) {
  const { chainPermissions = {} } = await chrome.storage.local.get('chainPermissions');
  const chains = new Set(chainPermissions[origin] || []);
  chains.add(chainId);
  chainPermissions[origin] = [...chains];
  await chrome.storage.local.set({ chainPermissions });
}

export async function approvalSurface() {
  return surfaceOf((await chrome.storage.local.get('approvalSurface')).approvalSurface);
}

export async function setApprovalSurface(surface) {
  if (surfaceOf(surface) !== surface) throw new Error(`Unknown approval surface: ${surface}`);
  await chrome.storage.local.set({ approvalSurface: surface });
}

export async function getApprovals() {
  const { approvals } = await chrome.storage.session.get('approvals');
  return approvals || [];
}

export async function putApproval(approval) {
  const approvals = await getApprovals();
  approvals.push(approval);
  await chrome.storage.session.set({ approvals });
}

export async function replaceApproval(approval) {
  const approvals = (await getApprovals()).map((a) => (a.id === approval.id ? approval : a));
  await chrome.storage.session.set({ approvals });
}

export async function removeApproval(id) {
  const approvals = (await getApprovals()).filter((a) => a.id !== id);
  await chrome.storage.session.set({ approvals });
}

// MetaMask's approval ids are nanoid-like for permissions/confirmations and uuids for transactions/signatures.
export function nanoid(size = 21) {
  const alphabet = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict';
  return Array.from(crypto.getRandomValues(new Uint8Array(size)), (b) => alphabet[b & 63]).join('');
}

// Tokens the wallet watches, per chain (wallet_watchAsset).
export async function addToken(chainId, token) {
  const { tokens = {} } = await chrome.storage.local.get('tokens');
  const list = (tokens[chainId] || []).filter((t) => t.address.toLowerCase() !== token.address.toLowerCase());
  tokens[chainId] = [...list, token];
  await chrome.storage.local.set({ tokens });
}
