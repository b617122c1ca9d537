// Pending approvals: the list (shown by sidepanel.html or notification.html) is in chrome.storage.session; the
// promises the dApp requests wait on are in memory. If the worker was stopped meanwhile, the content script re-sends
// its outstanding requests with the same key and they re-attach to the stored approval.
import { userRejected } from './errors.js';
import * as state from './state.js';

const waiters = new Map();
let queue = Promise.resolve();
// Serialises read-modify-write of the stored list.
const serial = (fn) => (queue = queue.then(fn, fn));

const UUID_TYPES = new Set(['transaction', 'personal_sign', 'eth_signTypedData_v4']);

// MetaMask 13.36's origin throttling (its rule, read from its bundle): a Cancel on a signature or transaction
// asks first when the origin already has 2 refusals counted and the last was under 30 s ago (the UI shows
// "We've noticed multiple requests"); the modal's Cancel refuses and resets the count; blocking the origin
// there refuses its confirmations at once for BLOCK_MS.
const ASK_AT_REFUSAL = 3;
const REFUSAL_WINDOW_MS = 30_000;
const BLOCK_MS = 60_000;
const refusals = new Map(); // origin -> { count, last }
const blockedUntil = new Map(); // origin -> time its block ends

export function originThrottled(origin) {
  const r = refusals.get(origin);
  return !!r && r.count + 1 >= ASK_AT_REFUSAL && Date.now() - r.last <= REFUSAL_WINDOW_MS;
}

export function recordRefusal(origin) {
  const r = refusals.get(origin) || { count: 0, last: 0 };
  refusals.set(origin, { count: r.count + 1, last: Date.now() });
}

export function resetOrigin(origin) {
  refusals.delete(origin);
}

export async function blockOrigin(origin) {
  blockedUntil.set(origin, Date.now() + BLOCK_MS);
  for (const a of await state.getApprovals()) if (a.origin === origin) await resolveApproval(a.id, false);
}

export async function requestApproval(origin, type, data, requestKey) {
  if ((blockedUntil.get(origin) || 0) > Date.now()) throw userRejected();
  const approval = await serial(async () => {
    const existing = requestKey && (await state.getApprovals()).find((a) => a.requestKey === requestKey);
    if (existing) return existing;
    const created = {
      id: UUID_TYPES.has(type) ? crypto.randomUUID() : state.nanoid(),
      type, origin, data, requestKey: requestKey || null, time: Date.now(),
    };
    await state.putApproval(created);
    return created;
  });
  openApprovalPageIfNeeded();
  return new Promise((resolve, reject) => waiters.set(approval.id, { resolve, reject }));
}

// The waiting request gets the approval as it was approved: its screen may have edited it (a spending cap).
export async function resolveApproval(id, approved) {
  const approval = await serial(async () => {
    const found = (await state.getApprovals()).find((a) => a.id === id);
    await state.removeApproval(id);
    return found;
  });
  const waiter = waiters.get(id);
  waiters.delete(id);
  if (!waiter) return;
  if (approved) waiter.resolve(approval);
  else waiter.reject(userRejected());
}

// A pending approval's data changed by its screen (MetaMask's updateEditableParams); `rev` tells the UI.
export async function editApproval(id, edit) {
  await serial(async () => {
    const approval = (await state.getApprovals()).find((a) => a.id === id);
    if (!approval) throw new Error('This request is no longer pending');
    await state.replaceApproval({ ...approval, data: edit(approval.data), rev: (approval.rev || 0) + 1 });
  });
}

export async function resolveUnlockApprovals() {
  for (const a of await state.getApprovals()) if (a.type === 'unlock') await resolveApproval(a.id, true);
}

// The page that follows approvals (src/shared/surface.js): sidepanel.html by default, notification.html when
// switched back. Like MetaMask, a new view only when none of that page is open already: a popup window for
// notification.html; for sidepanel.html a background tab, since chrome.sidePanel.open() needs a user gesture
// (either way the driver sees an extension-opened page target it cannot drive, docs/metamask.md pitfall 1).
let openPending = false;
async function openApprovalPageIfNeeded() {
  if (openPending) return;
  openPending = true;
  try {
    const surface = await state.approvalSurface();
    const contexts = await chrome.runtime.getContexts({});
    if (contexts.some((c) => (c.documentUrl || '').includes(`/${surface}.html`))) return;
    if (surface === 'sidepanel') await chrome.tabs.create({ url: 'sidepanel.html', active: false });
    else await chrome.windows.create({ url: 'notification.html', type: 'popup', width: 360, height: 620, focused: true });
  } catch {
    // Headless Chromium on a small screen refuses the window (as it does for MetaMask); the approval still waits.
  } finally {
    openPending = false;
  }
}
