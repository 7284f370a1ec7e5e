/** The Info panel for the shell: `mountPanels(container, app)`; `openPanel(name)` shows a tab. */
export { mountPanels, openPanel, REFRESH_DEBOUNCE_MS, type PanelsController, type PanelsOptions } from './panels.js';
export { PanelNames, isPanelName, type PanelName } from './tab-types.js';
