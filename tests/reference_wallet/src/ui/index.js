// One UI for home.html, notification.html and sidepanel.html, routed by location.hash like MetaMask's.
// The page named by the approval surface setting (sidepanel.html by default, src/shared/surface.js) follows the
// pending approvals: it shows the first one and returns to "#" after each. The other of the two never shows an
// approval; it behaves like an idle home page.
// The bundle runs scuttled (src/ui/scuttle.js, injected by build.mjs before everything else).
import { surfaceOf } from '../shared/surface.js';
import * as accounts from './accounts.js';
import * as confirm from './confirm.js';
import * as home from './home.js';
import * as onboarding from './onboarding.js';
import { h } from './dom.js';

const PAGE = ['notification', 'sidepanel'].find((p) => location.pathname.endsWith(`/${p}.html`)) || 'home';
const IS_APPROVAL_PAGE = PAGE !== 'home'; // notification.html, sidepanel.html: no onboarding of their own
const APPROVAL_ROUTE = /^((connect|confirm-transaction|confirmation)\/|confirm-add-suggested-token$)/;
const root = document.getElementById('app-content');
// Home's own pages, which a page following approvals may show while none is pending.
const HOME_ROUTES = ['networks', 'account-list', 'choose-new-wallet-type', 'add-wallet-page'];
const MAINNET = { chainId: '0x1', name: 'Ethereum Mainnet', rpcUrl: null, symbol: 'ETH' };
const ONBOARDING = {
  'onboarding/welcome': onboarding.welcome,
  'onboarding/import-with-recovery-phrase': onboarding.importSrp,
  'onboarding/create-password': onboarding.createPassword,
  'onboarding/metametrics': onboarding.metametrics,
  'onboarding/completion': onboarding.completion,
  'onboarding/download-app': onboarding.downloadApp,
  'onboarding/pin-extension': onboarding.pinExtension,
};

// A background tab renders no frames, and Chromium acks a real mouse event there only after a 5 s timeout
// (seen on MetaMask 13.36: the home tab it opens at install hid the driver's onboarding tab, and every click
// cost 5 s). This wallet ignores clicks on a hidden page outright, so a driver that clicks one fails here
// instead of merely going slow (docs/metamask.md section 5).
for (const type of ['pointerdown', 'mousedown', 'mouseup', 'click']) {
  document.addEventListener(type, (e) => {
    if (document.visibilityState !== 'hidden') return;
    e.stopImmediatePropagation();
    e.preventDefault();
  }, true);
}

let state = null;
const CHAIN_PERMISSION_AS_CONNECT_MS = 600;
// MetaMask tabs that show #unlock stay there when the wallet is unlocked from another tab, until reloaded or
// until the password is entered here too (docs/metamask.md section 5).
let staleUnlock = false;
let unlockingHere = false;
let rendered = null; // key of what is on screen; re-render only when it changes (keeps typed input intact)

export function routeFor(a) {
  switch (a.type) {
    case 'connect': return `#connect/${a.id}`;
    // 13.36 shows a chain permission on #connect/<id> first (for a moment as a connect screen), then moves it
    // to #connect/<id>/confirm-permissions (docs/metamask.md section 6, Chain permission).
    case 'chainPermission': return `#connect/${a.id}`;
    case 'unlock': return '#unlock';
    case 'personal_sign':
    case 'eth_signTypedData_v4': return `#confirm-transaction/${a.id}/signature-request`;
    case 'transaction': return `#confirm-transaction/${a.id}`;
    case 'addEthereumChain': return `#confirmation/${a.id}`;
    // MetaMask's add-token page has no id in its route: it shows the suggested tokens pending.
    case 'watchAsset': return '#confirm-add-suggested-token';
    default: return '#';
  }
}

async function loadState() {
  const [local, session] = await Promise.all([
    chrome.storage.local.get(['vault', 'accountList', 'selectedAccount', 'networks', 'selectedChainId', 'onboarding', 'settings', 'approvalSurface']),
    chrome.storage.session.get(['unlocked', 'approvals']),
  ]);
  const networks = local.networks?.length ? local.networks : [MAINNET];
  return {
    hasVault: Boolean(local.vault),
    onboarding: local.onboarding || 'welcome',
    unlocked: Boolean(session.unlocked),
    accounts: local.accountList || [],
    selected: local.selectedAccount || null,
    selectedName: (local.accountList || []).find((a) => a.address === local.selectedAccount)?.name || 'Account 1',
    approvals: session.approvals || [],
    networks,
    network: networks.find((n) => n.chainId === local.selectedChainId) || networks[0],
    settings: local.settings || {},
    approvalSurface: surfaceOf(local.approvalSurface),
  };
}

const followsApprovals = () => PAGE === state.approvalSurface;

function go(hash) {
  if (location.hash === hash || (hash === '#' && location.hash === '')) render();
  else location.hash = hash;
}

// Where the page must be, given the state; null = the current route is fine.
function redirect(route) {
  if (!state.hasVault) {
    if (IS_APPROVAL_PAGE) return null;
    const early = ['onboarding/welcome', 'onboarding/import-with-recovery-phrase', 'onboarding/create-password'];
    return early.includes(route) ? null : '#onboarding/welcome';
  }
  if (state.onboarding !== 'done' && !IS_APPROVAL_PAGE) {
    const want = `onboarding/${state.onboarding}`;
    if (ONBOARDING[want] && route !== want && state.unlocked) return `#${want}`;
  }
  if (state.onboarding === 'done' && route.startsWith('onboarding')) return state.unlocked ? '#' : '#unlock';
  if (!state.unlocked) return route === 'unlock' ? null : '#unlock';
  if (route === 'unlock' && staleUnlock) return null;
  if (route === 'unlock') return followsApprovals() && state.approvals.length ? routeFor(state.approvals[0]) : '#';
  if (followsApprovals()) {
    const pending = state.approvals.filter((a) => a.type !== 'unlock');
    const current = pending.find((a) => route === routeFor(a).slice(1)
      || (a.type === 'chainPermission' && route === `${routeFor(a).slice(1)}/confirm-permissions`));
    if (current) return null;
    return pending.length ? routeFor(pending[0]) : route === '' || route.startsWith('settings') || HOME_ROUTES.includes(route) ? null : '#';
  }
  if (IS_APPROVAL_PAGE && APPROVAL_ROUTE.test(route)) return '#';
  return null;
}

function screen(route) {
  if (ONBOARDING[route]) return ONBOARDING[route](go);
  if (route === 'unlock') {
    return home.unlock(state, {
      before: () => { unlockingHere = true; },
      after: async (ok) => {
        unlockingHere = false;
        if (!ok) return;
        staleUnlock = false;
        state = await loadState();
        rendered = null;
        go('#');
      },
    });
  }
  if (route === 'networks') return home.networks(state, go);
  if (route === 'account-list') return accounts.accountList(state, go);
  if (route === 'choose-new-wallet-type') return accounts.chooseWalletType(go);
  if (route === 'add-wallet-page') return accounts.importAccount(go);
  if (route.startsWith('settings')) return home.settings(state, go, route.split('/')[1]);
  if (route === 'confirm-add-suggested-token') {
    const pending = state.approvals.filter((a) => a.type === 'watchAsset');
    return pending.length ? confirm.addToken(pending, state) : home.home(state, go);
  }
  const m = route.match(/^(connect|confirm-transaction|confirmation)\/([^/]+)/);
  if (m) {
    const approval = state.approvals.find((a) => a.id === m[2]);
    if (!approval) return home.home(state, go);
    const nav = confirm.navigation(approval, state.approvals, go, routeFor);
    if (approval.type === 'connect') return confirm.connect(approval, state);
    if (approval.type === 'chainPermission' && !route.endsWith('/confirm-permissions')) {
      // The moment 13.36 renders it as a connect screen (its buttons act on this approval, as there).
      setTimeout(() => { if (location.hash === `#${route}`) go(`#${route}/confirm-permissions`); }, CHAIN_PERMISSION_AS_CONNECT_MS);
      return confirm.connect(approval, state);
    }
    if (approval.type === 'chainPermission') return confirm.chainPermission(approval);
    if (approval.type === 'addEthereumChain') return confirm.addNetwork(approval, state);
    if (approval.type === 'transaction') return confirm.transaction(approval, state, nav);
    return confirm.signature(approval, state, nav);
  }
  return home.home(state, go);
}

function render() {
  if (!state) return;
  const route = location.hash.replace(/^#/, '');
  const target = redirect(route);
  if (target !== null && target !== `#${route}` && !(target === '#' && route === '')) {
    location.hash = target;
    return; // hashchange renders
  }
  const approvalIds = state.approvals.map((a) => `${a.id}:${a.rev || 0}`).join(','); // rev: edited by its screen
  const key = JSON.stringify([route, state.unlocked, state.selected, state.accounts.length, state.network, state.networks.length, state.settings, state.approvalSurface,
    route.match(/^(connect|confirm|settings)/) || route === '' ? approvalIds : '']);
  if (key === rendered) return;
  rendered = key;
  document.getElementById('popover-content').replaceChildren(); // modals belong to the screen that opened them
  root.replaceChildren(h('div', { class: 'app os-linux browser-chrome' }, screen(route)));
  confirm.syncThrottleModal((route.match(/^(?:connect|confirm-transaction|confirmation)\/([^/]+)/) || [])[1] || null);
  const covering = PAGE === 'home' && route === '' && state.unlocked && state.onboarding === 'done' && home.announcement(state);
  if (covering) document.getElementById('popover-content').append(covering);
}

async function refresh() {
  const before = state;
  state = await loadState();
  if (before && !before.unlocked && state.unlocked && location.hash === '#unlock' && !unlockingHere) staleUnlock = true;
  render();
}

window.addEventListener('hashchange', () => { rendered = null; render(); });
chrome.storage.onChanged.addListener(() => refresh());
refresh();
