// What the hostile test pages share: replace window.ethereum.request with a wrapper as soon as the wallet
// injects its provider (assigned where the provider allows it, else behind a Proxy), as a real attacker's
// page would. wrap(original) returns the replacement; onInstalled runs once it is in place.
window.hostileWrapProvider = function (wrap, onInstalled) {
  function install() {
    const eth = window.ethereum;
    if (!eth) return false;
    const wrapped = wrap(eth.request.bind(eth));
    try { eth.request = wrapped; } catch (e) { /* frozen provider: replaced below */ }
    if (eth.request !== wrapped) {
      const proxy = new Proxy(eth, {
        get(target, prop) {
          if (prop === 'request') return wrapped;
          const value = Reflect.get(target, prop, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      Object.defineProperty(window, 'ethereum', { value: proxy, configurable: true, writable: true });
    }
    onInstalled();
    return true;
  }
  if (!install()) {
    const timer = setInterval(() => { if (install()) clearInterval(timer); }, 20);
    window.addEventListener('ethereum#initialized', () => { if (install()) clearInterval(timer); });
  }
};
