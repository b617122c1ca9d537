// Vault: the mnemonic encrypted under the password (PBKDF2-SHA256 -> AES-GCM) in chrome.storage.local.
// While unlocked, only the derived account key lives in chrome.storage.session (memory-only, cleared on
// browser restart, which is what makes the wallet start locked like MetaMask).
import { HDNodeWallet, Mnemonic, Wallet } from 'ethers';

const PBKDF2_ITERATIONS = 600000;
// Same path MetaMask uses for the first account of an imported phrase.
export const DERIVATION_PATH = "m/44'/60'/0'/0/0";

const enc = new TextEncoder();
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function aesKey(password, salt) {
  const base = await crypto.subtle.importKey('raw', enc.encode(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', salt, iterations: PBKDF2_ITERATIONS, hash: 'SHA-256' },
    base, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'],
  );
}

export function normalizePhrase(phrase) {
  return String(phrase).trim().toLowerCase().split(/\s+/).join(' ');
}

export function deriveAccount(phrase) {
  const wallet = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(normalizePhrase(phrase)), DERIVATION_PATH);
  return { address: wallet.address, privateKey: wallet.privateKey };
}

export async function createVault(phrase, password) {
  const account = deriveAccount(phrase); // throws on an invalid phrase before anything is stored
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await aesKey(password, salt);
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, enc.encode(normalizePhrase(phrase)));
  await chrome.storage.local.set({
    vault: { salt: b64(salt), iv: b64(iv), data: b64(data), iterations: PBKDF2_ITERATIONS },
    accounts: [account.address],
  });
  await chrome.storage.session.set({ unlocked: account });
  return account.address;
}

export async function unlock(password) {
  const { vault } = await chrome.storage.local.get('vault');
  if (!vault) throw new Error('No vault');
  let phrase;
  try {
    const key = await aesKey(password, unb64(vault.salt));
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(vault.iv) }, key, unb64(vault.data));
    phrase = new TextDecoder().decode(plain);
  } catch {
    throw new Error('Incorrect password');
  }
  const account = deriveAccount(phrase);
  await chrome.storage.session.set({ unlocked: account });
  return account.address;
}

export async function lock() {
  await chrome.storage.session.remove('unlocked');
}

// The signer for the unlocked account, or null when locked.
export async function signer() {
  const { unlocked } = await chrome.storage.session.get('unlocked');
  return unlocked ? new Wallet(unlocked.privateKey) : null;
}
