// The staleness timer: every interval it re-evaluates the devices whose compliance may have changed with time alone
// (check-in deadline, signature age, end of a grace period). Ticks never overlap; a failed tick is logged once per tick.
import type { Clock } from '../../../../common/clock.js';
import type { Logger } from '../../logging.js';
import type { ComplianceService } from './compliance-service.js';

/** Default interval of the staleness timer. */
export const DEFAULT_COMPLIANCE_INTERVAL_MS = 60_000;

/**
 * Starts the timer. The returned function stops it and resolves once a tick in progress has finished (so the store
 * can be closed after it). `onTick` (tests) hears how many devices each tick re-evaluated.
 */
export function startComplianceTimer(
  service: ComplianceService,
  options: { intervalMs?: number },
  deps: { clock: Pick<Clock, 'every'>; logger: Logger; onTick?: (evaluated: number) => void },
): () => Promise<void> {
  const log = deps.logger.child({ component: 'compliance-timer' });
  let inFlight: Promise<void> | undefined;
  const timer = deps.clock.every(options.intervalMs ?? DEFAULT_COMPLIANCE_INTERVAL_MS, () => {
    if (inFlight) return inFlight;
    inFlight = service
      .evaluateDue()
      .then(
        (n) => {
          if (n > 0) log.debug('due devices re-evaluated', { devices: n });
          deps.onTick?.(n);
        },
        (err: unknown) => {
          log.error('compliance timer failed', { error: err instanceof Error ? err.message : String(err) });
        },
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  });
  return async () => {
    timer.cancel();
    await inFlight;
  };
}
