// `agent status`: the software inventory part — the last collection, the digest the endpoint acknowledged, and the last
// failure (SOFTWARE_INVENTORY_FAILED, or the upload's error) — from software-inventory.json, as JSON and as text.
import { terminalText } from '../../../common/terminal-text.js';
import type { AgentSoftwareState } from '../../../policy-schemas/src/index.js';
import { readSoftwareState } from '../runtime/software-upload.js';
import type { FileStore } from '../system/file-store.js';

export type SoftwareSummary = { readonly state: AgentSoftwareState | null } | { readonly state: null; readonly error: string };

/** What software-inventory.json says; an unreadable file is reported, not thrown (status must still print). */
export async function softwareSummary(stateDir: string, files: FileStore): Promise<SoftwareSummary> {
  try {
    return { state: (await readSoftwareState(files, stateDir)) ?? null };
  } catch (err) {
    return { state: null, error: (err as Error).message };
  }
}

export function renderSoftware(s: SoftwareSummary): string {
  if ('error' in s) return terminalText(`software inventory state unknown: ${s.error}`);
  const state = s.state;
  if (!state?.lastCollection && !state?.lastError) return 'software inventory: not collected yet';
  const lines: string[] = [];
  const c = state.lastCollection;
  if (c) {
    const uploaded = state.acknowledgedDigest === c.digest ? `acknowledged ${state.acknowledgedAt ?? ''}`.trim() : 'not acknowledged yet';
    lines.push(`software inventory: ${c.items} items${c.truncated ? ' (truncated)' : ''}, collected ${c.collectedAt}, ${uploaded}`);
  }
  if (state.lastError) lines.push(terminalText(`software inventory failed ${state.lastError.at}: ${state.lastError.code}: ${state.lastError.message}`));
  return lines.join('\n');
}
