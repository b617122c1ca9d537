// LavaMoat-style scuttling of the extension pages' globalThis (docs/metamask.md section 9).
//
// Official MetaMask builds run LavaMoat with `scuttleGlobalThis` on: code outside LavaMoat's compartments that
// touches most globals of an extension page gets an exception, chromedriver's main-world atoms included. This
// module is the UI bundle's esbuild `inject` file: esbuild evaluates it before any other module of the bundle
// and rewrites every free reference to one of the names it exports (`JSON.stringify`, `instanceof Node`, ...)
// to the value captured here, the way a compartment keeps its own globals. Then it scuttles those names on
// globalThis, so everything else running in the page's main world (a debugger, chromedriver's atoms,
// `execute_script`) throws. CDP isolated worlds have globals of their own and are not affected.
//
// Content scripts and the service worker are not scuttled (neither is MetaMask's inpage provider).
// chromedriver's own `cdc_..._JSON`/`_Window`/... copies, taken before this script runs, are left alone
// (plain chromedriver's execute_script wrapper uses them), so a script that touches none of these names still
// runs: `execute_script('return location.hash')` works, `execute_script('return JSON.stringify(1)')` throws.

export const SCUTTLED = Object.freeze([
  'Window', 'Document', 'HTMLDocument', 'Node', 'Element', 'HTMLElement', 'HTMLFormElement', 'XPathResult',
  'RegExp', 'JSON', 'Proxy', 'Reflect',
]);

const captured = Object.create(null);
for (const name of SCUTTLED) captured[name] = globalThis[name];

// One export per scuttled name: these are what esbuild substitutes for the bundle's global references.
export const Window = captured.Window;
export const Document = captured.Document;
export const HTMLDocument = captured.HTMLDocument;
export const Node = captured.Node;
export const Element = captured.Element;
export const HTMLElement = captured.HTMLElement;
export const HTMLFormElement = captured.HTMLFormElement;
export const XPathResult = captured.XPathResult;
export const RegExp = captured.RegExp;
export const JSON = captured.JSON;
export const Proxy = captured.Proxy;
export const Reflect = captured.Reflect;

function scuttle(name) {
  const inaccessible = () => {
    throw new Error(`LavaMoat - property "${name}" of globalThis is inaccessible under scuttling mode. `
      + 'To learn more visit https://github.com/LavaMoat/LavaMoat/pull/360.');
  };
  Object.defineProperty(globalThis, name, { get: inaccessible, set: inaccessible, configurable: false });
}

for (const name of SCUTTLED) scuttle(name);
