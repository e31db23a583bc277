// `agent status`: the isolation part — whether the device is cut off the network by an isolate action, read from
// isolation.json (the intent the agent re-applies at every start), as JSON and as text.
import { terminalText } from '../../../common/terminal-text.js';
import { IsolationIntentStore } from '../actions/isolation/intent-store.js';
import type { FileStore } from '../system/file-store.js';

export type IsolationSummary =
  | { readonly isolated: false }
  | { readonly isolated: true; readonly mode: string; readonly since: string; readonly allowed: readonly string[] }
  | { readonly isolated: null; readonly error: string };

/** What isolation.json says; an unreadable file is reported, not thrown (status must still print). */
export async function isolationSummary(stateDir: string, files: FileStore): Promise<IsolationSummary> {
  try {
    const intent = await new IsolationIntentStore(stateDir, files).read();
    if (!intent) return { isolated: false };
    return { isolated: true, mode: intent.mode, since: intent.since, allowed: intent.endpoints.map((e) => `${e.host}:${e.port}`) };
  } catch (err) {
    return { isolated: null, error: (err as Error).message };
  }
}

export function renderIsolation(s: IsolationSummary): string {
  if (s.isolated === false) return 'not isolated';
  if (s.isolated === null) return terminalText(`isolation state unknown: ${s.error}`);
  return terminalText(`ISOLATED (${s.mode}) since ${s.since}: only ${s.allowed.join(', ')} and loopback are reachable; an admin releases it`);
}
