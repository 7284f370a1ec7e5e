/** The tabs of the Info panel, in ecflow_ui's order. */

import { jobTab, manualTab, nodeLogTab, scriptTab, serverLogTab } from './file-tab.js';
import { infoTab } from './info-tab.js';
import { outputTab } from './output-tab.js';
import type { TabDef } from './tab-types.js';
import { triggersTab } from './triggers-tab.js';
import { variablesTab } from './variables-tab.js';
import { whyTab } from './why-tab.js';
import { zombiesTab } from './zombies-tab.js';

export const ALL_TABS: readonly TabDef[] = [
  infoTab,
  manualTab,
  scriptTab,
  jobTab,
  outputTab,
  whyTab,
  triggersTab,
  variablesTab,
  serverLogTab,
  nodeLogTab,
  zombiesTab,
];
