// Firewall health on Windows: per profile, is the firewall on and what are the default actions. Parses the JSON of
// `Get-NetFirewallProfile | ConvertTo-Json` (PowerShell 5.1 prints enums as numbers) or of FIREWALL_HEALTH (names).
import { type CommandRunner, parseToolJson } from '../../system/command-runner.js';
import type { FirewallProfileName } from './firewall-profile-map.js';
import { FIREWALL_HEALTH } from './firewall-scripts.js';
import { runPowerShell } from './powershell.js';

/** One profile's state; undefined = NotConfigured in that store (Windows then applies its default: on, block in, allow out). */
export interface FirewallProfileHealth {
  readonly profile: FirewallProfileName;
  readonly enabled: boolean | undefined;
  readonly defaultInboundAction: 'allow' | 'block' | undefined;
  readonly defaultOutboundAction: 'allow' | 'block' | undefined;
}

const PROFILES: readonly FirewallProfileName[] = ['Domain', 'Private', 'Public'];

/** GpoBoolean: False=0, True=1, NotConfigured=2. */
function gpoBoolean(raw: unknown): boolean | undefined {
  const t = String(raw).toLowerCase();
  return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : undefined;
}

/** Action: NotConfigured=0, Allow=2, Block=4. */
function action(raw: unknown): 'allow' | 'block' | undefined {
  const t = String(raw).toLowerCase();
  return t === 'allow' || t === '2' ? 'allow' : t === 'block' || t === '4' ? 'block' : undefined;
}

/**
 * Parses profile JSON: an array of profile objects, one object (ConvertTo-Json of a single profile), or FIREWALL_HEALTH's
 * `{ profiles: [...] }`. Objects without a known Name are skipped; throws only when the text is not JSON of that shape.
 */
export function parseFirewallProfiles(json: string | unknown): FirewallProfileHealth[] {
  const data = typeof json === 'string' ? parseToolJson('Get-NetFirewallProfile', json) : json;
  const wrapped = (data as { profiles?: unknown } | null)?.profiles;
  const rows = Array.isArray(wrapped) ? wrapped : Array.isArray(data) ? data : [data];
  if (rows.some((r) => typeof r !== 'object' || r === null)) throw new Error('firewall profiles: expected JSON objects');
  return rows.flatMap((r: Record<string, unknown>) => {
    const profile = PROFILES.find((p) => p === r.Name);
    if (!profile) return [];
    return [
      {
        profile,
        enabled: gpoBoolean(r.Enabled),
        defaultInboundAction: action(r.DefaultInboundAction),
        defaultOutboundAction: action(r.DefaultOutboundAction),
      },
    ];
  });
}

/** The effective (ActiveStore) state of each profile, for health reports. */
export async function readFirewallHealth(runner: CommandRunner): Promise<FirewallProfileHealth[]> {
  return parseFirewallProfiles(await runPowerShell(runner, FIREWALL_HEALTH, null, 60_000));
}
