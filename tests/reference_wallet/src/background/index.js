// Service worker entry: provider ports from content scripts, UI messages from our own pages.
import { parseUnits, toBeHex } from 'ethers';
import {
  blockOrigin, editApproval, originThrottled, recordRefusal, resetOrigin, resolveApproval, resolveUnlockApprovals,
} from './approvals.js';
import { rpcCall } from './chain.js';
import { toRpcError } from './errors.js';
import { addPort, emit } from './ports.js';
import { handleRequest } from './provider.js';
import * as state from './state.js';
import * as vault from './vault.js';

chrome.runtime.onConnect.addListener((port) => {
  if (port.name !== 'refwallet-provider' || !port.sender?.url) return;
  const origin = port.sender.origin || new URL(port.sender.url).origin;
  addPort({ port, origin });
  port.onMessage.addListener(async (msg) => {
    if (!msg || msg.type !== 'request') return; // pings only keep the worker awake
    const key = `${origin}|${msg.rid}`;
    let reply;
    try {
      reply = { type: 'response', id: msg.id, result: await handleRequest(origin, msg.method, msg.params, key) };
    } catch (err) {
      reply = { type: 'response', id: msg.id, error: toRpcError(err) };
    }
    try {
      port.postMessage(reply);
    } catch {
      // The page went away.
    }
  });
});

const SPENDING_CAP_WRITE_MS = 250; // 13.36 wrote an edited cap into the calldata 0.1-0.3 s after Save

const uiActions = {
  async createVault({ phrase, password }) {
    const address = await vault.createVault(phrase, password);
    await chrome.storage.local.set({ onboarding: 'metametrics' });
    return address;
  },
  async setOnboarding({ step }) {
    await chrome.storage.local.set({ onboarding: step });
  },
  async unlock({ password }) {
    const address = await vault.unlock(password);
    await resolveUnlockApprovals();
    return address;
  },
  // Like MetaMask 13.5, locking tells sites nothing: eth_accounts keeps answering and no accountsChanged([])
  // is sent (dApps such as the test dApp treat that as a disconnect and revoke the permission).
  async lock() {
    await vault.lock();
  },
  async resolveApproval({ id, approved }) {
    await resolveApproval(id, approved);
  },
  // The spending-cap modal's Save: the cap typed in token units (the decimals the screen shows it with)
  // becomes the approve's amount. Like MetaMask, the calldata changes a moment later (it re-estimates gas).
  async editSpendingCap({ id, cap, now = false }) {
    const approval = (await state.getApprovals()).find((a) => a.id === id);
    if (!approval) throw new Error('This request is no longer pending');
    const amount = parseUnits(String(cap).trim(), approval.data.tokenDecimals ?? 0);
    if (amount < 0n || amount >= 2n ** 256n) throw new Error('Invalid spending cap');
    if (!now) await new Promise((resolve) => setTimeout(resolve, SPENDING_CAP_WRITE_MS));
    await editApproval(id, (data) => {
      const old = data.txParams.data;
      const word = toBeHex(amount, 32).slice(2);
      return { ...data, txParams: { ...data.txParams, data: `${old.slice(0, 74)}${word}${old.slice(138)}` } };
    });
  },
  async originThrottled({ origin }) {
    return originThrottled(origin);
  },
  async blockOrigin({ origin }) {
    await blockOrigin(origin);
  },
  async recordRefusal({ origin }) {
    recordRefusal(origin);
  },
  async resetOrigin({ origin }) {
    resetOrigin(origin);
  },
  async rejectAll() {
    for (const a of await state.getApprovals()) await resolveApproval(a.id, false);
  },
  async selectNetwork({ chainId }) {
    const before = await state.currentNetwork();
    await state.selectNetwork(chainId);
    if (before.chainId !== chainId) emit(null, 'chainChanged', chainId);
  },
  async addNetwork({ network }) {
    await state.addNetwork(network);
    await uiActions.selectNetwork({ chainId: network.chainId });
  },
  // Settings > Advanced > "Open dApp requests in the side panel" (approval-surface-toggle).
  async setApprovalSurface({ surface }) {
    await state.setApprovalSurface(surface);
  },
  // The nonce MetaMask shows in a transaction's advanced details: the sender's next one, pending included.
  async getNonce({ from }) {
    const net = await state.currentNetwork();
    if (!net.rpcUrl) return null;
    return rpcCall(net, 'eth_getTransactionCount', [from, 'pending']);
  },
  async getBalance() {
    const [net, selected] = await Promise.all([state.currentNetwork(), vault.selectedAccount()]);
    if (!net.rpcUrl || !selected) return null;
    return rpcCall(net, 'eth_getBalance', [selected, 'latest']);
  },
  // The account list (13.36's page): selecting tells connected sites nothing, as MetaMask tells a site only
  // about accounts it was given.
  async selectAccount({ address }) {
    await vault.selectAccount(address);
  },
  async addAccount() {
    return vault.addHdAccount();
  },
  async importAccount({ privateKey }) {
    return vault.importKey(privateKey);
  },
};

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  // Only our own extension pages may drive the wallet (content scripts have a tab and a web URL).
  const own = sender.id === chrome.runtime.id && (sender.url || '').startsWith(chrome.runtime.getURL(''));
  if (!own || !uiActions[msg?.action]) return false;
  uiActions[msg.action](msg)
    .then((result) => sendResponse({ ok: true, result }))
    .catch((err) => sendResponse({ ok: false, error: err.message || String(err) }));
  return true;
});

// MetaMask opens home.html in a tab when the browser starts (and on install); the driver closes it.
async function openHomeTab(attempt = 0) {
  try {
    const windows = await chrome.windows.getAll({ windowTypes: ['normal'] });
    if (windows.length) await chrome.tabs.create({ url: 'home.html', active: true });
    else await chrome.windows.create({ url: 'home.html', type: 'normal' });
  } catch {
    if (attempt < 5) setTimeout(() => openHomeTab(attempt + 1), 1000);
  }
}

let homeChecked = null; // one check per worker instance, however many start events arrive
function openHomeOnce() {
  homeChecked ||= (async () => {
    const { homeOpened } = await chrome.storage.session.get('homeOpened');
    if (homeOpened) return;
    await chrome.storage.session.set({ homeOpened: true });
    setTimeout(openHomeTab, 2000);
  })();
  return homeChecked;
}
// MetaMask 13.12+ opens in the side panel when its toolbar button is clicked.
chrome.sidePanel?.setPanelBehavior?.({ openPanelOnActionClick: true }).catch(() => {});

// chrome.storage.session is empty at each browser start and survives the worker sleeping, so checking it
// whenever the worker starts catches install and every browser start; the listeners make Chromium start the
// worker at browser start in the first place.
chrome.runtime.onInstalled.addListener(openHomeOnce);
chrome.runtime.onStartup.addListener(openHomeOnce);
openHomeOnce();
