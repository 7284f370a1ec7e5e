/**
 * The servers of the config as the UI edits them (issue 4 §3): add / edit / duplicate / rename /
 * remove / import, written back with saveConfig (atomic, 0600). A typed password is stored with
 * storePassword (`<config dir>/passwords/<server>.passwd`, 0600) and the server's `password_file`
 * points at it; the browser only ever learns `hasPassword`. Nothing here logs or returns a
 * password, and error messages never contain one.
 */

import { rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import {
  NAME_PATTERN,
  passwordFilePath,
  storePassword,
  type EcflowRemoteConfig,
  type LoadedConfig,
  type ServerConfig,
} from '../config/config.js';
import { badRequest } from './ui-errors.js';
import type { ServerHealth, UiServer, UiServerEdit } from './ui-protocol.js';
import type { ImportedServer } from './servers-import.js';

/** A configured server as the browser sees it. */
export function uiServerOf(s: ServerConfig, health: ServerHealth): UiServer {
  return {
    name: s.name,
    host: s.host,
    port: s.port,
    ...(s.route === undefined ? {} : { route: s.route }),
    ...(s.remoteUser === undefined ? {} : { remoteUser: s.remoteUser }),
    ...(s.customUser === undefined ? {} : { customUser: s.customUser }),
    ssl: s.ssl,
    favourite: s.favourite,
    readOnly: s.readOnly,
    hasPassword: s.passwordFile !== undefined,
    ...(s.suites === undefined ? {} : { suites: [...s.suites] }),
    health,
  };
}

/** The edit, checked field by field (the message never repeats the password). */
export function checkEdit(edit: UiServerEdit, config: EcflowRemoteConfig): void {
  if (typeof edit !== 'object' || edit === null) throw badRequest('server-save needs a server');
  const { name, host, port } = edit;
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw badRequest(`server name '${String(name)}': letters, digits, '_', '.', '-' (at most 64, starting with a letter or digit)`);
  }
  if (typeof host !== 'string' || host === '' || /\s/.test(host)) throw badRequest(`host '${String(host)}' is empty or contains white space`);
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw badRequest(`port ${String(port)} is not a number from 1 to 65535`);
  if (edit.route !== undefined && edit.route !== '' && config.routes[edit.route] === undefined) {
    throw badRequest(`no route '${edit.route}' in the config (routes: ${Object.keys(config.routes).join(', ') || 'none'})`);
  }
  for (const [k, v] of [['customUser', edit.customUser], ['remoteUser', edit.remoteUser]] as const) {
    if (v !== undefined && v !== '' && (typeof v !== 'string' || /[\s,]/.test(v))) throw badRequest(`${k} '${String(v)}' contains white space or commas`);
  }
  if (nonEmpty(edit.customUser) !== undefined && nonEmpty(edit.remoteUser) !== undefined) {
    throw badRequest('give either a custom user or a remote user, not both');
  }
  for (const k of ['ssl', 'favourite', 'readOnly'] as const) {
    if (typeof edit[k] !== 'boolean') throw badRequest(`${k} must be true or false`);
  }
  if (edit.password !== undefined && typeof edit.password !== 'string') throw badRequest('password must be text');
}

export interface SaveResult {
  readonly config: EcflowRemoteConfig;
  readonly server: ServerConfig;
  /** The name the server had before (rename), when different. */
  readonly renamedFrom?: string;
}

/**
 * Apply an add/edit/rename: the new config (not yet written). Stores the password first when one
 * was typed (the password file is named after the new name).
 */
export async function applyServerEdit(config: LoadedConfig, edit: UiServerEdit, previousName?: string): Promise<SaveResult> {
  checkEdit(edit, config);
  const before = previousName !== undefined && previousName !== '' ? config.servers[previousName] : undefined;
  if (previousName !== undefined && previousName !== '' && before === undefined) throw badRequest(`no server '${previousName}' to edit`);
  const renamed = before !== undefined && before.name !== edit.name;
  if ((before === undefined || renamed) && config.servers[edit.name] !== undefined) {
    throw badRequest(`a server named '${edit.name}' exists already`);
  }
  const customUser = nonEmpty(edit.customUser);
  const remoteUser = nonEmpty(edit.remoteUser);
  const route = nonEmpty(edit.route);
  let passwordFile = before?.passwordFile;
  if (edit.clearPassword === true) passwordFile = undefined;
  if (typeof edit.password === 'string' && edit.password !== '') {
    const user = customUser ?? remoteUser ?? userInfo().username;
    passwordFile = await storePassword(config.dir, edit.name, edit.host, edit.port, user, edit.password);
  }
  const server: ServerConfig = {
    name: edit.name,
    host: edit.host,
    port: edit.port,
    ...(route === undefined ? {} : { route }),
    ...(remoteUser === undefined ? {} : { remoteUser }),
    ...(customUser === undefined ? {} : { customUser }),
    ...(passwordFile === undefined ? {} : { passwordFile }),
    ssl: edit.ssl,
    ...(before?.logserver === undefined ? {} : { logserver: before.logserver }),
    favourite: edit.favourite,
    readOnly: edit.readOnly,
    ...(before?.suites === undefined ? {} : { suites: before.suites }),
  };
  const servers = Object.create(null) as Record<string, ServerConfig>;
  let placed = false;
  for (const [name, s] of Object.entries(config.servers)) {
    if (before !== undefined && name === before.name) {
      servers[server.name] = server;
      placed = true;
    } else servers[name] = s;
  }
  if (!placed) servers[server.name] = server;
  return {
    config: { routes: config.routes, servers, ui: config.ui },
    server,
    ...(renamed ? { renamedFrom: before.name } : {}),
  };
}

/** The config without `name`; the password file we wrote for it is removed too. */
export async function removeServer(config: LoadedConfig, name: string): Promise<EcflowRemoteConfig> {
  const s = config.servers[name];
  if (s === undefined) throw badRequest(`no server '${name}' to remove`);
  const servers = Object.create(null) as Record<string, ServerConfig>;
  for (const [n, v] of Object.entries(config.servers)) if (n !== name) servers[n] = v;
  await forgetOwnPasswordFile(config, s);
  return { routes: config.routes, servers, ui: config.ui };
}

/** When a password is cleared or its server removed: delete the file only if storePassword wrote it. */
export async function forgetOwnPasswordFile(config: LoadedConfig, s: ServerConfig): Promise<void> {
  if (s.passwordFile === undefined) return;
  const own = resolve(passwordFilePath(config.dir, s.name));
  if (resolve(s.passwordFile) === own && dirname(own) === resolve(config.dir, 'passwords')) {
    await rm(own, { force: true });
  }
}

export interface ImportResult {
  readonly config: EcflowRemoteConfig;
  readonly added: string[];
  readonly skipped: { line: number; name?: string; reason: string }[];
  readonly duplicates: number;
}

/** Add imported servers that are new (by name, and by host:port); the others are reported. */
export function importServers(config: EcflowRemoteConfig, imported: readonly ImportedServer[]): ImportResult {
  const servers = Object.create(null) as Record<string, ServerConfig>;
  Object.assign(servers, config.servers);
  const addresses = new Set(Object.values(config.servers).map((s) => `${s.host}:${s.port}`));
  const added: string[] = [];
  const skipped: { line: number; name?: string; reason: string }[] = [];
  let duplicates = 0;
  for (const s of imported) {
    const address = `${s.host}:${s.port}`;
    if (servers[s.name] !== undefined || addresses.has(address)) {
      duplicates++;
      skipped.push({
        line: s.line,
        name: s.originalName ?? s.name,
        reason: servers[s.name] !== undefined ? `a server named '${s.name}' exists already` : `${address} is configured already`,
      });
      continue;
    }
    servers[s.name] = {
      name: s.name,
      host: s.host,
      port: s.port,
      ...(s.customUser === undefined ? {} : { customUser: s.customUser }),
      ssl: s.ssl,
      favourite: s.favourite,
      readOnly: false,
    };
    addresses.add(address);
    added.push(s.name);
  }
  return { config: { routes: config.routes, servers, ui: config.ui }, added, skipped, duplicates };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
