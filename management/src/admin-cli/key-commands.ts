// Admin CLI commands of key rotation: `device rotate-key <id>`, `signing-key show` and `signing-key rotate
// [--overlap-hours N | --now]`. Registered by cli.ts; shared helpers come in as deps.
import type { Command } from 'commander';
import { AttacheError } from '../../../common/errors.js';
import type { SigningKeyState } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';

/** What the commands need from cli.ts. */
export interface KeyCommandDeps {
  readonly program: Command;
  readonly device: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function signingKeyView(state: SigningKeyState): string {
  const lines = [`active policy-signing key ${state.activeKeyId}`];
  if (state.pending) lines.push(`next key ${state.pending.keyId}: signs from ${state.pending.validFrom}, old key accepted until ${state.pending.overlapUntil}`);
  for (const a of state.announcements) lines.push(`  ${a.payload.announcedAt}  ${a.payload.previousKeyId} → ${a.payload.newKeyId}`);
  return `${lines.join('\n')}\n`;
}

/** Parses --overlap-hours: a whole number of hours, 0–8760. */
function overlapHours(value: string): number {
  const hours = Number(value);
  if (!/^\d+$/.test(value) || hours > 8760)
    throw new AttacheError('SCHEMA_INVALID', `--overlap-hours must be a whole number of hours from 0 to 8760, not "${value}"`);
  return hours;
}

export function registerKeyCommands(d: KeyCommandDeps): void {
  d.device
    .command('rotate-key <deviceId>')
    .description('ask a device to replace its device key now (it does at its next sync; nudged when connected)')
    .action(async (id: string) => {
      if (!UUID_RE.test(id)) throw new AttacheError('NOT_FOUND', `"${id}" is not a device id`);
      const mark = await (await d.client()).requestDeviceKeyRotation(id.toLowerCase());
      d.print(mark, () =>
        mark.nudged ? `device ${mark.deviceId} asked to rotate its key now\n` : `device ${mark.deviceId} rotates its key at its next check-in\n`,
      );
    });
  const signingKey = d.program.command('signing-key').description('the policy-signing key');
  signingKey
    .command('show')
    .description('the active key, a pending one and the announcement chain')
    .action(async () => {
      const state = await (await d.client()).getSigningKey();
      d.print(state, () => signingKeyView(state));
    });
  signingKey
    .command('rotate')
    .description('announce a new policy-signing key (signed by the current one); the endpoint switches after the overlap')
    .option('--overlap-hours <hours>', 'hours until the switch; devices accept the old key as long again (default 24)')
    .option('--now', 'switch at once, no overlap (after a key theft: see docs/protocol.md "Key rotation")')
    .action(async (opts: { overlapHours?: string; now?: boolean }) => {
      if (opts.now && opts.overlapHours !== undefined) throw new AttacheError('SCHEMA_INVALID', '--now and --overlap-hours exclude each other');
      const request = opts.now ? { now: true } : opts.overlapHours !== undefined ? { overlapHours: overlapHours(opts.overlapHours) } : {};
      const announced = await (await d.client()).rotateSigningKey(request);
      const p = announced.payload;
      d.print(announced, () => `policy-signing key ${p.newKeyId} announced; signs from ${p.validFrom}; ${p.previousKeyId} accepted until ${p.overlapUntil}\n`);
    });
}
