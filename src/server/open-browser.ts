/**
 * Open a URL in the user's browser: `xdg-open` (Linux, BSD), `open` (macOS), `start` (Windows).
 * Never throws and never waits: when nothing opens, the user still has the printed address.
 * The URL is passed as one argument (no shell), so the token cannot be mangled or logged.
 */

import { spawn } from 'node:child_process';

/** The command that opens a URL on this platform. */
export function openCommand(platform: NodeJS.Platform = process.platform): { command: string; args: (url: string) => string[] } {
  if (platform === 'darwin') return { command: 'open', args: (url) => [url] };
  // `start` is a cmd builtin; its first quoted argument is the window title.
  if (platform === 'win32') return { command: 'cmd', args: (url) => ['/c', 'start', '""', url.replace(/&/g, '^&')] };
  return { command: 'xdg-open', args: (url) => [url] };
}

/** Try to open `url`; false when the opener could not be started. */
export function openBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const { command, args } = openCommand(platform);
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args(url), { stdio: 'ignore', detached: true, windowsHide: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
