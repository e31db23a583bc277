// The difference between the stored policy version and the form: what the admin is about to change, shown with the
// what-if before saving.

export interface DiffLine {
  readonly field: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly from?: unknown;
  readonly to?: unknown;
}

export interface PolicyDoc {
  readonly name: string;
  readonly kind: string;
  readonly description?: string;
  readonly settings: Record<string, unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Field-by-field changes from `before` (null: a new policy) to `after`; settings by id. */
export function diffPolicy(before: PolicyDoc | null, after: PolicyDoc): DiffLine[] {
  const out: DiffLine[] = [];
  const b = before ?? { name: '', kind: after.kind, settings: {} };
  if (before === null || b.name !== after.name) out.push({ field: 'name', change: before ? 'changed' : 'added', from: before?.name, to: after.name });
  if ((b.description ?? '') !== (after.description ?? ''))
    out.push({ field: 'description', change: 'changed', from: b.description ?? '', to: after.description ?? '' });
  for (const [id, to] of Object.entries(after.settings)) {
    if (!(id in b.settings)) out.push({ field: id, change: 'added', to });
    else if (!same(b.settings[id], to)) out.push({ field: id, change: 'changed', from: b.settings[id], to });
  }
  for (const [id, from] of Object.entries(b.settings)) if (!(id in after.settings)) out.push({ field: id, change: 'removed', from });
  return out;
}
