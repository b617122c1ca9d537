// Open provider ports (one per dApp frame), to push EIP-1193 events.
const ports = new Set();

export function addPort(entry) {
  ports.add(entry);
  entry.port.onDisconnect.addListener(() => ports.delete(entry));
}

// origin null = every connected page (chainChanged is global here: one selected network).
export function emit(origin, event, data) {
  for (const entry of ports) {
    if (origin && entry.origin !== origin) continue;
    try {
      entry.port.postMessage({ type: 'event', event, data });
    } catch {
      ports.delete(entry);
    }
  }
}

export function origins() {
  return new Set([...ports].map((e) => e.origin));
}
