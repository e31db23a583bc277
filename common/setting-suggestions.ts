// What to tell an admin who names a setting the policy's kind does not have: "did you mean X" (the nearest id of the
// catalog by edit distance) or "this setting belongs to kind Y" (an id of another kind's catalog). Used wherever a
// policy is validated (endpoint, `attache-admin policy validate`), so both give the same message.
import { type PolicyKind, SETTINGS } from '../policy-schemas/src/index.js';

/** Levenshtein distance of two strings, case-insensitive (ids differ from a typo mostly by case or one letter). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length] ?? 0;
}

/** The most edits a name may be from an id to be offered as "did you mean" (a fifth of its length, at least 2). */
function tolerance(name: string): number {
  return Math.max(2, Math.floor(name.length / 5));
}

/** The sentence to append for an unknown setting `name` in a policy of `kind`; undefined when nothing is close. */
export function unknownSettingHint(kind: PolicyKind, name: string): string | undefined {
  const elsewhere = SETTINGS.filter((s) => s.id === name && s.kind !== kind).map((s) => s.kind);
  if (elsewhere.length > 0) return `this setting belongs to kind ${[...new Set(elsewhere)].join(', ')}`;
  let best: { id: string; kind: PolicyKind; distance: number } | undefined;
  for (const s of SETTINGS) {
    const distance = editDistance(name, s.id);
    // Prefer the policy's own kind on a tie.
    if (!best || distance < best.distance || (distance === best.distance && s.kind === kind && best.kind !== kind)) best = { id: s.id, kind: s.kind, distance };
  }
  if (!best || best.distance > tolerance(name)) return undefined;
  return best.kind === kind ? `did you mean "${best.id}"?` : `did you mean "${best.id}" (a setting of kind ${best.kind})?`;
}

const UNKNOWN_SETTING = /^unknown (\S+) setting "(.*)"$/;

/** A validation message with the hint appended when it is about an unknown setting of `kind`. */
export function withSettingHint(kind: PolicyKind, message: string): string {
  const match = UNKNOWN_SETTING.exec(message);
  const hint = match?.[2] === undefined ? undefined : unknownSettingHint(kind, match[2]);
  return hint ? `${message}: ${hint}` : message;
}
