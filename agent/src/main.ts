// attache-agent: enroll | run | status | sync | rotate-key. Kept as `function main(){…}; main()` so it bundles to CommonJS (SEA).
// V8 flags first: they must be set before the other modules are compiled.
import './v8-flags.js';
import { readFile } from 'node:fs/promises';
import { Command, CommanderError, Option } from 'commander';
import { systemClock } from '../../common/clock.js';
import { errorOutput, wantsJson } from '../../common/error-output.js';
import { toAttacheError } from '../../common/errors.js';
import { terminalText } from '../../common/terminal-text.js';
import { PLATFORMS, type Platform } from '../../policy-schemas/src/index.js';
import { dryRunPlan } from './cli/dry-run.js';
import { EXIT, exitCodeFor, exitCodesHelp } from './cli/exit-codes.js';
import { isolationSummary, renderIsolation } from './cli/isolation-status.js';
import { renderOutcome, renderPlan } from './cli/render.js';
import { renderRisk, riskSummary } from './cli/risk-status.js';
import { rotateDeviceKeyCommand } from './cli/rotate-key.js';
import { renderSoftware, softwareSummary } from './cli/software-status.js';
import { type ConfigOverrides, loadConfig, type ResolvedConfig } from './config.js';
import { callDaemon } from './daemon/control-client.js';
import { startDaemon } from './daemon/daemon.js';
import { enroll } from './enrollment/enroll.js';
import { createLogger, runsUnderJournald } from './logging.js';
import { controlAddress, posixPermissions, selectHost } from './platform/index.js';
import { StateStore } from './state/state-store.js';
import { AGENT_VERSION } from './version.js';

interface GlobalOptions {
  config?: string;
  stateDir?: string;
  simulated?: Platform;
  logLevel?: ResolvedConfig['logLevel'];
}

function overrides(cmd: Command): ConfigOverrides {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  return { configFile: o.config, stateDir: o.stateDir, simulated: o.simulated, logLevel: o.logLevel };
}

function print(json: boolean, value: unknown, human: () => string): void {
  process.stdout.write(`${json ? JSON.stringify(value, null, 2) : terminalText(human())}\n`);
}

async function enrollCommand(opts: { package: string; caPin?: string; force?: boolean; json?: boolean }, cmd: Command): Promise<void> {
  const config = await loadConfig(overrides(cmd));
  let data: unknown;
  try {
    data = JSON.parse(await readFile(opts.package, 'utf8'));
  } catch (err) {
    throw toAttacheError(new Error(`cannot read onboarding package ${opts.package}: ${(err as Error).message}`), 'SCHEMA_INVALID');
  }
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions() });
  const identity = await enroll(
    { onboardingPackage: data, expectedCaPin: opts.caPin, force: opts.force },
    { store, host: selectHost(config.host, { stateDir: config.stateDir, ...(config.logDir ? { logDir: config.logDir } : {}) }), now: systemClock.now },
  );
  print(
    !!opts.json,
    { deviceId: identity.deviceId, tenantId: identity.tenantId, endpointUrl: identity.endpointUrl },
    () => `enrolled as device ${identity.deviceId} in tenant ${identity.tenantId}`,
  );
  if (!opts.json) process.stderr.write(enrolledHint(cmd));
}

/** The next step after enrolling, with the flags this enrollment used (stderr; never under --json). */
function enrolledHint(cmd: Command): string {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  const flags = [o.config ? `--config ${o.config}` : '', o.stateDir ? `--state-dir ${o.stateDir}` : '', o.simulated ? `--simulated ${o.simulated}` : '']
    .filter(Boolean)
    .join(' ');
  const self = `attache-agent${flags ? ` ${flags}` : ''}`;
  return terminalText(`next: start the daemon, which keeps running (its own terminal, or a service): ${self} run
(from a clone: npm run agent -- ${flags ? `${flags} ` : ''}run); then \`attache-admin device list\` on the admin side shows the device\n`);
}

async function runCommand(_opts: unknown, cmd: Command): Promise<void> {
  const config = await loadConfig(overrides(cmd));
  const logger = createLogger({
    level: config.logLevel,
    logDir: config.logDir,
    journald: runsUnderJournald(process.env),
    stderrIsTty: process.stderr.isTTY === true,
  });
  const daemon = await startDaemon(config, {
    host: selectHost(config.host, { stateDir: config.stateDir, ...(config.logDir ? { logDir: config.logDir } : {}) }),
    logger,
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return; // offboarding stops the daemon, and disabling the service may signal it too
      stopping = true;
      logger.info('stopping', { signal });
      daemon.stop().finally(resolve);
    };
    // Offboarded by an admin: the identity is gone and the service disabled, so the daemon stops and exits 0.
    void daemon.offboarded.then(() => stop('offboarded'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // The Windows service wrapper cannot send signals: it closes our stdin to ask for a graceful stop.
    if (process.env.ATTACHE_STOP_ON_STDIN_EOF === '1') {
      process.stdin.once('end', () => stop('stdin closed'));
      process.stdin.once('error', () => stop('stdin closed'));
      process.stdin.resume();
    }
  });
}

async function statusCommand(opts: { json?: boolean }, cmd: Command): Promise<void> {
  const config = await loadConfig(overrides(cmd));
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions() });
  const identity = await store.readIdentity();
  const outcome = await store.readStatus();
  const signals = await store.readSignals().catch(() => undefined);
  const daemon = await callDaemon(controlAddress(config.stateDir), { command: 'ping' }, 2_000).catch(() => undefined);
  const running = daemon?.ok === true ? daemon.pid : null;
  const summary = {
    enrolled: !!identity,
    deviceId: identity?.deviceId ?? null,
    endpointUrl: identity?.endpointUrl ?? null,
    alternateEndpointUrls: identity?.alternateEndpointUrls ?? [],
    /** The URL the running daemon uses now: the preferred one, or an alternate after a failover. */
    currentEndpointUrl: daemon?.ok === true ? (daemon.endpointUrl ?? null) : null,
    daemonPid: running,
    lastSync: outcome ?? null,
    risk: signals ? riskSummary(signals) : null,
    isolation: await isolationSummary(config.stateDir, store.fileStore),
    software: await softwareSummary(config.stateDir, store.fileStore),
  };
  print(!!opts.json, summary, () =>
    [
      identity ? `device ${identity.deviceId} (tenant ${identity.tenantId}) at ${identity.endpointUrl}` : 'not enrolled',
      ...(identity?.alternateEndpointUrls?.length ? [`alternate endpoint URLs: ${identity.alternateEndpointUrls.join(', ')}`] : []),
      running ? `daemon running, pid ${running}${summary.currentEndpointUrl ? `, using ${summary.currentEndpointUrl}` : ''}` : 'daemon not running',
      outcome ? renderOutcome(outcome) : 'no sync yet',
      signals ? renderRisk(riskSummary(signals)) : 'no risk check yet',
      renderIsolation(summary.isolation),
      renderSoftware(summary.software),
    ].join('\n'),
  );
}

async function syncCommand(opts: { json?: boolean; timeout: string; dryRun?: boolean }, cmd: Command): Promise<void> {
  const config = await loadConfig(overrides(cmd));
  if (opts.dryRun) {
    const plan = await dryRunPlan(config, Number(opts.timeout) * 1000);
    print(!!opts.json, plan, () => renderPlan(plan));
    return;
  }
  const answer = await callDaemon(controlAddress(config.stateDir), { command: 'sync' }, Number(opts.timeout) * 1000);
  if (!answer.ok) throw toAttacheError(new Error(`${answer.code}: ${answer.message}`));
  print(!!opts.json, answer.outcome, () => (answer.outcome ? renderOutcome(answer.outcome) : 'sync done'));
  if (answer.outcome?.error || answer.outcome?.settings.some((s) => s.state === 'error')) process.exitCode = EXIT.syncErrors;
}

function main(): void {
  const program = new Command('attache-agent')
    .exitOverride()
    .version(AGENT_VERSION)
    .description('Attaché device agent: pulls signed security policy, applies it, reports per-setting status.')
    .option('--config <file>', 'agent configuration file (default: OS-conventional path)')
    .option('--state-dir <dir>', 'state directory (identity, device key, policies, outbox)')
    .addOption(new Option('--simulated <platform>', 'apply settings to an in-memory simulated host of this platform').choices([...PLATFORMS]))
    .addOption(new Option('--log-level <level>').choices(['error', 'warn', 'info', 'debug']))
    .addHelpText('after', exitCodesHelp({ 2: 'sync: the sync or at least one setting ended in error' }));
  program
    .command('enroll')
    .description('enroll this device with an onboarding package')
    .requiredOption('--package <file>', 'onboarding package JSON')
    .option('--ca-pin <pin>', 'expected CA pin (sha256/…), given out of band')
    .option('--force', 'replace an existing identity')
    .option('--json', 'machine-readable output')
    .action(enrollCommand);
  program.command('run').description('run the agent daemon').action(runCommand);
  program
    .command('status')
    .description('show identity, daemon state, the last sync, risk level, active alerts and health')
    .option('--json', 'machine-readable output')
    .action(statusCommand);
  program
    .command('sync')
    .description('ask the running daemon to sync now and print the result')
    .option('--json', 'machine-readable output')
    .option('--dry-run', 'print what a sync would change (current → desired, conflicts, restores) and change nothing')
    .option('--timeout <seconds>', 'how long to wait', '120')
    .action(syncCommand);
  program
    .command('rotate-key')
    .description('replace the device key with a new one made on this device (through the daemon when it runs)')
    .option('--json', 'machine-readable output')
    .option('--timeout <seconds>', 'how long to wait', '60')
    .action(async (opts: { json?: boolean; timeout: string }, cmd: Command) => {
      const result = await rotateDeviceKeyCommand(await loadConfig(overrides(cmd)), Number(opts.timeout) * 1000);
      print(!!opts.json, result, () => `device key rotated: now ${result.keyId} (by the ${result.rotatedBy})`);
    });
  program.parseAsync(process.argv).catch((err: unknown) => {
    // Commander has printed its own message (or the help/version it was asked for).
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
    const e = toAttacheError(err);
    process.stderr.write(errorOutput(e, wantsJson(process.argv)));
    process.exit(exitCodeFor(e.code));
  });
}

main();
