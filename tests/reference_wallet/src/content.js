// Isolated-world bridge: page <-> background over a chrome.runtime port.
// Outstanding requests are re-sent if the port drops (service worker stopped); the background matches
// them to their approval by rid, so nothing is asked twice.
const TO_PAGE = 'refwallet-inpage';
const FROM_PAGE = 'refwallet-contentscript';
const outstanding = new Map();
let port = null;

function post(data) {
  window.postMessage({ target: TO_PAGE, data }, location.origin === 'null' ? '*' : location.origin);
}

function connect() {
  try {
    port = chrome.runtime.connect({ name: 'refwallet-provider' });
  } catch {
    port = null; // extension reloaded: this page's bridge is dead
    return;
  }
  port.onMessage.addListener((msg) => {
    if (msg.type === 'response') outstanding.delete(msg.id);
    post(msg);
  });
  port.onDisconnect.addListener(() => {
    port = null;
    setTimeout(() => {
      connect();
      if (port) for (const msg of outstanding.values()) port.postMessage(msg);
    }, 50);
  });
}

window.addEventListener('message', (event) => {
  if (event.source !== window || event.data?.target !== FROM_PAGE) return;
  const msg = event.data.data;
  if (!msg || msg.type !== 'request') return;
  msg.rid = crypto.randomUUID();
  outstanding.set(msg.id, msg);
  if (!port) connect();
  port?.postMessage(msg);
});

// Messages reset the worker's idle timer, so it is not stopped while a request waits for the user.
setInterval(() => {
  if (outstanding.size && port) port.postMessage({ type: 'ping' });
}, 10000);

connect();
