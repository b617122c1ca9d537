// Vault: the mnemonic encrypted under the password (PBKDF2-SHA256 -> AES-GCM) in chrome.storage.local, and
// each imported private key encrypted under the same key. While unlocked, the accounts' keys and the vault
// key live in chrome.storage.session (memory-only, cleared on browser restart, which is what makes the
// wallet start locked like MetaMask).
//
// Accounts (chrome.storage.local `accountList`, no secrets): the phrase's accounts by index ("hd") and
// imported ones, in the order they were made; `selectedAccount` is the one home shows and a connect gives.
import { HDNodeWallet, Mnemonic, Wallet, getAddress } from 'ethers';

const PBKDF2_ITERATIONS = 600000;
// Same path MetaMask uses for the accounts of an imported phrase (index last).
const PATH_PREFIX = "m/44'/60'/0'/0/";

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function aesKey(password, salt) {
  const base = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt, iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
    base, { name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt'],
  );
}

async function seal(key, plaintext) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(plaintext));
  return { iv: b64(iv), data: b64(data) };
}

async function open(key, box) {
  return dec.decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(box.iv) }, key, unb64(box.data)));
}

export function normalizePhrase(phrase) {
  return String(phrase).trim().toLowerCase().split(/\s+/).join(' ');
}

function derive(phrase, index) {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(normalizePhrase(phrase)), `${PATH_PREFIX}${index}`);
  return { address: wallet.address, privateKey: wallet.privateKey };
}

async function keepUnlocked(phrase, key, accountList, importedKeys) {
  const keys = {};
  for (const a of accountList.filter((x) => x.kind === 'hd')) keys[a.address.toLowerCase()] = derive(phrase, a.index).privateKey;
  for (const pk of importedKeys) keys[new Wallet(pk).address.toLowerCase()] = pk;
  const rawKey = b64(await crypto.subtle.exportKey('raw', key));
  await chrome.storage.session.set({ unlocked: { phrase, keys, vaultKey: rawKey } });
}

export async function createVault(phrase, password) {
  const account = derive(phrase, 0); // throws on an invalid phrase before anything is stored
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await aesKey(password, salt);
  const box = await seal(key, normalizePhrase(phrase));
  const accountList = [{ address: account.address, kind: 'hd', index: 0, name: 'Account 1' }];
  await chrome.storage.local.set({
    vault: { salt: b64(salt), ...box, iterations: PBKDF2_ITERATIONS, imported: [] },
    accountList,
    selectedAccount: account.address,
  });
  await keepUnlocked(normalizePhrase(phrase), key, accountList, []);
  return account.address;
}

export async function unlock(password) {
  const { vault, accountList } = await chrome.storage.local.get(['vault', 'accountList']);
  if (!vault) throw new Error('No vault');
  let key, phrase, imported;
  try {
    key = await aesKey(password, unb64(vault.salt));
    phrase = await open(key, vault);
    imported = await Promise.all((vault.imported || []).map((box) => open(key, box)));
  } catch {
    throw new Error('Incorrect password');
  }
  await keepUnlocked(phrase, key, accountList, imported);
  return selectedAccount();
}

export async function lock() {
  await chrome.storage.session.remove('unlocked');
}

export async function accounts() {
  return (await chrome.storage.local.get('accountList')).accountList || [];
}

export async function selectedAccount() {
  return (await chrome.storage.local.get('selectedAccount')).selectedAccount || null;
}

export async function selectAccount(address) {
  const wanted = (await accounts()).find((a) => a.address.toLowerCase() === String(address).toLowerCase());
  if (!wanted) throw new Error('No such account');
  await chrome.storage.local.set({ selectedAccount: wanted.address });
}

async function unlockedState() {
  const { unlocked } = await chrome.storage.session.get('unlocked');
  if (!unlocked) throw new Error('Locked');
  return unlocked;
}

// "Add account": the phrase's next account, NOT selected (as 13.36).
export async function addHdAccount() {
  const unlocked = await unlockedState();
  const list = await accounts();
  const index = list.filter((a) => a.kind === 'hd').length;
  const account = derive(unlocked.phrase, index);
  list.push({ address: account.address, kind: 'hd', index, name: `Account ${index + 1}` });
  unlocked.keys[account.address.toLowerCase()] = account.privateKey;
  await chrome.storage.local.set({ accountList: list });
  await chrome.storage.session.set({ unlocked });
  return account.address;
}

// "Import an account": its key encrypted under the vault key beside the phrase; the new account is selected.
export async function importKey(privateKey) {
  const unlocked = await unlockedState();
  let wallet;
  try {
    wallet = new Wallet(/^0x/i.test(privateKey) ? privateKey : `0x${privateKey}`);
  } catch {
    throw new Error('Invalid private key');
  }
  const list = await accounts();
  if (list.some((a) => a.address.toLowerCase() === wallet.address.toLowerCase())) {
    throw new Error("The account you're trying to import is a duplicate");
  }
  const key = await crypto.subtle.importKey('raw', unb64(unlocked.vaultKey), 'AES-GCM', false, ['encrypt']);
  const { vault } = await chrome.storage.local.get('vault');
  vault.imported = [...(vault.imported || []), await seal(key, wallet.privateKey)];
  const count = list.filter((a) => a.kind === 'imported').length;
  list.push({ address: getAddress(wallet.address), kind: 'imported', name: `Imported Account ${count + 1}` });
  unlocked.keys[wallet.address.toLowerCase()] = wallet.privateKey;
  await chrome.storage.local.set({ vault, accountList: list, selectedAccount: getAddress(wallet.address) });
  await chrome.storage.session.set({ unlocked });
  return wallet.address;
}

// The signer for ``address`` (default: the selected account), or null when locked.
export async function signer(address) {
  const { unlocked } = await chrome.storage.session.get('unlocked');
  if (!unlocked) return null;
  const wanted = String(address || (await selectedAccount()) || '').toLowerCase();
  const key = unlocked.keys?.[wanted];
  return key ? new Wallet(key) : null;
}

export async function isUnlocked() {
  return Boolean((await chrome.storage.session.get('unlocked')).unlocked);
}
