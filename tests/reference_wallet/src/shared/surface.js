// Where dApp approvals are shown (chrome.storage.local `approvalSurface`), shared by the service worker and the UI.
// MetaMask 13.12+ can route them to its side panel page instead of notification.html, under a remote flag
// (docs/metamask.md section 10); "sidepanel" is the default here so the driver's CI suite covers that routing.
export const SURFACES = Object.freeze(['sidepanel', 'notification']);
export const DEFAULT_SURFACE = 'sidepanel';

export const surfaceOf = (value) => (SURFACES.includes(value) ? value : DEFAULT_SURFACE);
