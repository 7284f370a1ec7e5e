/** Dialogs for the shell: the Servers dialog (list, add/edit/duplicate/remove, import). */
export { openServersDialog } from './servers-dialog.js';
export { confirmDialog, openDialog } from './dialog.js';
