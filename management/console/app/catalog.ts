// The settings catalog as the console uses it (GET /v1/admin/catalog, contract 6), and the conversions between a
// setting's form text and its JSON value. Values are not judged here: the endpoint validates and its messages are
// shown beside the field.
import { api } from './api.js';

export interface CatalogSetting {
  readonly id: string;
  readonly kind: string;
  readonly title: string;
  readonly description: string;
  readonly type: 'boolean' | 'integer' | 'string' | 'stringList' | 'objectList';
  readonly values?: readonly { value: string | number; label: string }[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
  readonly platforms: readonly string[];
}

type RawSetting = Record<string, unknown>;

function normalizeSetting(raw: RawSetting, kind?: string): CatalogSetting {
  const values = (raw.values ?? raw.allowedValues) as CatalogSetting['values'] | undefined;
  return {
    id: String(raw.id ?? raw.settingId),
    kind: String(raw.kind ?? kind),
    title: String(raw.title ?? raw.name ?? raw.id),
    description: String(raw.description ?? ''),
    type: (raw.type ?? 'string') as CatalogSetting['type'],
    ...(values ? { values } : {}),
    ...(typeof raw.minimum === 'number' ? { minimum: raw.minimum } : {}),
    ...(typeof raw.maximum === 'number' ? { maximum: raw.maximum } : {}),
    ...(raw.default === undefined ? {} : { default: raw.default }),
    platforms: (raw.platforms as string[] | undefined) ?? [],
  };
}

/** Accepts `{settings: [...]}`, `{kinds: [{kind, settings}]}` or `{kinds: {antivirus: [...]}}`. */
export function normalizeCatalog(body: unknown): CatalogSetting[] {
  const b = body as { settings?: RawSetting[]; kinds?: unknown };
  if (Array.isArray(b.settings)) return b.settings.map((s) => normalizeSetting(s));
  if (Array.isArray(b.kinds)) return (b.kinds as { kind: string; settings: RawSetting[] }[]).flatMap((k) => k.settings.map((s) => normalizeSetting(s, k.kind)));
  if (b.kinds && typeof b.kinds === 'object')
    return Object.entries(b.kinds as Record<string, RawSetting[]>).flatMap(([kind, list]) => list.map((s) => normalizeSetting(s, kind)));
  throw new Error('the catalog answer has neither settings nor kinds');
}

export async function loadCatalog(): Promise<CatalogSetting[]> {
  return normalizeCatalog(await api('GET', '/v1/admin/catalog'));
}

/** The text a form control shows for a value. */
export function toText(setting: CatalogSetting, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (setting.type === 'stringList' && Array.isArray(value)) return value.join('\n');
  if (setting.type === 'objectList') return JSON.stringify(value, null, 2);
  return String(value);
}

/**
 * The JSON value of a control's text. Text that cannot be the setting's type is sent as typed (a string) so the
 * endpoint refuses it with its own message; only JSON syntax of object lists is reported here.
 */
export function fromText(setting: CatalogSetting, text: string): unknown {
  switch (setting.type) {
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'integer':
      return /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
    case 'stringList':
      return text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    case 'objectList':
      try {
        return JSON.parse(text || '[]');
      } catch (err) {
        throw new Error(`${setting.title}: not valid JSON (${(err as Error).message})`);
      }
    default:
      return setting.values?.some((v) => typeof v.value === 'number') && /^-?\d+$/.test(text) ? Number(text) : text;
  }
}

/** Field errors of a refused document by form field: `name`, `description` or a setting id. */
export function fieldErrors(details: readonly { path: string; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) {
    const m = /^\/settings\/([^/]+)/.exec(d.path) ?? /^\/document\/settings\/([^/]+)/.exec(d.path);
    const key = m?.[1]
      ? decodeURIComponent(m[1].replaceAll('~1', '/').replaceAll('~0', '~'))
      : d.path.replace(/^\/(document\/)?/, '').split('/')[0] || 'document';
    out[key] = out[key] ? `${out[key]}; ${d.message}` : `${d.path} ${d.message}`;
  }
  return out;
}
