/**
 * Test support (used by the model and parser tests, not by the client): pulls the defs texts and
 * the sync requests/replies out of captured exchanges (ecflow-protocol.md §17), using only
 * `readCereal`, so the tests do not depend on the reply decoder.
 *
 * Pure module: no Node or DOM types.
 */

import { readCereal } from '../protocol/cereal.js';
import type { CompoundMemento, Memento } from '../protocol/replies.js';

/** A defs text found in a reply. */
export interface DefsText {
  /** Where it was: DefsCmd.value1, SSyncCmd.value1, SSyncCmd.server_defs_ or SNodeCmd.the_node_str_. */
  field: 'DefsCmd' | 'SSyncCmd.full' | 'SSyncCmd.handle' | 'SNodeCmd';
  text: string;
}

/** The parts of one SSyncCmd reply and the CSyncCmd request that asked for it. */
export interface SyncExchange {
  handle: number;
  /** Numbers the client sent. */
  clientStateChange: number;
  clientModifyChange: number;
  /** Full defs text (whole server or handle subset), or undefined for an incremental reply. */
  fullText: string | undefined;
  compounds: CompoundMemento[];
  stateChange: number;
  modifyChange: number;
}

type Obj = Record<string, unknown>;

function collect(o: unknown, type: string, out: Obj[] = []): Obj[] {
  if (o !== null && typeof o === 'object') {
    if ((o as Obj)['$type'] === type) out.push(o as Obj);
    for (const v of Object.values(o as Obj)) collect(v, type, out);
  }
  return out;
}

/** readCereal of a raw frame (8-char header + JSON); undefined when it is not one. */
export function readFrame(raw: string | undefined): unknown {
  if (raw === undefined || raw.length < 9) return undefined;
  try {
    return readCereal(JSON.parse(raw.slice(8)));
  } catch {
    return undefined;
  }
}

/**
 * All defs texts of a reply frame.
 *
 * @example defsTextsOf(vector.response_raw).map((t) => parseDefs(t.text))
 */
export function defsTextsOf(responseRaw: string | undefined): DefsText[] {
  const doc = readFrame(responseRaw);
  const out: DefsText[] = [];
  for (const d of collect(doc, 'DefsCmd')) if (typeof d['value1'] === 'string' && d['value1'] !== '') out.push({ field: 'DefsCmd', text: d['value1'] });
  for (const s of collect(doc, 'SSyncCmd')) {
    if (typeof s['value1'] === 'string' && s['value1'] !== '') out.push({ field: 'SSyncCmd.full', text: s['value1'] });
    if (typeof s['server_defs_'] === 'string' && s['server_defs_'] !== '') out.push({ field: 'SSyncCmd.handle', text: s['server_defs_'] });
  }
  for (const n of collect(doc, 'SNodeCmd')) {
    if (typeof n['the_node_str_'] === 'string' && n['the_node_str_'] !== '') out.push({ field: 'SNodeCmd', text: n['the_node_str_'] });
  }
  return out;
}

/** Compounds of an SSyncCmd object as the reply decoder delivers them. */
export function compoundsOf(ssync: Obj): CompoundMemento[] {
  const ic = (ssync['incremental_changes_'] ?? {}) as Obj;
  const list = Array.isArray(ic['compound_mementos_']) ? (ic['compound_mementos_'] as Obj[]) : [];
  return list.map((c) => ({
    path: String(c['absNodePath_'] ?? ''),
    clearAttributes: c['clear_attributes_'] === true,
    mementos: (Array.isArray(c['vec_']) ? c['vec_'] : []) as Memento[],
  }));
}

/**
 * The sync exchange of a vector (last CSyncCmd of the request, first SSyncCmd of the reply), or
 * undefined when the vector holds none.
 */
export function syncExchangeOf(requestRaw: string, responseRaw: string | undefined): SyncExchange | undefined {
  const rq = collect(readFrame(requestRaw), 'CSyncCmd').pop();
  const rp = collect(readFrame(responseRaw), 'SSyncCmd')[0];
  if (rq === undefined || rp === undefined) return undefined;
  const full = rp['full_defs_'] === true ? rp['value1'] : rp['server_defs_'];
  const ic = (rp['incremental_changes_'] ?? {}) as Obj;
  return {
    handle: Number(rq['client_handle_'] ?? 0),
    clientStateChange: Number(rq['client_state_change_no_'] ?? 0),
    clientModifyChange: Number(rq['client_modify_change_no_'] ?? 0),
    fullText: typeof full === 'string' && full !== '' ? full : undefined,
    compounds: compoundsOf(rp),
    stateChange: Number(ic['server_state_change_no_'] ?? 0),
    modifyChange: Number(ic['server_modify_change_no_'] ?? 0),
  };
}
