// The account list as MetaMask 13.36 shows it (#/account-list, a page of its own): one cell per account, the
// phrase's accounts first ("multichain-account-cell-entropy:<wallet>/<index>", no address shown) and imported
// ones after ("multichain-account-cell-keyring:Simple Key Pair/<address>"); "Add account" adds the phrase's
// next account without selecting it; "Add wallet" leads to the private-key import, which selects the new one.
import { button, h, send, setDisabled, text } from './dom.js';

const WALLET_ID = '01REFERENCEWALLET000000000';

function cell(account, selected, go) {
  const testid = account.kind === 'hd'
    ? `multichain-account-cell-entropy:${WALLET_ID}/${account.index}`
    : `multichain-account-cell-keyring:Simple Key Pair/${account.address.toLowerCase()}`;
  return h('div', {
    class: `multichain-account-cell${selected ? ' is-selected' : ''}`, testid,
    onclick: async () => { await send('selectAccount', { address: account.address }); go('#'); },
  }, text('p', 'mm-box mm-text', account.name), text('p', 'mm-box mm-text', '$0.00', { testid: 'balance-display' }));
}

export function accountList(state, go) {
  const hd = state.accounts.filter((a) => a.kind === 'hd');
  const imported = state.accounts.filter((a) => a.kind === 'imported');
  return h('div', { class: 'mm-box multichain-page', testid: 'multichain-page' },
    text('h4', 'mm-box mm-text', 'Accounts'),
    h('input', { class: 'mm-box mm-input', testid: 'multichain-account-list-search', placeholder: 'Search your accounts' }),
    hd.map((a) => cell(a, a.address === state.selected, go)),
    button('Add account', {
      testid: 'add-multichain-account-button',
      onclick: async (e) => { setDisabled(e.currentTarget, true); await send('addAccount'); },
    }),
    imported.length ? [text('p', 'mm-box mm-text', 'Imported accounts'), imported.map((a) => cell(a, a.address === state.selected, go))] : [],
    button('Add wallet', { testid: 'account-list-add-wallet-button', onclick: () => go('#choose-new-wallet-type') }));
}

export function chooseWalletType(go) {
  return h('div', { class: 'mm-box multichain-page', testid: 'multichain-page' },
    button('', { testid: 'back-button', 'aria-label': 'Back', onclick: () => go('#account-list') }),
    text('h4', 'mm-box mm-text', 'Add a wallet'),
    button('Import an account', { testid: 'choose-wallet-type-import-account', onclick: () => go('#add-wallet-page') }));
}

export function importAccount(go) {
  const input = h('input', { class: 'mm-box mm-text mm-input', id: 'private-key-box', type: 'password', autocomplete: 'off' });
  const err = text('p', 'mm-box mm-text mm-help-text', '');
  err.style.display = 'none';
  const submit = button('Import', { testid: 'import-account-confirm-button', class: 'mm-button-primary' });
  setDisabled(submit, true);
  input.addEventListener('input', () => { err.style.display = 'none'; setDisabled(submit, !input.value); });
  submit.addEventListener('click', async () => {
    setDisabled(submit, true);
    try {
      await send('importAccount', { privateKey: input.value });
    } catch (e) {
      err.textContent = String(e.message || e);
      err.style.display = '';
      setDisabled(submit, false);
      return;
    }
    input.value = '';
    go('#choose-new-wallet-type');
  });
  return h('div', { class: 'mm-box multichain-page', testid: 'multichain-page' },
    button('', { testid: 'add-wallet-page-back-button', 'aria-label': 'Back', onclick: () => go('#choose-new-wallet-type') }),
    text('h4', 'mm-box mm-text', 'Private key'),
    text('p', 'mm-box mm-text', 'Imported accounts won’t be associated with your MetaMask Secret Recovery Phrase.'),
    input, err, submit);
}
