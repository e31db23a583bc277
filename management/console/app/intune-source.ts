// Intune provenance in the console (issue 16): the policies one Intune policy produced (one per kind) grouped as one
// unit for the policy list, with the kinds it spans. Pure; the export's strings are rendered as text nodes.
import type { PolicySource } from './types.js';

/** One row group of the policy list: the Intune policy it came from (null: policies authored here) and its members. */
export interface SourceGroup<T> {
  readonly source: PolicySource | null;
  readonly items: readonly T[];
}

/**
 * Groups `items` by their source's Intune policy id: the policies authored here first (one group with source null,
 * left out when there are none), then one group per Intune policy in the order it first appears. Order within a group
 * is the list's order; the group's source is its first member's (a re-import updates all of them together).
 */
export function groupBySource<T extends { readonly source?: PolicySource | undefined }>(items: readonly T[]): SourceGroup<T>[] {
  const local: T[] = [];
  const imported = new Map<string, { source: PolicySource; items: T[] }>();
  for (const item of items) {
    const source = item.source;
    if (!source) local.push(item);
    else if (imported.has(source.id)) imported.get(source.id)?.items.push(item);
    else imported.set(source.id, { source, items: [item] });
  }
  return [...(local.length > 0 ? [{ source: null, items: local }] : []), ...imported.values()];
}

/** The distinct kinds of a group's members, in their order (an Intune policy spanning several kinds lists each). */
export function groupKinds(items: readonly { readonly kind: string }[]): string[] {
  return [...new Set(items.map((i) => i.kind))];
}
