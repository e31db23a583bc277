// Admin CLI commands of onboarding packages: create (with tags; the only time its token is shown), list (never the
// token: a short id, use and state) and revoke by id. Registered by cli.ts on its command tree.
import { chmod, writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { sha256Hex } from '../../../common/signing.js';
import { terminalCell } from '../../../common/terminal-text.js';
import { type OnboardingPackage, onboardingPackageIdOf } from '../../../policy-schemas/src/index.js';
import type { AdminClient } from './admin-client.js';
import { onboardingTable } from './directory-views.js';
import { onboardingSummary } from './views.js';

/** What the commands need from cli.ts. */
export interface OnboardingCommandDeps {
  readonly program: Command;
  readonly client: () => Promise<AdminClient>;
  readonly print: (value: unknown, human: () => string) => void;
  /** Raw output (the package itself, unescaped: it is JSON). */
  readonly stdout: (text: string) => void;
  /** A next-step sentence for a person: stderr, never under --json. */
  readonly hint: (text: string) => void;
}

/** A positive integer option value. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function enrollHint(file: string): string {
  const f = terminalCell(file);
  return [
    `next: enroll a device with ${f}: on the device \`attache-agent enroll --package ${f}\`; from a clone, a simulated one:`,
    `  npm run agent -- --state-dir /tmp/attache-try/agent --simulated windows enroll --package ${f}`,
    '  npm run agent -- --state-dir /tmp/attache-try/agent --simulated windows run     # keeps running: its own terminal',
    'then `attache-admin device list` shows the device and its id.',
    '',
  ].join('\n');
}

/** Adds `onboarding create|list|revoke`. */
export function registerOnboardingCommands(d: OnboardingCommandDeps): void {
  const onboarding = d.program.command('onboarding').description('onboarding packages (enrollment tokens)');
  onboarding
    .command('create')
    .description('create an onboarding package (the only time its token is shown)')
    .option('--expires-in-minutes <n>', 'token lifetime in minutes (default 1440)', positiveInt)
    .option('--max-uses <n>', 'devices that may enroll with it (default 1)', positiveInt)
    .option('--description <text>', 'note stored with the token')
    .option('--tag <tag>', 'device tag every device enrolled with it gets (e.g. MDE-Management); repeatable', collect)
    .option('--out <file>', 'write the package to this file (mode 0600) instead of stdout')
    .action(async (opts: { expiresInMinutes?: number; maxUses?: number; description?: string; tag?: string[]; out?: string }) => {
      const pkg = await (await d.client()).createOnboardingPackage({
        ...(opts.expiresInMinutes === undefined ? {} : { expiresInMinutes: opts.expiresInMinutes }),
        ...(opts.maxUses === undefined ? {} : { maxUses: opts.maxUses }),
        ...(opts.description === undefined ? {} : { description: opts.description }),
        ...(opts.tag === undefined ? {} : { tags: opts.tag }),
      });
      const id = onboardingPackageIdOf(sha256Hex(pkg.enrollmentToken));
      // Without --out the package itself is the output (to redirect into a file), as it always was.
      if (!opts.out) {
        d.stdout(`${JSON.stringify(pkg, null, 2)}\n`);
        d.hint(`onboarding package ${id} created. ${enrollHint('<the file you saved it in>')}`);
        return;
      }
      await writePackage(opts.out, pkg);
      d.print(
        {
          id,
          file: opts.out,
          endpointUrl: pkg.endpointUrl,
          alternateEndpointUrls: pkg.alternateEndpointUrls ?? [],
          tenantId: pkg.tenantId,
          caPin: pkg.caPin,
          expiresAt: pkg.expiresAt,
        },
        () => `id:            ${id}\n${onboardingSummary(pkg, opts.out ?? '')}`,
      );
      d.hint(enrollHint(opts.out));
    });
  onboarding
    .command('list')
    .description('list onboarding packages, newest first (id, state, uses; never the token)')
    .action(async () => {
      const packages = await (await d.client()).listOnboardingPackages();
      d.print({ onboardingPackages: packages }, () => onboardingTable(packages));
    });
  onboarding
    .command('revoke <id>')
    .description('revoke an onboarding package: no device can enroll with it any more (enrolled devices stay)')
    .action(async (id: string) => {
      const revoked = await (await d.client()).revokeOnboardingPackage(id);
      d.print(revoked, () => `onboarding package ${revoked.id} revoked (${revoked.uses} of ${revoked.maxUses} uses were made)\n`);
    });
}

async function writePackage(file: string, pkg: OnboardingPackage): Promise<void> {
  await writeFile(file, `${JSON.stringify(pkg, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
