/**
 * Checks on the Add/Edit server form, with ecflow_ui's rules (5.9.0 release notes,
 * ServerListDialog): the name is unique, does not start or end with a space and has no other
 * white space; the host has no white space; the port is digits; the custom user has no white
 * space and no commas. Our config names servers in `[servers.<name>]`, so the name must also fit
 * NAME_PATTERN. Each problem is reported against its field.
 */

import { NAME_PATTERN } from '../../../src/config/config-types.js';

export interface ServerFormValues {
  readonly name: string;
  readonly host: string;
  readonly port: string;
  readonly customUser: string;
  readonly remoteUser: string;
}

export type ServerField = keyof ServerFormValues;

export interface FieldProblem {
  readonly field: ServerField;
  readonly message: string;
}

/**
 * @example validateServer({ name: 'ops', host: 'localhost', port: '3141', customUser: '', remoteUser: '' }, ['ops']) // [{field:'name',…}]
 */
export function validateServer(v: ServerFormValues, otherNames: readonly string[]): FieldProblem[] {
  const out: FieldProblem[] = [];
  const name = v.name;
  if (name.trim() === '') out.push({ field: 'name', message: 'Enter a name.' });
  else if (name !== name.trim()) out.push({ field: 'name', message: 'The name cannot start or end with a space.' });
  else if (/[^\S ]/.test(name)) out.push({ field: 'name', message: 'The name cannot contain tabs or line breaks.' });
  else if (otherNames.includes(name)) out.push({ field: 'name', message: `A server named "${name}" already exists.` });
  else if (!NAME_PATTERN.test(name)) {
    out.push({ field: 'name', message: "Use letters, digits, '_', '.' and '-' (no spaces; at most 64 characters, starting with a letter or digit)." });
  }
  if (v.host.trim() === '') out.push({ field: 'host', message: 'Enter a host.' });
  else if (/\s/.test(v.host)) out.push({ field: 'host', message: 'The host cannot contain white space.' });
  if (v.port.trim() === '') out.push({ field: 'port', message: 'Enter a port.' });
  else if (!/^\d+$/.test(v.port)) out.push({ field: 'port', message: 'The port must be digits only.' });
  else if (Number(v.port) < 1 || Number(v.port) > 65535) out.push({ field: 'port', message: 'The port must be between 1 and 65535.' });
  if (/\s/.test(v.customUser)) out.push({ field: 'customUser', message: 'The custom user cannot contain white space.' });
  else if (v.customUser.includes(',')) out.push({ field: 'customUser', message: 'The custom user cannot contain commas.' });
  if (/\s/.test(v.remoteUser)) out.push({ field: 'remoteUser', message: 'The remote user cannot contain white space.' });
  return out;
}
