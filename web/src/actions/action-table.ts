/**
 * The node actions, one table entry per menu item, with ecflow_ui's rules
 * (ecflowview_menus.json of 5.9.2; ecflow-ui-reference.md §1.5): for which kinds an item is
 * shown, in which states it is enabled, which ones ask first, which are admin-only. Every item
 * here changes something on the server (write access), so a read-only server hides them all.
 * With several nodes selected an item is shown/enabled only when it is for every one of them, and
 * it is sent once with all their paths.
 */

import type { UiAction, UiActionArgs, UiAttribute } from '../../../src/server/ui-protocol.js';
import type { PanelKind } from '../panels/host.js';

/** What an item is decided on, per selected row. */
export interface ActionTarget {
  readonly server: string;
  /** '' for the server. */
  readonly path: string;
  readonly kind: PanelKind;
  /** NState name; for the server row its SState lower case ('running', 'halted', 'shutdown'). */
  readonly state: string;
  readonly suspended: boolean;
  readonly flags: readonly string[];
  readonly attribute?: UiAttribute;
}

export type Submenu = 'Free deps' | 'Defstatus' | 'Force' | 'Order peers' | 'Special';

export interface ActionItem {
  readonly id: string;
  readonly label: string;
  readonly submenu?: Submenu;
  readonly action: UiAction;
  readonly args?: UiActionArgs;
  visible(t: ActionTarget): boolean;
  enabled?(t: ActionTarget): boolean;
  /** Ask before running: the question (`<full_name>` = the paths). */
  readonly confirm?: { readonly question: string; readonly warning?: string };
  /** Shown only in admin mode (and sent with `admin: true` for server actions). */
  readonly admin?: boolean;
  /** Keyboard shortcut as shown, e.g. 'Ctrl+S' (see keyboard.ts). */
  readonly key?: string;
  /** The form to fill first (add label). */
  readonly form?: 'label';
  /** The equivalent ecflow_client option, for the tooltip. */
  readonly command: string;
  /** A separator goes before this item. */
  readonly separator?: boolean;
}

const isNode = (t: ActionTarget): boolean => t.kind !== 'server' && t.attribute === undefined;
const kinds =
  (...ks: PanelKind[]) =>
  (t: ActionTarget): boolean =>
    t.attribute === undefined && ks.includes(t.kind);
const inState =
  (...states: string[]) =>
  (t: ActionTarget): boolean =>
    states.includes(t.state) || (states.includes('suspended') && t.suspended);
const notRunning = (t: ActionTarget): boolean => t.state !== 'active' && t.state !== 'submitted';
const isServer = (t: ActionTarget): boolean => t.kind === 'server' && t.attribute === undefined;
const attr =
  (kind: UiAttribute['kind']) =>
  (t: ActionTarget): boolean =>
    t.attribute?.kind === kind;

function node(id: string, label: string, action: UiAction, visible: (t: ActionTarget) => boolean, extra: Partial<ActionItem> = {}): ActionItem {
  return { id, label, action, visible, command: `--${action}`, ...extra };
}

const JOBSTATUS_Q = 'Have you checked that the job is not active anymore (jobstatus)?';
const FORCE_STATES = ['unknown', 'complete', 'queued', 'submitted', 'active', 'aborted'] as const;
const FORCE_ENABLED: Record<(typeof FORCE_STATES)[number], (t: ActionTarget) => boolean> = {
  unknown: (t) => t.state !== 'unknown',
  complete: (t) => t.state !== 'complete' && notRunning(t),
  queued: (t) => t.state !== 'queued' && notRunning(t),
  submitted: (t) => t.state !== 'submitted' && t.state !== 'active',
  active: (t) => t.state !== 'active',
  aborted: (t) => t.state !== 'active',
};
const ORDERS = [
  ['top', 'Top'],
  ['up', 'Up'],
  ['down', 'Down'],
  ['bottom', 'Bottom'],
  ['alpha', 'Alphabetically'],
  ['runtime', 'Runtime'],
] as const;

export const ACTION_ITEMS: readonly ActionItem[] = [
  node('suspend', 'Suspend', 'suspend', (t) => isNode(t) && !t.suspended, { key: 'Ctrl+S', command: '--suspend' }),
  node('resume', 'Resume', 'resume', (t) => isNode(t) && t.suspended, { key: 'Ctrl+R', command: '--resume' }),
  node('rerun', 'Rerun', 'rerun', kinds('task'), { enabled: notRunning, key: 'Ctrl+U', command: '--force=queued' }),
  node('set-complete', 'Set complete', 'set-complete', kinds('task', 'alias'), {
    enabled: inState('submitted', 'active', 'unknown', 'queued', 'aborted', 'suspended'),
    confirm: { question: JOBSTATUS_Q },
    command: '--force=complete',
  }),
  node('set-aborted', 'Set aborted', 'set-aborted', kinds('task', 'alias'), {
    enabled: inState('submitted', 'active', 'unknown', 'queued', 'complete', 'suspended'),
    confirm: { question: JOBSTATUS_Q },
    command: '--force=aborted',
  }),
  node('execute', 'Execute', 'execute', kinds('task', 'alias'), { enabled: notRunning, key: 'Ctrl+E', command: '--run' }),
  node('requeue', 'Requeue', 'requeue', kinds('suite', 'family', 'task'), {
    enabled: notRunning,
    confirm: {
      question: 'Confirm requeuing of <full_name>',
      warning: 'This command can potentially lead to creating zombies when active nodes are present in the current subtree.',
    },
    key: 'Shift+R',
    command: '--requeue=force',
  }),
  node('requeue-aborted', 'Requeue aborted', 'requeue-aborted', kinds('suite', 'family'), {
    enabled: inState('aborted', 'suspended'),
    confirm: { question: 'Confirm requeuing of aborted tasks from <full_name>' },
    command: '--requeue=abort',
  }),
  node('server-restart', 'Restart', 'server-restart', isServer, {
    admin: true,
    enabled: inState('shutdown', 'halted'),
    confirm: { question: 'Restart the server <server>?' },
    command: '--restart',
  }),
  node('server-shutdown', 'Shutdown', 'server-shutdown', isServer, {
    admin: true,
    enabled: (t) => t.state !== 'shutdown',
    confirm: { question: 'Shutdown the server <server>? It stops scheduling new jobs.' },
    command: '--shutdown=yes',
  }),
  node('server-halt', 'Halt', 'server-halt', isServer, {
    admin: true,
    enabled: (t) => t.state !== 'halted',
    confirm: { question: 'Halt the server <server>? It stops scheduling and stops answering jobs.' },
    command: '--halt=yes',
  }),
  node('server-checkpoint', 'Checkpoint', 'server-checkpoint', isServer, {
    admin: true,
    confirm: { question: 'Write a checkpoint of the server <server> now?' },
    command: '--check_pt',
  }),
  ...(['all', 'trigger', 'time', 'date'] as const).map((k, i) =>
    node(`free-deps-${k}`, `${k === 'all' ? 'All' : k[0]!.toUpperCase() + k.slice(1)} dependencies`, 'free-deps', kinds('suite', 'family', 'task'), {
      submenu: 'Free deps',
      args: { kind: k },
      enabled: inState('queued', 'suspended', 'active'),
      command: `--free-dep ${k}`,
      separator: i === 0,
    }),
  ),
  ...(['complete', 'queued'] as const).map((s) =>
    node(`defstatus-${s}`, s === 'complete' ? 'Complete' : 'Queued', 'defstatus', isNode, {
      submenu: 'Defstatus',
      args: { kind: s },
      command: `--alter change defstatus ${s}`,
    }),
  ),
  ...FORCE_STATES.map((s) =>
    node(`force-${s}`, s[0]!.toUpperCase() + s.slice(1), 'force', isNode, {
      submenu: 'Force',
      args: { kind: s },
      admin: true,
      enabled: FORCE_ENABLED[s],
      confirm: { question: `Check running/queued jobs and confirm forcing ${s} (recursively) on <full_name>` },
      command: `--force=${s} recursive`,
    }),
  ),
  ...ORDERS.map(([k, label]) =>
    node(`order-${k}`, label, 'order', isNode, { submenu: 'Order peers', args: { kind: k }, admin: true, command: `--order ${k}` }),
  ),
  node('kill', 'Kill', 'kill', isNode, {
    submenu: 'Special',
    enabled: (t) => (t.kind === 'task' || t.kind === 'alias' ? inState('active', 'submitted', 'suspended')(t) : inState('active', 'submitted', 'aborted', 'suspended')(t)),
    confirm: { question: 'Confirm killing of <full_name>' },
    command: '--kill',
  }),
  node('status', 'Status', 'status', isNode, {
    submenu: 'Special',
    enabled: (t) => (t.kind === 'task' || t.kind === 'alias' ? inState('active', 'submitted')(t) : inState('active', 'submitted', 'aborted', 'suspended')(t)),
    command: '--status',
  }),
  node('execute-family', 'Execute', 'execute', kinds('family'), { submenu: 'Special', enabled: notRunning, command: '--run' }),
  node('add-label', 'Add label…', 'add-label', isNode, { submenu: 'Special', form: 'label', command: '--alter add label', separator: true }),
  ...(
    [
      ['late', 'Clear late flag', kinds('task', 'alias')],
      ['threshold', 'Clear threshold flag', kinds('task', 'alias')],
      ['killed', 'Clear killed flag', kinds('task', 'alias')],
      ['zombie', 'Clear zombie flag', kinds('task', 'alias')],
      ['restored', 'Clear restored flag', (t: ActionTarget) => kinds('suite', 'family')(t) && t.flags.includes('restored')],
      ['late', 'Clear late (slow write) flag', isServer],
      ['log_error', 'Clear log error flag', isServer],
      ['checkpt_error', 'Clear checkpoint error flag', isServer],
    ] as const
  ).map(([flag, label, visible], i) =>
    node(`clear-flag-${flag}-${i}`, label, 'clear-flag', visible, {
      submenu: 'Special',
      args: { name: flag },
      command: `--alter clear_flag ${flag}`,
      separator: i === 0,
    }),
  ),
  node('begin', 'Begin', 'begin', kinds('suite'), { enabled: inState('unknown', 'complete'), command: '--begin', separator: true }),
  node('set-event', 'Set', 'set-event', attr('event'), {
    enabled: (t) => t.attribute?.kind === 'event' && !t.attribute.value,
    command: '--alter change event set',
  }),
  node('clear-event', 'Clear', 'clear-event', attr('event'), {
    enabled: (t) => t.attribute?.kind === 'event' && t.attribute.value,
    command: '--alter change event clear',
  }),
  node('reset-limit', 'Reset', 'reset-limit', attr('limit'), {
    confirm: { question: 'Confirm resetting the limit of <full_name>' },
    command: '--alter change limit_value 0',
  }),
];

/** Shown (visible for all targets, admin mode respected); `readOnly` hides everything. */
export function visibleItems(targets: readonly ActionTarget[], opts: { admin: boolean; readOnly: boolean }): ActionItem[] {
  if (opts.readOnly || targets.length === 0) return [];
  return ACTION_ITEMS.filter((it) => (it.admin !== true || opts.admin) && targets.every((t) => it.visible(t)));
}

export function isEnabled(item: ActionItem, targets: readonly ActionTarget[]): boolean {
  return targets.length > 0 && targets.every((t) => item.enabled?.(t) ?? true);
}

/** The attribute name an attribute action needs. */
export function attributeArgs(item: ActionItem, t: ActionTarget): UiActionArgs | undefined {
  const a = t.attribute;
  if (a === undefined) return item.args;
  if (a.kind === 'event') return { ...item.args, name: a.name !== '' ? a.name : String(a.number ?? '') };
  if (a.kind === 'limit') return { ...item.args, name: a.name };
  return item.args;
}

/** The equivalent ecflow_client command line, e.g. `ecflow_client --suspend /s/f/t`. */
export function commandText(item: ActionItem, paths: readonly string[]): string {
  const shown = paths.length > 3 ? [...paths.slice(0, 3), '…'] : paths;
  return `ecflow_client ${item.command} ${shown.join(' ')}`.trim();
}
