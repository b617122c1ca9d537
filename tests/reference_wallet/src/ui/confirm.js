// Approval screens (in sidepanel.html or notification.html, whichever follows approvals): connect, signatures, transactions, add network.
import { getAddress, isHexString, toUtf8String, formatEther, formatUnits } from 'ethers';
import { button, h, send, setDisabled, shortAddress, text } from './dom.js';

const P = 'mm-box mm-text mm-text--body-md mm-box--color-inherit';
const LABEL = 'mm-box mm-text mm-text--body-md-medium mm-box--color-inherit';

function resolveWith(approval, approved, buttons) {
  return async () => {
    for (const b of buttons()) setDisabled(b, true);
    await send('resolveApproval', { id: approval.id, approved });
  };
}

function footerButtons(approval, cancelTestid, okTestid, okLabel, cancelLabel = 'Cancel', { throttled = false } = {}) {
  const cancel = button(cancelLabel, { testid: cancelTestid, class: 'mm-button-base--size-lg mm-button-base--block mm-button-secondary' });
  const ok = button(okLabel, { testid: okTestid, class: 'mm-button-base--size-lg mm-button-base--block mm-button-primary' });
  const refuse = resolveWith(approval, false, () => [cancel, ok]);
  cancel.addEventListener('click', throttled ? askWhenThrottled(approval, refuse) : refuse);
  ok.addEventListener('click', resolveWith(approval, true, () => [cancel, ok]));
  return [cancel, ok];
}

// As 13.36 after several refusals of one origin: Cancel opens this modal instead of refusing. Its "Cancel"
// refuses the one confirmation; "Temporarily block this site" refuses every request of the origin for a
// minute. Escape and clicks outside do nothing; the overlay covers the page.
// The confirmation whose Cancel is asking ({ id, modal }): the modal belongs to it, as in MetaMask, so it stays
// over that confirmation when the screen is drawn again (a new request queued) and goes with it.
let asking = null;
const modalHost = () => document.getElementById('popover-content') || document.body;

export function syncThrottleModal(shownApprovalId) {
  if (!asking) return;
  if (asking.id !== shownApprovalId) {
    asking.modal.remove();
    asking = null;
  } else if (!asking.modal.isConnected) {
    modalHost().append(asking.modal);
  }
}

function askWhenThrottled(approval, refuse) {
  return async () => {
    const { origin } = approval;
    if (!(await send('originThrottled', { origin }))) {
      await refuse();
      return send('recordRefusal', { origin });
    }
    const done = () => { asking = null; modal.remove(); };
    const modal = h('div', { class: 'mm-modal-root' },
      h('div', { class: 'mm-modal-overlay', testid: 'modal-overlay' }),
      h('section', { class: 'mm-box mm-modal mm-modal-content__dialog', role: 'dialog' },
        h('header', { class: 'mm-box mm-header-base mm-modal-header' },
          text('h4', 'mm-box mm-text mm-text--heading-sm', "We've noticed multiple requests")),
        text('p', 'mm-box mm-text mm-text--body-sm', hostPortOf(approval.origin), { testid: 'origin-pill' }),
        h('div', { class: 'mm-box' }, text('p', 'mm-box mm-text mm-text--body-md', "If you're being spammed with multiple requests, you can temporarily block the site.", { testid: 'confirmation-text' })),
        h('div', { class: 'mm-box mm-modal-footer' },
          button('Temporarily block this site', {
            class: 'mm-button-secondary',
            onclick: async () => { done(); await send('blockOrigin', { origin }); },
          }),
          button('Cancel', {
            class: 'mm-button-primary',
            onclick: async () => { done(); await refuse(); await send('resetOrigin', { origin }); },
          }))));
    asking = { id: approval.id, modal };
    modalHost().append(modal);
    return undefined;
  };
}

// Host only (no scheme, no port), as on MetaMask's connect page.
const hostOf = (origin) => { try { return new URL(origin).hostname; } catch { return origin; } };
// host[:port], shown next to a protocol badge on the redesigned confirmations.
const hostPortOf = (origin) => { try { return new URL(origin).host; } catch { return origin; } };

export function connect(approval, state) {
  const [cancel, ok] = footerButtons(approval, 'cancel-btn', 'confirm-btn', 'Connect');
  const address = state.selected;
  const balance = h('span', { class: 'mm-box mm-text currency-display-component__text', testid: 'account-value-and-suffix' }, '0');
  send('getBalance').then((wei) => { if (wei) balance.textContent = formatAmount(wei); }).catch(() => {});
  return h('div', { class: 'permissions-connect' },
    h('div', { class: 'mm-box multichain-page', testid: 'multichain-page' },
      h('div', { class: 'mm-box multichain-page__inner-container main-container connect-page', testid: 'connect-page' },
        h('div', { class: 'mm-box' },
          h('div', { class: 'mm-box' },
            h('h2', { class: 'mm-box mm-text mm-text--heading-lg mm-box--color-text-default' }, hostOf(approval.origin)),
            text('p', 'mm-box mm-text mm-text--body-md mm-box--color-text-alternative', 'Connect this website with MetaMask'))),
        h('div', { class: 'tabs' },
          h('div', { role: 'tablist' },
            button('Accounts', { role: 'tab', testid: 'accounts-tab' }), button('Permissions', { role: 'tab', testid: 'permissions-tab' })),
          h('div', { role: 'tabpanel' },
            h('div', { class: 'mm-box multichain-account-list-item', testid: 'account-item' },
              button(state.selectedName, { class: 'multichain-account-list-item__account-name__button' }),
              h('div', { class: 'mm-box currency-display-component', testid: 'first-currency-display' },
                balance, h('span', { class: 'mm-box mm-text currency-display-component__suffix' }, state.network.symbol)),
              h('p', { class: 'mm-box mm-text mm-text--body-sm', testid: 'account-list-address' }, shortAddress(address))),
            button('Edit accounts', { class: 'mm-button-link', testid: 'edit' }))),
        h('div', { class: 'mm-box multichain-page-footer' }, cancel, ok))));
}

// wallet_watchAsset of an ERC-20: MetaMask's legacy "Add suggested tokens" page (13.5 and 13.36 alike). Its
// route has no id: it lists every suggestion pending, and "Add token" / "Cancel" answer all of them.
export function addToken(pending, state) {
  const cancel = button('Cancel', { testid: 'page-container-footer-cancel', class: 'mm-button-base--size-lg mm-button-base--block mm-button-secondary' });
  const ok = button('Add token', { testid: 'page-container-footer-next', class: 'mm-button-base--size-lg mm-button-base--block mm-button-primary' });
  const answer = (approved) => async () => {
    for (const b of [cancel, ok]) setDisabled(b, true);
    for (const a of pending) await send('resolveApproval', { id: a.id, approved });
  };
  cancel.addEventListener('click', answer(false));
  ok.addEventListener('click', answer(true));
  const item = (a) => {
    const t = a.data.token;
    const units = BigInt(a.data.balance || 0) / 10n ** BigInt(t.decimals);
    return h('div', { class: 'confirm-add-suggested-token__token-list-item' },
      h('div', { class: 'confirm-add-suggested-token__token' }, text('div', 'confirm-add-suggested-token__name', t.symbol)),
      h('div', { class: 'confirm-add-suggested-token__balance' },
        text('span', 'mm-box mm-text currency-display-component__text', units.toLocaleString('en-US'), { testid: 'account-value-and-suffix' })));
  };
  return h('div', { class: 'page-container' },
    h('div', { class: 'page-container__header' },
      text('h2', 'page-container__title', 'Add suggested tokens'),
      text('p', 'page-container__subtitle', 'Would you like to import these tokens?')),
    h('div', { class: 'page-container__content' },
      h('div', { class: 'confirm-add-suggested-token__header' },
        text('div', 'confirm-add-suggested-token__token', 'Token'), text('div', 'confirm-add-suggested-token__balance', 'Balance')),
      h('div', { class: 'confirm-add-suggested-token__token-list' }, pending.map(item))),
    h('div', { class: 'page-container__footer' }, cancel, ok));
}

// MetaMask 13.5's "Review permissions" for a network the wallet has but the site may not use yet.
export function chainPermission(approval) {
  const [cancel, ok] = footerButtons(approval, 'page-container-footer-cancel', 'page-container-footer-next', 'Confirm');
  const n = approval.data.network;
  return h('div', { class: 'permissions-connect' },
    h('div', { class: 'mm-box permission-page-container-content' },
      h('div', { class: 'mm-box' },
        text('h3', 'mm-box mm-text mm-text--heading-md', 'Review permissions'),
        h('p', { class: 'mm-box mm-text mm-text--body-md' }, h('span', {}, ' ',
          text('span', 'mm-box mm-text mm-text--body-md mm-text--font-weight-medium', hostPortOf(approval.origin)),
          ' is asking for your approval to: '))),
      h('div', { class: 'mm-box permission-cell' },
        text('p', 'mm-box mm-text permission-cell__title', 'Use your enabled networks'),
        h('div', { class: 'mm-box mm-text permission-cell__status' }, h('span', {}, ' Requested now for ',
          h('span', { class: 'mm-box permission-cell__status__accounts-group-box' },
            h('div', { class: 'mm-box' },
              text('div', 'mm-box mm-text mm-avatar-base mm-avatar-network', n.name.charAt(0).toUpperCase()),
              text('p', 'mm-box mm-text mm-text--body-md-medium', n.name))))))),
    h('div', { class: 'mm-box page-container__footer' }, text('p', 'mm-box mm-text', 'Only connect with sites you trust.'), cancel, ok));
}

// One "confirm-info-row": a label and its value, as MetaMask lays them out.
function row(label, value, testid) {
  return h('div', { class: 'mm-box confirm-info-row', testid },
    h('div', { class: 'mm-box mm-box--display-flex' }, h('div', { class: 'mm-box mm-box--display-flex' }, text('p', LABEL, label))),
    value);
}

const plain = (v) => h('div', { class: 'mm-box mm-box--display-flex mm-box--gap-2' }, text('p', P, v));

// The wallet's own accounts, which MetaMask shows by name ("Account 1") instead of by address.
let ownAccounts = [];
let ownNames = {};
const displayName = (address) =>
  (ownAccounts.includes(address.toLowerCase()) ? ownNames[address.toLowerCase()] : shortAddress(getAddress(address)));

// Clicking a shown name opens MetaMask's "name details" modal: the full address in a read-only input.
function openNameDetails(address) {
  const host = document.getElementById('popover-content');
  const full = getAddress(address);
  const modal = h('div', { class: 'mm-modal name-details', testid: 'name-details-modal' },
    h('div', { class: 'mm-box mm-modal-overlay', onclick: () => modal.remove() }),
    h('div', { class: 'mm-box mm-modal-content' },
      h('section', { class: 'mm-box mm-modal-content__dialog', role: 'dialog' },
        h('header', { class: 'mm-box mm-header-base mm-modal-header' },
          text('h4', 'mm-box mm-text mm-text--heading-sm', displayName(full)),
          button('', { class: 'mm-button-icon', 'aria-label': 'Close', onclick: () => modal.remove() })),
        h('div', { class: 'mm-box mm-modal-body' },
          h('div', { class: 'mm-box name-details__address' },
            h('input', { class: 'mm-box mm-text mm-input', type: 'text', readonly: true, value: full }))),
        h('div', { class: 'mm-box mm-modal-footer' },
          button('Save', { class: 'mm-button-primary', onclick: () => modal.remove() })))));
  host.replaceChildren(modal);
}

function addressValue(address) {
  const own = ownAccounts.includes(address.toLowerCase());
  return h('div', { class: 'mm-box mm-box--display-flex' },
    h('div', { class: 'mm-box mm-box--display-flex' },
      h('div', { class: `name name__clickable ${own ? 'name__saved' : 'name__missing'}` },
        h('p', {
          class: 'mm-box mm-text name__value mm-text--body-md mm-box--color-text-default',
          onclick: () => openNameDetails(address),
        }, displayName(address)))));
}

function originRow(origin) {
  const proto = (() => { try { return new URL(origin).protocol.replace(':', '').toUpperCase(); } catch { return ''; } })();
  return row('Request from', h('div', { class: 'mm-box mm-box--display-flex mm-box--gap-2' },
    text('p', 'mm-box mm-text mm-text--body-sm', proto), text('p', P, hostPortOf(origin))));
}

const section = (testid, ...rows) => h('div', { class: 'mm-box mm-box--margin-bottom-4 mm-box--padding-2', testid }, ...rows);

// The header's advanced-details toggle (transactions only), as in MetaMask: a preference kept for every later
// transaction screen, not just this one.
const advancedOn = (state) => state.settings.confirmationAdvancedDetails === true;

async function toggleAdvanced() {
  const { settings = {} } = await chrome.storage.local.get('settings');
  settings.confirmationAdvancedDetails = !(settings.confirmationAdvancedDetails === true);
  await chrome.storage.local.set({ settings }); // storage change: the screen is drawn again
}

function confirmHeader(state, { advancedToggle = false } = {}) {
  const toggle = advancedToggle
    ? button('', { class: 'mm-button-icon', 'aria-label': 'Advanced tx details', testid: 'header-advanced-details-button', onclick: toggleAdvanced })
    : null;
  return h('div', { class: 'mm-box confirm_header__wrapper', testid: 'confirm-header' },
    h('div', { class: 'mm-box' },
      h('div', { class: 'mm-box' },
        h('div', { class: 'mm-box mm-text mm-avatar-base mm-avatar-network' }, state.network.name.charAt(0).toUpperCase())),
      h('div', { class: 'mm-box' },
        h('p', { class: 'mm-box mm-text mm-text--body-md-medium', testid: 'header-account-name' }, 'Account 1'),
        h('p', { class: 'mm-box mm-text mm-text--body-md mm-box--color-text-alternative', testid: 'header-network-display-name' }, state.network.name))),
    h('div', { class: 'mm-box' }, button('', { class: 'mm-button-icon', 'aria-label': 'Account details', testid: 'header-info__account-details-button' }), toggle));
}

function page(state, nav, body, footer, header = {}) {
  return h('div', { class: 'mm-box multichain-page', testid: 'multichain-page' },
    h('div', { class: 'mm-box multichain-page__inner-container confirm_wrapper' },
      nav, confirmHeader(state, header),
      h('div', { class: 'mm-box mm-box--width-full' }, h('div', { class: 'mm-box mm-box--padding-right-4 mm-box--padding-left-4' }, ...body)),
      h('div', { class: 'mm-box multichain-page-footer confirm-footer_page-footer' }, h('div', { class: 'mm-box mm-box--display-flex' }, ...footer))));
}

// "1 of 2" navigation between pending confirmations.
export function navigation(approval, approvals, go, routeFor) {
  const list = approvals.filter((a) => a.type !== 'unlock');
  if (list.length < 2) return null;
  const i = list.findIndex((a) => a.id === approval.id);
  const prev = button('', { class: 'mm-button-icon', 'aria-label': 'Previous Confirmation', testid: 'confirm-nav__previous-confirmation', onclick: () => go(routeFor(list[i - 1])) });
  const next = button('', { class: 'mm-button-icon', 'aria-label': 'Next Confirmation', testid: 'confirm-nav__next-confirmation', onclick: () => go(routeFor(list[i + 1])) });
  setDisabled(prev, i <= 0);
  setDisabled(next, i >= list.length - 1);
  return h('div', { class: 'confirm-nav' }, prev,
    text('p', 'mm-box mm-text mm-text--body-sm', `${i + 1} of ${list.length}`, { testid: 'confirm-page-nav-position' }), next,
    button('Reject all', { class: 'mm-button-link', testid: 'confirm-nav__reject-all', onclick: () => send('rejectAll') }));
}

function personalMessageText(message) {
  if (isHexString(message)) {
    try {
      return toUtf8String(message);
    } catch {
      return message; // not UTF-8: MetaMask shows the hex
    }
  }
  return String(message);
}

// Typed-data value tree: nested structs become nested rows with "Name:" labels, like MetaMask's.
function typedValue(types, type, value, key, index) {
  const label = `${key.charAt(0).toUpperCase()}${key.slice(1)}:`;
  const testid = `confirmation_data-${key}-index-${index}`;
  const base = type.replace(/\[\d*\]$/, '');
  if (type.endsWith(']') && Array.isArray(value)) {
    return row(label, h('div', { class: 'mm-box mm-box--width-full' },
      value.map((v, i) => typedValue(types, base, v, String(i), i))), testid);
  }
  if (types[base] && value && typeof value === 'object') {
    return row(label, h('div', { class: 'mm-box mm-box--width-full' },
      types[base].map((f, i) => typedValue(types, f.type, value[f.name], f.name, i))), testid);
  }
  if (type === 'address' && typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)) return row(label, addressValue(value), testid);
  return row(label, plain(value === undefined || value === null ? '' : String(value)), testid);
}

export function signature(approval, state, nav) {
  ownAccounts = state.accounts.map((a) => a.address.toLowerCase());
  ownNames = Object.fromEntries(state.accounts.map((a) => [a.address.toLowerCase(), a.name]));
  const [cancel, ok] = footerButtons(approval, 'confirm-footer-cancel-button', 'confirm-footer-button', 'Confirm', 'Cancel', { throttled: true });
  const body = [
    text('h2', 'mm-box mm-text mm-text--heading-lg mm-text--text-align-center', 'Signature request'),
    text('p', 'mm-box mm-text mm-text--body-md mm-text--text-align-center', 'Review request details before you confirm.'),
  ];
  const signIn = approval.type === 'personal_sign' ? parseSignIn(personalMessageText(approval.data.message)) : null;
  if (signIn) {
    body.splice(0, body.length, ...signInBody(approval, signIn, state));
    // As MetaMask for a sign-in whose domain is not the asking site: a danger mark on "Request from", and
    // Confirm becomes "Review alert", which does not sign (here it stays disabled).
    if (signIn.domain !== hostPortOf(approval.origin)) {
      ok.textContent = 'Review alert';
      setDisabled(ok, true);
    }
  } else if (approval.type === 'personal_sign') {
    body.push(section(undefined, originRow(approval.origin)),
      section(undefined, row('Message', plain(personalMessageText(approval.data.message)))));
  } else {
    const td = approval.data.typedData;
    const verifying = td.domain?.verifyingContract;
    body.push(section('confirmation_request-section', originRow(approval.origin),
      verifying ? row('Interacting with', addressValue(verifying)) : null),
    section('confirmation_message-section', row('Message', h('div', { class: 'mm-box mm-box--width-full' },
      row('Primary type:', plain(td.primaryType)),
      h('div', { class: 'mm-box' }, h('div', { class: 'mm-box mm-box--width-full' },
        (td.types[td.primaryType] || []).map((f, i) => typedValue(td.types, f.type, td.message[f.name], f.name, i))))))));
  }
  return page(state, nav, body, [cancel, ok]);
}

// Sign-In with Ethereum (EIP-4361): MetaMask shows such a personal_sign on its sign-in screen, the message's
// fields row by row inside the "Message" row (13.5 and 13.36 alike, seen 2026-12-03).
const SIGN_IN_HEAD = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)?(\S+) wants you to sign in with your Ethereum account:\n(0x[0-9a-fA-F]{40})\n\n(?:([^\n]+)\n\n)?/;

function parseSignIn(message) {
  const head = SIGN_IN_HEAD.exec(message);
  if (!head) return null;
  const fields = { domain: head[1], address: head[2], statement: head[3] || '' };
  for (const line of message.slice(head[0].length).split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) fields[line.slice(0, at)] = line.slice(at + 2);
  }
  return fields.URI && fields.Nonce && fields['Chain ID'] ? fields : null;
}

// "03 December 2026, 12:00", in the browser's time zone, as MetaMask formats the issue time.
function signInTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const two = (n) => String(n).padStart(2, '0');
  const month = d.toLocaleString('en-GB', { month: 'long' });
  return `${two(d.getDate())} ${month} ${d.getFullYear()}, ${two(d.getHours())}:${two(d.getMinutes())}`;
}

function signInOrigin(origin, domain) {
  const shown = originRow(origin);
  if (domain !== hostPortOf(origin)) {
    shown.querySelector('.mm-box--display-flex').append(
      h('div', { class: 'inline-flex rounded-sm inline-alert inline-alert__danger', testid: 'inline-alert' },
        text('p', 'mm-box mm-text mm-text--body-sm', 'Alert')));
  }
  return shown;
}

function signInBody(approval, f, state) {
  return [
    text('h2', 'mm-box mm-text mm-text--heading-lg mm-text--text-align-center', 'Sign-in request'),
    text('p', 'mm-box mm-text mm-text--body-md mm-text--text-align-center', 'A site wants you to sign in to prove you own this account.'),
    section(undefined, signInOrigin(approval.origin, f.domain), row('Signing in with', plain(displayName(f.address)))),
    section(undefined, row('Message', h('div', { class: 'mm-box mm-box--width-full' },
      f.statement ? text('p', P, f.statement) : null,
      row('URL', plain(f.URI)),
      row('Network', plain(`0x${Number(f['Chain ID']).toString(16)}`)),
      row('Account', plain(displayName(f.address))),
      row('Version', plain(f.Version || '')),
      row('Chain ID', plain(f['Chain ID'])),
      row('Nonce', plain(f.Nonce)),
      row('Issued', plain(signInTime(f['Issued At'])))))),
  ];
}

// Native amounts as MetaMask shows them: up to 6 decimals, "<0.000001" below that.
export function formatAmount(weiHex) {
  const wei = BigInt(weiHex || 0);
  if (wei === 0n) return '0';
  if (wei < 10n ** 12n) return '<0.000001';
  const [i, f = ''] = formatEther(wei).split('.');
  const frac = f.slice(0, 6).replace(/0+$/, '');
  return frac ? `${i}.${frac}` : i;
}

// The full value, as MetaMask writes it for its tooltip: plain decimal, no trailing zeros ("1", "0.0012345").
const fullAmount = (weiHex) => formatEther(BigInt(weiHex || 0)).replace(/\.0$/, '');

// A rounded amount comes with its full value in a tooltip over it (MetaMask's tooltip keeps the title in
// data-original-title on a wrapper); one shown in full has none.
function amountHeading(weiHex, symbol) {
  const shown = formatAmount(weiHex);
  const heading = h('h2', { class: 'mm-box mm-text mm-text--heading-lg mm-box--margin-top-3 mm-box--color-inherit' },
    `${shown} ${symbol}`);
  const full = fullAmount(weiHex);
  if (shown === full) return heading;
  return h('div', { 'data-tooltipped': '', 'data-original-title': full, style: 'display: inline;' }, heading);
}

function flowParty(label, address, testid) {
  return h('div', { class: 'mm-box confirm-info-row' },
    h('div', { class: 'mm-box mm-box--display-flex' }, h('div', { class: 'mm-box mm-box--display-flex' }, text('p', LABEL, label))),
    h('div', { class: 'mm-box mm-box--margin-top-1', testid },
      h('div', { class: 'mm-box mm-box--display-flex' },
        h('div', { class: 'mm-box mm-box--display-flex' },
          h('p', {
            class: 'mm-box mm-text mm-text--body-md mm-box--margin-left-2 mm-box--color-inherit',
            testid: 'confirm-info-row-display-name', onclick: () => openNameDetails(address),
          }, displayName(address))))));
}

export function transaction(approval, state, nav) {
  ownAccounts = state.accounts.map((a) => a.address.toLowerCase());
  ownNames = Object.fromEntries(state.accounts.map((a) => [a.address.toLowerCase(), a.name]));
  const [cancel, ok] = footerButtons(approval, 'confirm-footer-cancel-button', 'confirm-footer-button', 'Confirm', 'Cancel', { throttled: true });
  const tx = approval.data.txParams;
  const symbol = approval.data.symbol || 'ETH';
  const hasData = tx.data && tx.data !== '0x';
  const cannotPay = insufficientFunds(approval.data);
  // An ERC-20 approve, as 13.36 shows it (probed 2026-12-04): "Spending cap request", the cap in token units
  // (raw units where the token's decimals could not be read), the spender and the contract abbreviated.
  if (!cannotPay && tx.to && (tx.data || '').toLowerCase().startsWith('0x095ea7b3') && tx.data.length >= 138) {
    return spendingCap(approval, state, nav, tx, hasData, [cancel, ok]);
  }
  // A contract creation, as 13.36 shows it: headed "Deploy a contract", no From/To parties, no amount
  // unless it carries value; its origin and network in the transaction details section.
  const deploy = !tx.to;
  const body = [
    deploy ? h('h2', { class: 'mm-box mm-text mm-text--heading-md' }, 'Deploy a contract') : null,
    deploy && BigInt(tx.value || '0x0') === 0n ? null : h('div', { class: 'mm-box mm-box--padding-4 mm-box--display-flex' },
      h('div', { class: 'mm-box mm-text mm-avatar-base mm-avatar-token' }, symbol.charAt(0)),
      amountHeading(tx.value, symbol)),
    deploy ? null : section('confirmation__transaction-flow',
      h('div', { class: 'mm-box mm-box--display-flex mm-box--justify-content-space-between' },
        flowParty('From', tx.from, 'sender-address'),
        flowParty('To', tx.to, 'recipient-address'))),
    section(deploy ? 'transaction-details-section' : 'confirmation__token-details-section',
      row('Network', h('div', { class: 'mm-box mm-box--display-flex mm-box--gap-2' },
        text('p', 'mm-box mm-text mm-text--body-md mm-box--color-text-default', approval.data.networkName || state.network.name))),
      h('div', { class: 'mm-box confirm-info-row', testid: 'transaction-details-origin-row' }, ...originRow(approval.origin).childNodes)),
    section('gas-fee-section', networkFeeRow(approval.data, cannotPay)),
    ...(advancedOn(state) ? advancedDetails(tx, hasData, approval.data) : []),
  ];
  // As MetaMask for an alert that blocks: Confirm stays disabled, Cancel works.
  if (cannotPay) setDisabled(ok, true);
  return page(state, nav, body, [cancel, ok], { advancedToggle: true });
}

// 13.5's habit (seen 2026-12-04: an approve of 70000 read as such and sent as 0, the cap typed on the approve
// before it): a cap typed on one approve stays in the page, and every later approve that page shows is sent
// with it, whatever its screen showed. Here at its worst: written when Confirm is clicked. A page loaded
// anew starts without it.
let typedCap = null; // { id, cap }: the approval it was typed on and the cap

function spendingCap(approval, state, nav, tx, hasData, footer) {
  if (typedCap && typedCap.id !== approval.id) {
    const { cap } = typedCap;
    footer[1].addEventListener('click', (event) => {
      event.stopImmediatePropagation();
      send('editSpendingCap', { id: approval.id, cap, now: true })
        .then(() => send('resolveApproval', { id: approval.id, approved: true }))
        .catch(() => {});
    }, { capture: true });
  }
  const spender = getAddress('0x' + tx.data.slice(34, 74));
  const amount = BigInt('0x' + tx.data.slice(74, 138));
  const unlimited = amount >= 2n ** 255n;
  const cap = unlimited ? 'Unlimited' : tokenUnits(amount, approval.data.tokenDecimals);
  const body = [
    h('h2', { class: 'mm-box mm-text mm-text--heading-md' }, 'Spending cap request'),
    text('p', P, 'This site wants permission to withdraw your tokens'),
    section('confirmation__simulation_section',
      row('Spending cap', h('div', { class: 'mm-box mm-box--display-flex' },
        button('\u270e', { testid: 'edit-spending-cap-icon', class: 'mm-button-icon', 'aria-label': 'Edit', onclick: () => editSpendingCap(approval, cap) }),
        text('p', P, cap, { testid: 'simulation-token-value' }),
        text('p', P, shortAddress(getAddress(tx.to)))))),
    section('confirmation__approve-details',
      row('Spender', plain(shortAddress(spender)), 'confirmation__approve-spender'),
      row('Network', plain(approval.data.networkName || state.network.name)),
      h('div', { class: 'mm-box confirm-info-row', testid: 'transaction-details-origin-row' }, ...originRow(approval.origin).childNodes),
      row('Interacting with', plain(shortAddress(getAddress(tx.to))), 'transaction-details-recipient-row')),
    section('gas-fee-section', networkFeeRow(approval.data, false)),
    ...(advancedOn(state) ? advancedDetails(tx, hasData, approval.data) : []),
  ];
  return page(state, nav, body, footer, { advancedToggle: true });
}

const tokenUnits = (amount, decimals) => formatUnits(amount, decimals ?? 0).replace(/\.0$/, '');

// MetaMask's "Edit spending cap" modal: its number field prefilled with the cap shown; Save closes it and the
// wallet then writes the new amount into the transaction (the screen re-renders with it).
function editSpendingCap(approval, shown) {
  const host = document.getElementById('popover-content');
  const input = h('input', { class: 'mm-box mm-text mm-input', type: 'number', testid: 'custom-spending-cap-input', value: shown === 'Unlimited' ? '' : shown });
  const modal = h('div', { class: 'mm-modal edit-spending-cap-modal' },
    h('div', { class: 'mm-box mm-modal-overlay', onclick: () => modal.remove() }),
    h('div', { class: 'mm-box mm-modal-content' },
      h('section', { class: 'mm-box mm-modal-content__dialog', role: 'dialog' },
        h('header', { class: 'mm-box mm-header-base mm-modal-header' }, text('h3', 'mm-box mm-text mm-text--heading-md', 'Edit spending cap')),
        h('div', { class: 'mm-box mm-modal-body' },
          text('p', P, 'Enter the amount that you feel comfortable being spent on your behalf.'),
          h('div', { class: 'mm-box mm-text-field' }, input)),
        h('div', { class: 'mm-box mm-modal-footer' },
          button('Cancel', { class: 'mm-button-secondary', onclick: () => modal.remove() }),
          button('Save', {
            class: 'mm-button-primary',
            onclick: () => {
              modal.remove();
              typedCap = { id: approval.id, cap: input.value };
              send('editSpendingCap', { id: approval.id, cap: input.value }).catch(() => {});
            },
          })))));
  host.replaceChildren(modal);
  input.focus();
}

// The most the transaction can cost: gas limit times fee per gas (null when either is unknown).
function maxFeeWei({ txParams, feePerGas }) {
  return txParams.gas && feePerGas ? BigInt(txParams.gas) * BigInt(feePerGas) : null;
}

// Insufficient funds, as MetaMask marks it: a danger alert on the "Network fee" row.
function insufficientFunds(data) {
  if (!data.balance) return false;
  return BigInt(data.balance) < BigInt(data.txParams.value || 0) + (maxFeeWei(data) ?? 0n);
}

function networkFeeRow(data, cannotPay) {
  const tx = data.txParams;
  const value = row('Network fee', plain(tx.gas ? `${BigInt(tx.gas)} gas` : 'Unavailable'));
  if (cannotPay) {
    value.querySelector('.mm-box--display-flex').append(
      h('div', { class: 'inline-flex rounded-sm inline-alert inline-alert__danger', testid: 'inline-alert' },
        text('p', 'mm-box mm-text mm-text--body-sm', 'Alert')));
  }
  return value;
}

// A fee in the native currency as MetaMask's fee rows show it: rounded to 4 decimals, no trailing zeros.
function feeText(wei, symbol) {
  const units = (wei + 5n * 10n ** 13n) / 10n ** 14n; // rounded to 0.0001
  const whole = units / 10000n;
  const frac = String(units % 10000n).padStart(4, '0').replace(/0+$/, '');
  return `${whole}${frac ? `.${frac}` : ''} ${symbol}`;
}

// MetaMask's advanced details: the nonce (filled in once the wallet has asked the chain), the max fee, then, for a
// transaction with calldata, a "Data" section that shows a spinner while decoding and then the calldata in
// full as hex (MetaMask shows a decoded function instead when it can decode; offline it cannot).
function advancedDetails(tx, hasData, data) {
  const nonce = h('p', { class: P, testid: 'advanced-details-displayed-nonce' }, 'undefined');
  send('getNonce', { from: tx.from }).then((n) => { if (n) nonce.textContent = String(BigInt(n)); }).catch(() => {});
  const parts = [section('advanced-details-nonce-section', row('Nonce', nonce))];
  const maxFee = maxFeeWei(data);
  if (maxFee !== null) parts.push(section(undefined, row('Max fee', plain(feeText(maxFee, data.symbol || 'ETH')), 'gas-fee-details-max-fee')));
  if (hasData) {
    const spinner = h('div', { class: 'preloader__icon' });
    const data = section('advanced-details-data-section', row('Data', h('div', { class: 'mm-box' }, spinner)));
    setTimeout(() => {
      spinner.remove();
      data.append(row('Hex', text('p', P, tx.data.toLowerCase(), { testid: 'advanced-details-transaction-hex' })));
    }, 150);
    parts.push(data);
  }
  return parts;
}

export function addNetwork(approval) {
  const [cancel, ok] = footerButtons(approval, 'confirmation-cancel-button', 'confirmation-submit-button', 'Approve');
  const n = approval.data.network;
  const def = (term, value) => [
    h('dt', { class: 'mm-box mm-text definition-list__term' }, term),
    h('dd', { class: 'mm-box mm-text definition-list__definition' }, value)];
  const list = h('dl', { class: 'definition-list' }, ...def('Currency symbol', n.symbol), ...def('Network URL', n.rpcUrl));
  // "See details" expands the list in place (and goes away), as in MetaMask 13.5.
  const more = h('a', {
    class: 'button btn-link truncated-definition-list__view-more', role: 'button',
    onclick: () => {
      list.append(...def('Chain ID', String(BigInt(n.chainId))), ...def('Network name', n.name),
        ...def('Block explorer URL', n.explorer || ''));
      more.remove();
    },
  }, 'See details');
  return h('div', { class: 'confirmation-page' },
    h('div', { class: 'mm-box confirmation-page__content' },
      h('h3', { class: 'box' }, `Add ${n.name}`),
      h('h6', { class: 'box' }, "You're adding this network to MetaMask and giving this site permission to use it."),
      h('div', { class: 'mm-box', testid: 'signature-origin-pill' },
        h('h6', { class: 'mm-box mm-text origin-pill-text', testid: 'signature-origin-pill-text' }, approval.origin)),
      h('div', { class: 'box' }, list, more),
      h('h6', { class: 'box' }, h('span', {}, 'Beware of network scams and security risks.'))),
    h('div', { class: 'confirmation-footer' },
      h('div', { class: 'callout callout--warning' }, h('p', { class: 'mm-box mm-text callout__content' },
        'We recommend that you verify the network details before proceeding.')),
      h('div', { class: 'confirmation-footer__actions' }, cancel, ok)));
}
