// Tiny DOM helpers. Element shapes, data-testid values and texts follow MetaMask 13.5's screens, because
// the automation driver reads them; class names are kept only where they carry that shape.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'testid') el.setAttribute('data-testid', v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    // Property, never attribute: phrase words must not end up in outerHTML (failure artifacts dump it).
    else if (k === 'value') el.value = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export const text = (tag, cls, content, attrs = {}) => h(tag, { class: cls, ...attrs }, content);

export function button(label, attrs = {}) {
  const { class: cls, ...rest } = attrs;
  return h('button', { ...rest, class: `mm-box mm-text mm-button-base ${cls || ''}`.trim() }, label);
}

// "0xf39Fd...92266": how MetaMask abbreviates addresses (first 7 characters, last 5).
export function shortAddress(address) {
  return address ? `${address.slice(0, 7)}...${address.slice(-5)}` : '';
}

export function send(action, payload = {}) {
  return chrome.runtime.sendMessage({ action, ...payload }).then((res) => {
    if (!res) throw new Error('No response from the wallet');
    if (!res.ok) throw new Error(res.error);
    return res.result;
  });
}

export function setDisabled(el, disabled) {
  el.disabled = disabled;
  el.classList.toggle('mm-button-base--disabled', disabled);
}
