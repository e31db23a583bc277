// The custom indicators the risk engine matches: the list the indicators provider keeps in the state dir
// (`indicators.json`, providers/indicators/indicator-store.ts) and, on a simulated host, the `indicators.items`
// value in its state file (where the simulated provider stores every kind). Items are checked against the catalog
// one by one: a malformed item is skipped and named, it never takes the others down. Checking 5,000 items costs
// seconds of CPU, so `IndicatorSource` does it again only when the list changed.
import { validatePolicySettings } from '../../../common/validation.js';
import type { RiskIndicator } from '../core/indicator-match.js';
import type { SimulatedHost } from '../hosts/simulated-host.js';
import { INDICATORS_SETTING, readIndicators } from '../providers/indicators/indicator-store.js';
import type { FileStore } from '../system/file-store.js';

export interface IndicatorSourceDeps {
  readonly files: FileStore;
  /** `<stateDir>/indicators.json`. */
  readonly path: string;
  readonly simulated?: SimulatedHost;
  /** Told about each item that is skipped. */
  readonly onInvalid?: (message: string) => void;
}

function valid(item: unknown, onInvalid?: (message: string) => void): item is RiskIndicator {
  try {
    validatePolicySettings({ kind: 'indicators', settings: { [INDICATORS_SETTING]: [item] } as never }, 'indicator');
    return true;
  } catch (err) {
    onInvalid?.((err as Error).message);
    return false;
  }
}

/** Reads the indicators (both places, de-duplicated by type and value; the state dir's list first). */
export async function readRiskIndicators(deps: IndicatorSourceDeps): Promise<RiskIndicator[]> {
  const items: unknown[] = [...(await readIndicators(deps.files, deps.path))];
  if (deps.simulated) {
    await deps.simulated.refresh();
    const value = deps.simulated.read(INDICATORS_SETTING);
    if (Array.isArray(value)) items.push(...value);
  }
  const seen = new Set<string>();
  const out: RiskIndicator[] = [];
  for (const item of items) {
    if (!valid(item, deps.onInvalid)) continue;
    const key = `${item.type}\u0000${item.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(item);
  }
  return out;
}

/** readRiskIndicators, re-checked only when the file or the simulated host's value changed since the last read. */
export class IndicatorSource {
  private last: { readonly key: string; readonly items: RiskIndicator[] } | undefined;
  /** Lists actually parsed and checked (tests check the memo with it). */
  parses = 0;

  constructor(private readonly deps: IndicatorSourceDeps) {}

  async read(): Promise<RiskIndicator[]> {
    const text = (await this.deps.files.read(this.deps.path)) ?? '';
    let simulated = '';
    if (this.deps.simulated) {
      await this.deps.simulated.refresh();
      simulated = JSON.stringify(this.deps.simulated.read(INDICATORS_SETTING) ?? null);
    }
    const key = `${text}\u0000${simulated}`;
    if (this.last?.key === key) return [...this.last.items];
    this.parses++;
    const items = await readRiskIndicators(this.deps);
    this.last = { key, items };
    return [...items];
  }
}
