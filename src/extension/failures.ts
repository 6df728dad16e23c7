// The end of every promise the extension starts and does not wait for: a failure goes to the
// log instead of becoming an unhandled rejection in the extension host.

import type * as vscode from 'vscode';

/** A rejection handler that logs `what` failed, and why. */
export function logFailure(log: Pick<vscode.LogOutputChannel, 'error'>, what: string): (e: unknown) => void {
  return (e) => log.error(`${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
