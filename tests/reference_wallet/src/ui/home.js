// Wallet home (also the idle screen of notification.html and sidepanel.html), account menu, lock/unlock, settings.
import { formatEther } from 'ethers';
import { button, h, send, setDisabled, shortAddress, text } from './dom.js';

export function appHeader(state, go) {
  const address = state.selected;
  const menu = h('div', { class: 'mm-box' });
  const openMenu = () => {
    if (menu.firstChild) return menu.replaceChildren();
    const item = (label, testid, onclick) => h('a', {
      class: 'menu-item', testid, href: '#',
      onclick: (e) => { e.preventDefault(); menu.replaceChildren(); onclick(); },
    }, h('div', {}, h('div', { class: 'mm-box mm-text mm-text--body-md' }, label)));
    menu.append(h('div', { class: 'mm-box mm-popover mm-popover--open', role: 'menu', testid: 'global-menu' },
      item('Networks', 'global-menu-networks', () => go('#networks')),
      item('Settings', 'global-menu-settings', () => go('#settings')),
      item('Lock MetaMask', 'global-menu-lock', async () => {
        await send('lock');
        go('#unlock');
      })));
  };
  return h('div', { class: 'mm-box multichain-app-header' },
    h('div', { class: 'mm-box multichain-app-header__contents' },
      h('div', { class: 'mm-box' },
        button(h('span', { class: 'mm-box mm-text multichain-account-picker__label' }, state.selectedName), {
          testid: 'account-menu-icon', onclick: () => go('#account-list'),
        }),
        button(h('span', { class: 'mm-box mm-text' }, h('span', { class: 'mm-box mm-text' }, shortAddress(address))), {
          // As MetaMask's copy (document.execCommand('copy')): only a real click copies, not a script's click().
          testid: 'app-header-copy-button',
          onclick: () => { if (navigator.userActivation?.isActive) navigator.clipboard?.writeText(address).catch(() => {}); },
        })),
      h('div', { class: 'mm-box' },
        button('', { class: 'mm-button-icon', 'aria-label': 'Account options', testid: 'account-options-menu-button', onclick: openMenu }),
        menu)));
}

function balanceText(wei) {
  if (wei === null || wei === undefined) return '0';
  const eth = formatEther(BigInt(wei));
  const [i, f = ''] = eth.split('.');
  const frac = f.replace(/0+$/, '').slice(0, 5);
  return frac ? `${i}.${frac}` : i;
}

export function home(state, go) {
  const balance = h('span', { class: 'mm-box mm-text currency-display-component__text', testid: 'account-value-and-suffix' }, '0');
  send('getBalance').then((wei) => { balance.textContent = balanceText(wei); }).catch(() => {});
  const net = state.network;
  return h('div', { class: 'app-home' },
    appHeader(state, go),
    h('div', { class: 'mm-box main-container-wrapper' },
      h('div', { class: 'main-container' },
        h('div', { class: 'home__container' },
          h('div', { class: 'home__main-view' },
            optedIn(state),
            h('div', { class: 'wallet-overview__balance' },
              h('div', { class: 'mm-box currency-display-component', testid: 'eth-overview__primary-currency' },
                balance, h('span', { class: 'mm-box mm-text currency-display-component__suffix' }, net.symbol))),
            h('div', { class: 'asset-list-control-bar' },
              button(h('p', { class: 'mm-box mm-text' }, net.name), { testid: 'sort-by-networks', onclick: () => go('#networks') })))))));
}

export function networks(state, go) {
  return h('div', { class: 'app-networks' },
    appHeader(state, go),
    h('div', { class: 'mm-box multichain-network-list-menu' },
      text('h4', 'mm-box mm-text', 'Manage networks'),
      state.networks.map((n) => h('div', {
        class: `multichain-network-list-item${n.chainId === state.network.chainId ? ' multichain-network-list-item--selected' : ''}`,
        testid: `network-list-item-eip155:${BigInt(n.chainId)}`,
        onclick: async () => { await send('selectNetwork', { chainId: n.chainId }); go('#'); },
      }, text('p', 'mm-box mm-text', n.name))),
      button('Back', { onclick: () => go('#') })));
}

export function unlock(state, { before, after }) {
  const input = h('input', {
    class: 'mm-box mm-text mm-input', id: 'password', placeholder: 'Enter your password', type: 'password',
    testid: 'unlock-password', autocomplete: 'current-password',
  });
  const err = text('p', 'mm-box mm-text mm-text--body-sm mm-box--color-error-default', '', { testid: 'unlock-page-help-text' });
  const submit = button('Unlock', { testid: 'unlock-submit', type: 'submit', class: 'mm-button-base--size-lg mm-button-primary' });
  const update = () => setDisabled(submit, !input.value);
  input.addEventListener('input', () => { err.textContent = ''; update(); });
  const doUnlock = async (e) => {
    e?.preventDefault();
    if (!input.value) return;
    setDisabled(submit, true);
    before();
    try {
      await send('unlock', { password: input.value });
    } catch {
      err.textContent = 'Password is incorrect. Please try again.';
      update();
      await after(false);
      return;
    }
    await after(true);
  };
  update();
  return h('div', { class: 'unlock-page__container' },
    h('form', { class: 'mm-box unlock-page', testid: 'unlock-page', onsubmit: doUnlock },
      text('h1', 'mm-box mm-text unlock-page__title', 'Welcome back', { testid: 'unlock-page-title' }),
      input, err, submit,
      button('Forgot password?', { class: 'mm-button-link', type: 'button', testid: 'unlock-forgot-password-button' })));
}

// Settings: only the toggles the driver can change (docs/metamask.md section 7); they are remembered but
// change nothing here, since this wallet never calls any web API. Advanced holds the approval surface switch.
function toggleButton(on, onFlip) {
  return h('label', {
    class: `toggle-button toggle-button--${on ? 'on' : 'off'}`, tabindex: '0',
    onclick: (e) => { e.preventDefault(); onFlip(!on); },
  }, h('input', { type: 'checkbox', value: String(on), checked: on }),
  h('div', { class: 'toggle-button__status' },
    h('span', { class: 'toggle-button__label-off' }, 'Off'), h('span', { class: 'toggle-button__label-on' }, 'On')));
}

async function flip(key, value) {
  const { settings = {} } = await chrome.storage.local.get('settings');
  settings[key] = value;
  await chrome.storage.local.set({ settings });
}

const isOn = (state, key) => state.settings[key] !== false;

function basicFunctionalityModal(close) {
  const box = h('input', { class: 'mm-box mm-checkbox__input', type: 'checkbox', id: 'basic-configuration-checkbox' });
  const confirm = button('Turn off', { testid: 'basic-configuration-modal-toggle-button', class: 'mm-button-base--size-lg mm-button-primary' });
  setDisabled(confirm, true);
  box.addEventListener('change', () => setDisabled(confirm, !box.checked));
  confirm.addEventListener('click', async () => { close(); await flip('basicFunctionality', false); });
  // As 13.36 renders it: the test id is on a root with no size of its own (overlay and dialog are fixed).
  return h('div', { class: 'mm-modal-root', testid: 'dapp-permission-modal' },
    h('div', { class: 'mm-modal-overlay' }),
    h('section', { class: 'mm-box mm-modal mm-modal-content__dialog', role: 'dialog' },
      h('header', { class: 'mm-box mm-header-base mm-modal-header' },
        text('h4', 'mm-box mm-text mm-text--heading-sm', 'Turn off basic functionality'),
        button('', { class: 'mm-button-icon', 'aria-label': 'Close', onclick: close })),
      h('div', { class: 'mm-box' },
        text('p', 'mm-box mm-text mm-text--body-sm', "This means you won't fully optimize your time on MetaMask."),
        h('div', { class: 'mm-box mm-box--display-flex' },
          h('label', { class: 'mm-box mm-text mm-checkbox', for: 'basic-configuration-checkbox' },
            h('span', { class: 'mm-checkbox__input-wrapper' }, box)),
          h('label', { class: 'mm-box mm-text mm-label mm-label--html-for', for: 'basic-configuration-checkbox' },
            'I understand and want to continue'))),
      h('div', { class: 'mm-box mm-modal-footer' },
        button('Cancel', { testid: 'basic-configuration-modal-cancel-button', class: 'mm-button-secondary', onclick: close }),
        confirm)));
}

// Laid out as in MetaMask 13.36, where the switches are spread over pages (13.5 had them all on security):
// security has none the driver changes, privacy has basic functionality and MetaMetrics, transactions the rest.
function row(state, key, label, testid) {
  return h('div', { class: 'mm-box settings-page__content-row' },
    h('div', { class: 'settings-page__content-item' }, h('span', {}, label)),
    h('div', { class: 'settings-page__content-item-col', testid }, toggleButton(isOn(state, key), (v) => flip(key, v))));
}

function securityRows(state) {
  return [row(state, 'phishingDetection', 'Use phishing detection', undefined)];
}

function privacyRows(state) {
  const modalHost = document.getElementById('popover-content');
  const basic = (value) => {
    if (value) return flip('basicFunctionality', true);
    const modal = basicFunctionalityModal(() => modal.remove());
    modalHost.append(modal);
    return undefined;
  };
  return [
    h('div', { class: 'mm-box settings-page__content-row', testid: 'advanced-setting-show-testnet-conversion' },
      h('div', { class: 'settings-page__content-item' },
        h('div', { class: 'mm-box mm-box--display-flex' },
          text('h4', 'mm-box mm-text mm-text--heading-sm', 'Basic functionality'),
          toggleButton(isOn(state, 'basicFunctionality'), basic)))),
    row(state, 'participateInMetaMetrics', 'Participate in MetaMetrics', 'participate-in-meta-metrics-toggle'),
  ];
}

function transactionRows(state) {
  return [
    h('span', { class: 'settings-page__security-tab-sub-header' }, 'Security alerts'),
    h('div', { class: 'settings-page__content-padded' }, row(state, 'securityAlerts', 'Security alerts', 'securityAlert')),
    h('span', { class: 'settings-page__security-tab-sub-header' }, 'Alerts'),
    h('div', { class: 'settings-page__content-padded' },
      row(state, 'transactionSimulations', 'Estimate balance changes', undefined)),
  ];
}

// Where dApp requests open: sidepanel.html (on, the default) or notification.html (off). MetaMask 13.12+ decides
// this with a remote flag (docs/metamask.md section 10); here it is a switch so tests can cover both.
function advancedRows(state) {
  const flipSurface = (on) => send('setApprovalSurface', { surface: on ? 'sidepanel' : 'notification' });
  return [
    h('div', { class: 'mm-box settings-page__content-row', testid: 'approval-surface-toggle' },
      h('div', { class: 'settings-page__content-item' }, h('span', {}, 'Open dApp requests in the side panel')),
      h('div', { class: 'settings-page__content-item-col' }, toggleButton(state.approvalSurface === 'sidepanel', flipSurface))),
  ];
}

const SECTIONS = {
  security: ['Security & password', securityRows],
  privacy: ['Privacy', privacyRows],
  transactions: ['Transactions', transactionRows],
  advanced: ['Advanced', advancedRows],
};

export function settings(state, go, section) {
  const [title, rows] = SECTIONS[section] || [];
  return h('div', { class: 'main-container settings-page' },
    h('div', { class: 'settings-page__header' }, text('h3', 'mm-box mm-text', 'Settings'),
      button('', { class: 'mm-button-icon', 'aria-label': 'Close', testid: 'settings-close', onclick: () => go('#') })),
    h('div', { class: 'settings-page__content' },
      rows
        ? [text('h4', 'mm-box mm-text', title), h('div', { class: 'settings-page__body' }, rows(state))]
        : [text('p', 'mm-box mm-text', 'Settings')]));
}

// Announcement modals that cover home once a wallet is set up, as 13.36 shows them when its remote flags say so
// (docs/metamask.md section 10): Transaction Shield first (Escape does not close it, only its X), then Rewards.
// Each offers an opt-in the driver must never take; what was done with each is kept in settings.announcements,
// and an opt-in leaves a banner on home, so a test can tell "closed" from "accepted".
const ANNOUNCEMENTS = [
  {
    key: 'shield', testid: 'shield-entry-modal', closeTestid: 'shield-entry-modal-close-button', escape: false,
    title: 'Introducing Transaction Shield',
    optIn: ['Start 14-day free trial', 'shield-entry-modal-get-started-button'],
  },
  {
    key: 'rewards', testid: 'rewards-modal', closeTestid: undefined, escape: true,
    title: 'Start earning rewards', optIn: ['Join Rewards', undefined],
  },
];

async function answer(key, value) {
  const { settings = {} } = await chrome.storage.local.get('settings');
  settings.announcements = { ...(settings.announcements || {}), [key]: value };
  await chrome.storage.local.set({ settings });
}

function announcementModal(a) {
  const close = () => answer(a.key, 'closed');
  const modal = h('div', { class: 'mm-modal', testid: a.testid },
    h('div', { class: 'mm-modal-overlay' }),
    h('section', { class: 'mm-box mm-modal-content__dialog', role: 'dialog' },
      h('header', { class: 'mm-box mm-header-base mm-modal-header' },
        text('h4', 'mm-box mm-text mm-text--heading-sm', a.title),
        button('', { class: 'mm-button-icon', 'aria-label': 'Close', testid: a.closeTestid, onclick: close })),
      h('div', { class: 'mm-box mm-modal-footer' },
        button(a.optIn[0], { class: 'mm-button-base--size-lg mm-button-primary', testid: a.optIn[1], onclick: () => answer(a.key, 'accepted') }))));
  if (a.escape) {
    const onKey = (e) => {
      if (!modal.isConnected) document.removeEventListener('keydown', onKey);
      else if (e.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
  }
  return modal;
}

// The next announcement still unanswered (null when none), for home.html's home screen only.
export function announcement(state) {
  const answered = state.settings.announcements || {};
  const next = ANNOUNCEMENTS.find((a) => !answered[a.key]);
  return next ? announcementModal(next) : null;
}

export function optedIn(state) {
  const answered = state.settings.announcements || {};
  const accepted = ANNOUNCEMENTS.filter((a) => answered[a.key] === 'accepted').map((a) => a.key);
  return accepted.length ? text('p', 'mm-box mm-text', `Opted in: ${accepted.join(', ')}`, { testid: 'reference-opted-in' }) : null;
}
