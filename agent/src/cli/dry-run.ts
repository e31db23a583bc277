// `attache-agent sync --dry-run`: the plan from the running daemon, or computed here when it is not running.
// Either way nothing is written: not the host, not the state files, not the outbox.
import { systemClock } from '../../../common/clock.js';
import { AttacheError, toAttacheError } from '../../../common/errors.js';
import type { SyncPlan } from '../../../policy-schemas/src/index.js';
import type { ResolvedConfig } from '../config.js';
import { callDaemon } from '../daemon/control-client.js';
import { createLogger } from '../logging.js';
import { controlAddress, posixPermissions, selectHost } from '../platform/index.js';
import { StateStore } from '../state/state-store.js';
import { buildPlan } from '../sync/preview.js';

/** Asks the daemon for the plan; computes it in-process (read-only) when the daemon is not running. */
export async function dryRunPlan(config: ResolvedConfig, timeoutMs: number): Promise<SyncPlan> {
  try {
    const answer = await callDaemon(controlAddress(config.stateDir), { command: 'plan' }, timeoutMs);
    if (!answer.ok) throw new AttacheError('INTERNAL', `${answer.code}: ${answer.message}`);
    if (!answer.plan) throw new AttacheError('MESSAGE_INVALID', 'the daemon answered the plan request without a plan');
    return answer.plan;
  } catch (err) {
    if (toAttacheError(err).code !== 'DAEMON_UNREACHABLE') throw err;
  }
  // No init(): it would create or chmod the state dir. Warnings go to stderr only, never to a log file.
  const store = new StateStore(config.stateDir, { posixPermissions: posixPermissions() });
  const identity = await store.readIdentity();
  if (!identity) throw new AttacheError('NOT_ENROLLED', `no device identity in ${config.stateDir}; run "attache-agent enroll --package <file>" first`);
  const logger = createLogger({ level: 'warn' });
  const host = selectHost(config.host, { stateDir: config.stateDir });
  return buildPlan({ store, host, identity, logger, now: systemClock.now }, 'cli');
}
