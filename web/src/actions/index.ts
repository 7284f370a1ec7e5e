/**
 * Node actions for the shell: `mountActions(toolbar, app)` (toolbar, admin switch, keyboard
 * shortcuts) and `openContextMenu(event, app)` for right-clicks on tree rows and attribute rows.
 */
export { mountActions, type ActionsController } from './toolbar.js';
export { openContextMenu, menuEntries } from './context-menu.js';
export { ACTION_KEYS, PANEL_KEYS } from './keyboard.js';
export { isAdminMode, setAdminMode, onAdminMode } from './admin-mode.js';
