// EIP-1193 provider injected into the page's main world (window.ethereum), announced through EIP-6963.
const TO_CONTENT = 'refwallet-contentscript';
const FROM_CONTENT = 'refwallet-inpage';
const ICON =
  'data:image/svg+xml;base64,' +
  btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="15" fill="#f6851b"/></svg>');

class ProviderRpcError extends Error {
  constructor({ code, message, data }) {
    super(message);
    this.code = code;
    if (data !== undefined) this.data = data;
  }
}

class Provider {
  constructor() {
    this.isMetaMask = true;
    this.chainId = null;
    this.networkVersion = null;
    this.selectedAddress = null;
    this._listeners = new Map();
    this._pending = new Map();
    this._nextId = 1;
    this._state = { isUnlocked: false, initialized: false };
    this._metamask = { isUnlocked: async () => this._state.isUnlocked };
    window.addEventListener('message', (event) => {
      if (event.source !== window || event.data?.target !== FROM_CONTENT) return;
      this._onMessage(event.data.data);
    });
  }

  request(args) {
    if (!args || typeof args !== 'object' || typeof args.method !== 'string') {
      return Promise.reject(new ProviderRpcError({ code: -32600, message: "Expected a single, non-array, object argument." }));
    }
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      window.postMessage(
        { target: TO_CONTENT, data: { type: 'request', id, method: args.method, params: args.params } },
        location.origin === 'null' ? '*' : location.origin,
      );
    });
  }

  enable() {
    return this.request({ method: 'eth_requestAccounts' });
  }

  isConnected() {
    return true;
  }

  // Legacy web3 0.x style calls.
  sendAsync(payload, callback) {
    this.request(payload).then(
      (result) => callback(null, { id: payload.id, jsonrpc: '2.0', result }),
      (error) => callback(error, { id: payload.id, jsonrpc: '2.0', error }),
    );
  }

  send(methodOrPayload, paramsOrCallback) {
    if (typeof methodOrPayload === 'string') return this.request({ method: methodOrPayload, params: paramsOrCallback });
    if (typeof paramsOrCallback === 'function') return this.sendAsync(methodOrPayload, paramsOrCallback);
    throw new Error('Synchronous send is not supported.');
  }

  on(event, fn) {
    if (!this._listeners.has(event)) this._listeners.set(event, []);
    this._listeners.get(event).push(fn);
    return this;
  }

  once(event, fn) {
    const wrapped = (...a) => {
      this.removeListener(event, wrapped);
      fn(...a);
    };
    return this.on(event, wrapped);
  }

  removeListener(event, fn) {
    const list = this._listeners.get(event) || [];
    const i = list.indexOf(fn);
    if (i >= 0) list.splice(i, 1);
    return this;
  }

  removeAllListeners(event) {
    if (event) this._listeners.delete(event);
    else this._listeners.clear();
    return this;
  }

  listenerCount(event) {
    return (this._listeners.get(event) || []).length;
  }

  emit(event, ...args) {
    for (const fn of [...(this._listeners.get(event) || [])]) {
      try {
        fn(...args);
      } catch (e) {
        setTimeout(() => {
          throw e;
        });
      }
    }
    return true;
  }

  _onMessage(msg) {
    if (msg.type === 'response') {
      const p = this._pending.get(msg.id);
      if (!p) return;
      this._pending.delete(msg.id);
      if (msg.error) p.reject(new ProviderRpcError(msg.error));
      else p.resolve(msg.result);
    } else if (msg.type === 'event') {
      if (msg.event === 'accountsChanged') {
        this.selectedAddress = msg.data[0] || null;
      } else if (msg.event === 'chainChanged') {
        if (msg.data === this.chainId) return;
        this.chainId = msg.data;
        this.networkVersion = String(BigInt(msg.data));
      }
      this.emit(msg.event, msg.data);
    }
  }

  async _initialize() {
    try {
      const s = await this.request({ method: 'metamask_getProviderState' });
      this.chainId = s.chainId;
      this.networkVersion = s.networkVersion;
      this.selectedAddress = s.accounts[0] || null;
      this._state.isUnlocked = s.isUnlocked;
      this._state.initialized = true;
      this.emit('connect', { chainId: s.chainId });
    } catch {
      // The bridge is not up (extension reloaded); requests will fail individually.
    }
  }
}

const provider = new Provider();
Object.defineProperty(window, 'ethereum', { value: provider, configurable: true, writable: false });
provider._initialize();
window.dispatchEvent(new Event('ethereum#initialized'));

const info = Object.freeze({ uuid: crypto.randomUUID(), name: 'MetaMask', icon: ICON, rdns: 'io.metamask' });
function announce() {
  window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail: Object.freeze({ info, provider }) }));
}
window.addEventListener('eip6963:requestProvider', announce);
announce();
