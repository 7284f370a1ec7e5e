/**
 * The Add / Edit / Duplicate server dialog: ecflow_ui's fields (Name, Host, Port, Custom user,
 * Use SSL, Favourite) plus ours: Route (from `routes`), Remote user, Password and Read-only.
 * The password is write-only: the field is always empty, shows whether one is set, and is sent
 * only when something was typed; "Clear password" removes the stored one. Saving sends
 * `server-save`; a refusal is shown in the dialog, verbatim.
 */

import type { UiServer, UiServerEdit } from '../../../src/server/ui-protocol.js';
import { el, type PanelApp } from '../panels/host.js';
import { errorBox } from '../panels/error-box.js';
import { ask } from '../panels/tab-util.js';
import { openDialog } from './dialog.js';
import { validateServer, type ServerField } from './server-validate.js';

export type EditMode = 'add' | 'edit' | 'duplicate';

interface Field {
  readonly row: HTMLElement;
  readonly input: HTMLInputElement;
  readonly error: HTMLElement;
}

function field(label: string, name: string, type = 'text'): Field {
  const row = el('label', `ecf-form-row ecf-field-${name}`);
  const input = el('input', 'ecf-form-input');
  input.type = type;
  input.name = name;
  input.autocomplete = 'off';
  input.spellcheck = false;
  const error = el('div', 'ecf-field-error');
  row.append(el('span', 'ecf-form-label', label), input, error);
  return { row, input, error };
}

function checkbox(label: string, name: string, checked: boolean): { row: HTMLElement; input: HTMLInputElement } {
  const row = el('label', `ecf-form-check ecf-field-${name}`);
  const input = el('input');
  input.type = 'checkbox';
  input.name = name;
  input.checked = checked;
  row.append(input, ` ${label}`);
  return { row, input };
}

/**
 * Open the dialog. Resolves with the saved server's name, or undefined when cancelled.
 * `existing` is the server edited or duplicated; `names` are all the server names.
 */
export async function openServerEditDialog(app: PanelApp, mode: EditMode, existing: UiServer | undefined, names: readonly string[]): Promise<string | undefined> {
  const s = existing;
  const name = field('Name', 'name');
  const host = field('Host', 'host');
  const port = field('Port', 'port');
  port.input.inputMode = 'numeric';
  const customUser = field('Custom user', 'customUser');
  const ssl = checkbox('Use SSL', 'ssl', s?.ssl ?? false);
  const sslNote = el('div', 'ecf-form-warning', 'Use SSL must only be enabled for servers using SSL communication!');
  const routeRow = el('label', 'ecf-form-row ecf-field-route');
  const route = el('select', 'ecf-form-input');
  route.name = 'route';
  const direct = el('option', '', '(direct connection)');
  direct.value = '';
  route.append(direct);
  routeRow.append(el('span', 'ecf-form-label', 'Route'), route);
  const remoteUser = field('Remote user', 'remoteUser');
  remoteUser.input.placeholder = 'login name on the centre (default: yours)';
  const password = field('Password', 'password', 'password');
  password.input.autocomplete = 'new-password';
  const hasPassword = mode === 'edit' && s?.hasPassword === true;
  password.input.placeholder = hasPassword ? 'set (type to replace it)' : 'not set';
  const pwState = el('span', 'ecf-password-state', hasPassword ? 'set' : '');
  password.row.insertBefore(pwState, password.error);
  const clearPw = checkbox('Clear password', 'clearPassword', false);
  clearPw.row.hidden = !hasPassword;
  clearPw.input.addEventListener('change', () => {
    password.input.disabled = clearPw.input.checked;
    if (clearPw.input.checked) password.input.value = '';
  });
  const favourite = checkbox('Favourite', 'favourite', s?.favourite ?? false);
  const readOnly = checkbox('Read-only (hide every action that changes the server)', 'readOnly', s?.readOnly ?? false);
  const errorSlot = el('div', 'ecf-form-errors');

  if (s !== undefined) {
    name.input.value = mode === 'duplicate' ? uniqueCopyName(s.name, names) : s.name;
    host.input.value = s.host;
    port.input.value = String(s.port);
    customUser.input.value = s.customUser ?? '';
    remoteUser.input.value = s.remoteUser ?? '';
  } else {
    port.input.value = '3141';
  }
  const note = mode === 'duplicate' && s?.hasPassword === true ? el('p', 'ecf-form-note', 'The password is not copied: type it again if this server needs one.') : undefined;

  const form = el('form', 'ecf-form ecf-server-form');
  form.addEventListener('submit', (e) => e.preventDefault());
  form.append(
    ...(note !== undefined ? [note] : []),
    name.row,
    host.row,
    port.row,
    customUser.row,
    ssl.row,
    sslNote,
    routeRow,
    remoteUser.row,
    password.row,
    clearPw.row,
    favourite.row,
    readOnly.row,
    errorSlot,
  );

  const fields: Record<ServerField, Field> = { name, host, port, customUser, remoteUser };
  const title = mode === 'add' ? 'Add server' : mode === 'edit' ? `Edit server ${s?.name ?? ''}` : `Duplicate server ${s?.name ?? ''}`;
  const others = names.filter((n) => mode !== 'edit' || n !== s?.name);
  let saved: string | undefined;

  const d = openDialog<boolean>({
    title,
    content: form,
    cls: 'ecf-server-edit',
    buttons: [
      { label: 'Cancel', value: false },
      { label: mode === 'add' ? 'Add' : 'Save', value: true, kind: 'primary' },
    ],
    beforeClose: async (ok) => {
      if (!ok) return true;
      for (const f of Object.values(fields)) {
        f.error.textContent = '';
        f.input.removeAttribute('aria-invalid');
      }
      errorSlot.replaceChildren();
      const problems = validateServer(
        { name: name.input.value, host: host.input.value, port: port.input.value, customUser: customUser.input.value, remoteUser: remoteUser.input.value },
        others,
      );
      if (problems.length > 0) {
        for (const p of problems) {
          fields[p.field].error.textContent = p.message;
          fields[p.field].input.setAttribute('aria-invalid', 'true');
        }
        fields[problems[0]!.field].input.focus();
        return false;
      }
      const edit: UiServerEdit = {
        name: name.input.value,
        host: host.input.value.trim(),
        port: Number(port.input.value),
        ssl: ssl.input.checked,
        favourite: favourite.input.checked,
        readOnly: readOnly.input.checked,
        ...(route.value !== '' ? { route: route.value } : {}),
        ...(remoteUser.input.value !== '' ? { remoteUser: remoteUser.input.value } : {}),
        ...(customUser.input.value !== '' ? { customUser: customUser.input.value } : {}),
        ...(password.input.value !== '' && !clearPw.input.checked ? { password: password.input.value } : {}),
        ...(clearPw.input.checked ? { clearPassword: true } : {}),
      };
      try {
        await app.request({ what: 'server-save', server: edit, ...(mode === 'edit' && s !== undefined ? { previousName: s.name } : {}) });
        saved = edit.name;
        return true;
      } catch (e) {
        errorSlot.replaceChildren(errorBox(e, 'The server was not saved'));
        return false;
      }
    },
  });
  name.input.focus();
  // Enter in a text field saves.
  form.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target instanceof HTMLInputElement && e.target.type !== 'checkbox') {
      e.preventDefault();
      d.element.querySelector<HTMLButtonElement>('.ecf-btn-primary')?.click();
    }
  });
  // Routes arrive after the dialog opened (a request to the local server).
  void ask(app, { what: 'routes' }).then(
    (routes) => {
      for (const r of routes) {
        const o = el('option', '', `${r.name} (${r.destination}, ${r.state})`);
        o.value = r.name;
        route.append(o);
      }
      if (s?.route !== undefined) {
        if (![...route.options].some((o) => o.value === s.route)) {
          const o = el('option', '', `${s.route} (not configured)`);
          o.value = s.route;
          route.append(o);
        }
        route.value = s.route;
      }
    },
    () => {
      if (s?.route !== undefined) {
        const o = el('option', '', s.route);
        o.value = s.route;
        route.append(o);
        route.value = s.route;
      }
    },
  );
  const ok = await d.result;
  password.input.value = '';
  return ok === true ? saved : undefined;
}

function uniqueCopyName(base: string, names: readonly string[]): string {
  for (let i = 1; ; i++) {
    const n = `${base}-${i}`;
    if (!names.includes(n)) return n;
  }
}
