// systeminformation, loaded on first use: ~0.7 MB of code that the idle daemon does not run (inventory comes every
// 24 h; the process table only where risk indicators ask for processes or connections, on a native host).
import type si from 'systeminformation';

let loaded: Promise<typeof si> | undefined;

/** The systeminformation module; the first call loads it. */
export function systemInformationModule(): Promise<typeof si> {
  loaded ??= import('systeminformation').then((m) => m.default);
  return loaded;
}
