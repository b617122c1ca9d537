// Onboarding by import, screen by screen as in MetaMask 13.5 (home.html#onboarding/...), with 13.36's
// metametrics screen.
import { Mnemonic } from 'ethers';
import { button, h, send, setDisabled, text } from './dom.js';

const VALID_LENGTHS = [12, 15, 18, 21, 24];
// The phrase lives only in this page's memory between the import and password screens.
let pendingPhrase = null;

function frame(testid, ...content) {
  return h('div', { class: 'mm-box main-container-wrapper' },
    h('div', { class: 'mm-box onboarding-flow' },
      h('div', { class: 'mm-box onboarding-app-header' },
        h('div', { class: 'mm-box onboarding-app-header__contents' },
          h('button', { class: 'mm-box onboarding-app-header__logo-container', testid: 'app-header-logo' }))),
      h('div', { class: 'mm-box onboarding-flow__container' }, h('div', { class: 'mm-box', testid: testid }, ...content))));
}

export function welcome(go) {
  const create = button('Create a new wallet', { testid: 'onboarding-create-wallet', class: 'mm-button-base--size-lg mm-button-secondary' });
  // Creating a fresh wallet is not part of what the driver does; only import is reproduced.
  setDisabled(create, true);
  return frame('get-started',
    h('div', { class: 'mm-box welcome-login__content' },
      h('h2', { class: 'mm-box mm-text welcome-login__title', testid: 'onboarding-welcome' }, "Let's get started!")),
    h('div', { class: 'mm-box' },
      create,
      button('Import using Secret Recovery Phrase', {
        testid: 'onboarding-import-wallet', class: 'mm-button-base--size-lg mm-button-primary',
        onclick: () => go('#onboarding/import-with-recovery-phrase'),
      })));
}

function splitWords(s) {
  return String(s).trim().toLowerCase().split(/\s+/).filter(Boolean);
}

export function importSrp(go) {
  let words = [];
  const confirm = button('Continue', { testid: 'import-srp-confirm', type: 'primary', class: 'mm-button-base--size-lg mm-button-primary' });
  const area = h('div', { class: 'mm-box srp-input-import' });
  const err = text('p', 'mm-box mm-text mm-text--body-sm mm-box--color-error-default', '');

  // Words typed so far, without the empty input a trailing space opens for the next word.
  const entered = () => {
    const list = words.map((w) => w.trim());
    while (list.length && !list[list.length - 1]) list.pop();
    return list;
  };
  const phrase = () => entered().join(' ');
  function validate() {
    const list = entered();
    const complete = VALID_LENGTHS.includes(list.length) && list.every(Boolean);
    const ok = complete && Mnemonic.isValidMnemonic(phrase());
    err.textContent = complete && !ok ? 'Invalid Secret Recovery Phrase' : '';
    setDisabled(confirm, !ok);
  }

  function setWords(list, focusIndex) {
    words = list.slice(0, 24);
    render(focusIndex);
    validate();
  }

  function onPaste(event, index = 0) {
    const data = event.clipboardData?.getData('text/plain') ?? event.clipboardData?.getData('text') ?? '';
    const pasted = splitWords(data);
    if (!pasted.length) return;
    event.preventDefault();
    setWords(index === 0 && pasted.length > 1 ? pasted : [...words.slice(0, index), ...pasted, ...words.slice(index + 1)]);
  }

  function wordInput(i) {
    const input = h('input', {
      class: 'mm-box mm-text mm-input mm-text-field__input', type: 'password', testid: `import-srp__srp-word-${i}`,
      autocomplete: 'off', value: words[i] || '',
    });
    input.addEventListener('paste', (e) => onPaste(e, i));
    input.addEventListener('input', () => {
      const v = input.value;
      if (/\s/.test(v)) {
        // A space ends the word and moves on to the next one, like MetaMask's word inputs.
        const parts = splitWords(v);
        const next = [...words];
        next.splice(i, 1, ...(parts.length ? parts : ['']));
        if (/\s$/.test(v) && next.length < 24 && i + parts.length >= next.length) next.push('');
        setWords(next, Math.min(i + Math.max(parts.length, 1), next.length - 1));
        return;
      }
      words[i] = v.toLowerCase();
      validate();
    });
    return h('div', { class: 'mm-box srp-input-import__word' }, text('p', 'mm-box mm-text', `${i + 1}.`), input);
  }

  function textareaView() {
    const ta = h('textarea', {
      class: 'mm-box mm-text mm-textarea', testid: 'srp-input-import__srp-note',
      placeholder: 'Add a space between each word and make sure no one is watching.',
    });
    ta.addEventListener('paste', (e) => onPaste(e, 0));
    ta.addEventListener('input', () => {
      if (/\s/.test(ta.value) && splitWords(ta.value).length) {
        const parts = splitWords(ta.value);
        const next = /\s$/.test(ta.value) ? [...parts, ''] : parts;
        setWords(next, next.length - 1);
      }
    });
    return ta;
  }

  function render(focusIndex) {
    area.replaceChildren();
    if (!words.length) {
      area.append(h('div', { class: 'mm-box' }, textareaView()),
        h('div', { class: 'mm-box' },
          button('Show all', { class: 'mm-button-link' }),
          button('Paste', {
            testid: 'srp-input-import__paste-button', class: 'mm-button-link',
            onclick: async () => setWords(splitWords(await navigator.clipboard.readText())),
          })));
      return;
    }
    area.append(h('div', { class: 'mm-box srp-input-import__words' }, words.map((_, i) => wordInput(i))),
      h('div', { class: 'mm-box' },
        button('Show all', { class: 'mm-button-link' }),
        button('Clear all', { class: 'mm-button-link', onclick: () => setWords([]) })));
    if (focusIndex !== undefined) area.querySelector(`[data-testid="import-srp__srp-word-${focusIndex}"]`)?.focus();
  }

  confirm.addEventListener('click', () => {
    if (confirm.disabled) return;
    pendingPhrase = phrase();
    go('#onboarding/create-password');
  });
  render();
  validate();
  return frame('import-srp',
    h('div', { class: 'mm-box import-srp' },
      button('', { 'aria-label': 'Back', testid: 'import-srp-back-button', onclick: () => go('#onboarding/welcome') }),
      text('p', 'mm-box mm-text mm-text--body-md', 'Step 1 of 2'),
      text('h2', 'mm-box mm-text mm-text--heading-lg', 'Import a wallet'),
      text('p', 'mm-box mm-text mm-text--body-md', 'Enter your Secret Recovery Phrase'),
      h('form', { onsubmit: (e) => e.preventDefault() }, area, err)),
    confirm);
}

export function createPassword(go) {
  if (!pendingPhrase) {
    // Reloaded between screens: the phrase is gone (never stored), start the import again.
    setTimeout(() => go('#onboarding/import-with-recovery-phrase'));
    return h('div');
  }
  const pw = h('input', { class: 'mm-box mm-text mm-input', id: 'create-password-new', type: 'password', testid: 'create-password-new-input' });
  const pw2 = h('input', { class: 'mm-box mm-text mm-input', id: 'create-password-confirm', type: 'password', testid: 'create-password-confirm-input' });
  const terms = h('input', { class: 'mm-box mm-checkbox__input', type: 'checkbox', testid: 'create-password-terms', id: 'create-password-terms' });
  const shortErr = text('p', 'mm-box mm-text mm-help-text', 'Must be at least 8 characters', { testid: 'short-password-error' });
  const mismatch = text('p', 'mm-box mm-text mm-help-text', '');
  const submit = button('Create password', { testid: 'create-password-submit', class: 'mm-button-base--size-lg mm-button-primary' });
  const update = () => {
    mismatch.textContent = pw2.value && pw.value !== pw2.value ? "Passwords don't match" : '';
    setDisabled(submit, !(pw.value.length >= 8 && pw.value === pw2.value && terms.checked));
  };
  for (const el of [pw, pw2]) el.addEventListener('input', update);
  terms.addEventListener('change', update);
  submit.addEventListener('click', async (e) => {
    e.preventDefault();
    if (submit.disabled) return;
    setDisabled(submit, true);
    try {
      await send('createVault', { phrase: pendingPhrase, password: pw.value });
      pendingPhrase = null;
      go('#onboarding/metametrics');
    } catch (err) {
      mismatch.textContent = err.message;
      update();
    }
  });
  update();
  return frame('create-password-page',
    h('form', { class: 'mm-box create-password', testid: 'create-password', onsubmit: (e) => e.preventDefault() },
      button('', { 'aria-label': 'Back', testid: 'create-password-back-button', type: 'button', onclick: () => go('#onboarding/import-with-recovery-phrase') }),
      text('p', 'mm-box mm-text', 'Step 2 of 2'),
      text('h2', 'mm-box mm-text mm-text--heading-lg', 'MetaMask password'),
      h('label', { for: 'create-password-new' }, 'Create new password'), pw, shortErr,
      h('label', { for: 'create-password-confirm' }, 'Confirm password'), pw2, mismatch,
      h('label', { class: 'mm-box mm-text mm-checkbox', for: 'create-password-terms' }, terms,
        h('span', {}, 'If I forget this password, MetaMask can’t reset it for me. ')),
      submit));
}

function stepButton(label, testid, onclick, primary = true) {
  return button(label, { testid, onclick, class: `mm-button-base--size-lg ${primary ? 'mm-button-primary' : 'mm-button-secondary'}` });
}

async function advance(go, step) {
  await send('setOnboarding', { step });
  go(step === 'done' ? '#' : `#onboarding/${step}`);
}

// As in MetaMask 13.36: one "Continue" under a consent box that is ticked by default (13.5 had "No thanks" and
// "I agree"); the marketing box can be ticked only with the first. The choice is what settings show afterwards.
function consentBox(testid, label, checked, onChange) {
  const box = h('div', { class: 'mm-box onboarding-metametrics__checkbox', role: 'checkbox', tabindex: '0', testid },
    h('span', { class: 'mm-box mm-text' }, label));
  const set = (value, disabled = false) => {
    box.setAttribute('data-checked', String(value));
    box.setAttribute('aria-checked', String(value));
    box.setAttribute('aria-disabled', String(disabled));
  };
  set(checked);
  box.addEventListener('click', () => { if (box.getAttribute('aria-disabled') !== 'true') onChange(); });
  return { box, set };
}

export function metametrics(go) {
  let participate = true;
  let marketing = false;
  const render = () => {
    usage.set(participate);
    data.set(participate && marketing, !participate);
  };
  const usage = consentBox('metametrics-checkbox', 'Gather basic usage data', true, () => {
    participate = !participate;
    if (!participate) marketing = false;
    render();
  });
  const data = consentBox('metametrics-data-collection-checkbox', 'Product updates', false, () => {
    marketing = !marketing;
    render();
  });
  render();
  const agree = async () => {
    const { settings = {} } = await chrome.storage.local.get('settings');
    await chrome.storage.local.set({ settings: { ...settings, participateInMetaMetrics: participate } });
    await advance(go, 'completion');
  };
  return frame('onboarding-metametrics',
    text('h2', 'mm-box mm-text', 'Help improve MetaMask'),
    usage.box, data.box,
    stepButton('Continue', 'metametrics-i-agree', agree));
}

export function completion(go) {
  return frame('wallet-ready',
    text('h2', 'mm-box mm-text', 'Your wallet is ready!'),
    stepButton('Manage default settings', 'manage-default-settings', () => {}, false),
    stepButton('Done', 'onboarding-complete-done', () => advance(go, 'download-app')));
}

export function downloadApp(go) {
  return frame('onboarding-download-app',
    text('h2', 'mm-box mm-text', 'Scan QR code and download the app'),
    stepButton('Continue', 'download-app-continue', () => advance(go, 'pin-extension')));
}

export function pinExtension(go) {
  return frame('onboarding-pin-extension',
    text('h2', 'mm-box mm-text', 'Your MetaMask install is complete!'),
    button('', { 'aria-label': 'Next', testid: 'pin-extension-next' }),
    stepButton('Done', 'pin-extension-done', () => advance(go, 'done')));
}
