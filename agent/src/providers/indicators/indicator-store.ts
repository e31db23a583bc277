// The indicators provider, every platform: MDE keeps custom indicators in the cloud and matches them in the sensor;
// Attaché delivers them to the device, where the agent's own detection (issue 5: risk signals) matches processes,
// files and connections against them. Enforcement here is the durable local list that detection reads.
import { AttacheError } from '../../../../common/errors.js';
import { parseJsonText } from '../../../../common/json-text.js';
import { validatePolicySettings } from '../../../../common/validation.js';
import type { PolicyKind, SettingValue as SettingValueT } from '../../../../policy-schemas/src/index.js';
import type { RiskIndicator } from '../../core/indicator-match.js';
import type { SettingChange } from '../../core/plan.js';
import type { FileStore } from '../../system/file-store.js';
import type { ApplyResult, SettingsProvider } from '../provider.js';

export const INDICATORS_SETTING = 'indicators.items';
export const INDICATORS_FILE = 'indicators.json';

/** One indicator as the catalog defines it (indicators.items item schema). */
export type Indicator = RiskIndicator;

interface StoredIndicators {
  readonly formatVersion: 1;
  readonly items: SettingValueT;
}

/**
 * The stored list (undefined when none is managed); STATE_CORRUPT naming the file when it is not an indicators file.
 * `strict` also checks every item against the catalog, as detection trusts them; observe does not, so an edited item
 * reads as drift and is rewritten.
 */
async function readStored(files: FileStore, path: string, strict: boolean): Promise<SettingValueT | undefined> {
  const text = await files.read(path);
  if (text === undefined) return undefined;
  const data = parseJsonText(text, path, 'STATE_CORRUPT') as Partial<StoredIndicators> | null;
  if (data?.formatVersion !== 1 || !Array.isArray(data.items)) throw new AttacheError('STATE_CORRUPT', `${path}: not an indicators file`);
  if (strict) {
    try {
      validatePolicySettings({ kind: 'indicators', settings: { [INDICATORS_SETTING]: data.items } }, path);
    } catch (err) {
      throw new AttacheError('STATE_CORRUPT', (err as Error).message, { cause: err });
    }
  }
  return data.items;
}

/** Reads the device's indicator list (for detection); empty when none is managed. */
export async function readIndicators(files: FileStore, path: string): Promise<Indicator[]> {
  return ((await readStored(files, path, true)) ?? []) as unknown as Indicator[];
}

export class IndicatorStoreProvider implements SettingsProvider {
  readonly kind: PolicyKind = 'indicators';

  /** `path`: the list in the agent's state dir (owner-only, like every state file). */
  constructor(
    private readonly options: { readonly path: string },
    private readonly deps: { readonly files: FileStore },
  ) {}

  unsupportedReason(settingId: string): string | undefined {
    return settingId === INDICATORS_SETTING ? undefined : `${settingId} is not an indicators setting`;
  }

  async observe(settingIds: readonly string[]): Promise<Map<string, SettingValueT | undefined>> {
    const items = await readStored(this.deps.files, this.options.path, false);
    return new Map(settingIds.map((id) => [id, id === INDICATORS_SETTING ? items : undefined]));
  }

  async apply(changes: readonly SettingChange[]): Promise<ApplyResult[]> {
    const results: ApplyResult[] = [];
    for (const change of changes) {
      if (change.settingId !== INDICATORS_SETTING) {
        results.push({ settingId: change.settingId, ok: false, code: 'SETTING_NOT_APPLICABLE', message: `${change.settingId} is not an indicators setting` });
        continue;
      }
      try {
        if (change.to === undefined) {
          await this.deps.files.remove(this.options.path);
        } else {
          // Checked again at the boundary to the file detection trusts: every item must match its type's format.
          validatePolicySettings({ kind: 'indicators', settings: { [INDICATORS_SETTING]: change.to } }, 'indicators');
          const body: StoredIndicators = { formatVersion: 1, items: change.to };
          await this.deps.files.writeAtomic(this.options.path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
        }
        results.push({ settingId: change.settingId, ok: true });
      } catch (err) {
        results.push({
          settingId: change.settingId,
          ok: false,
          code: 'SETTING_APPLY_FAILED',
          message: `cannot write ${this.options.path}: ${(err as Error).message}`,
        });
      }
    }
    return results;
  }
}
