/**
 * Admin mode: off by default and for every new page, visibly on (body class `ecf-admin` and the
 * toolbar switch). It shows Force, Order and the server actions (halt, shutdown, restart,
 * checkpoint); server actions also tell the local server `admin: true`, which refuses them
 * otherwise. Like ecflow_ui's menu modes this is a safety switch, not security.
 */

let on = false;
const listeners = new Set<(on: boolean) => void>();

export function isAdminMode(): boolean {
  return on;
}

export function setAdminMode(value: boolean): void {
  if (value === on) return;
  on = value;
  document.body.classList.toggle('ecf-admin', on);
  for (const cb of listeners) cb(on);
}

export function onAdminMode(cb: (on: boolean) => void): () => void {
  listeners.add(cb);
  return () => listeners.delete(cb);
}
