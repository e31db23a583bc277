// Ajv errors as short, truthful lines: for a union (anyOf/oneOf) only the branch that applies is reported, picked by
// its literal tag (`attribute`, `type`, `$type`) or by the JSON type of the value, so a too-long path is not reported
// as "must be boolean". Kept apart from validation.ts (which sets Ajv up) so either can change alone.
import type { ErrorObject } from 'ajv';
import { DISPLAY_NAME_PATTERN, HOSTNAME_PATTERN, RENAMED_PROPERTIES, textPatternMessage } from '../policy-schemas/src/index.js';
import type { ErrorDetail } from './errors.js';

/** Readable words for the patterns whose source text would say nothing to a reader. */
const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [DISPLAY_NAME_PATTERN]: 'must not contain control, bidi or invisible format characters',
  [HOSTNAME_PATTERN]: 'must be a hostname: dot-separated labels of ASCII letters, digits, "-" or "_" (IDN in punycode, xn--)',
};

const isUnion = (e: ErrorObject) => e.keyword === 'anyOf' || e.keyword === 'oneOf';

/** Which branch of `union` an error belongs to, or undefined when it is not inside the union. */
function branchOf(union: ErrorObject, e: ErrorObject): number | undefined {
  const prefix = `${union.schemaPath}/`;
  if (!e.schemaPath.startsWith(prefix)) return undefined;
  // The same schema location fails once per instance (two bad list items): keep to this union's instance.
  if (e.instancePath !== union.instancePath && !e.instancePath.startsWith(`${union.instancePath}/`)) return undefined;
  const index = Number.parseInt(e.schemaPath.slice(prefix.length), 10);
  return Number.isNaN(index) ? undefined : index;
}

/** A branch's failure that rules it out: its literal tag differs (`/N/properties/tag/const`) or the value's JSON type does (`/N/type`, `/N/const`). */
function ruledOut(union: ErrorObject, branch: number, e: ErrorObject): 'tag' | 'type' | undefined {
  const base = `${union.schemaPath}/${branch}`;
  const tag = /^\/properties\/([^/]+)\/(const|enum|type)$/.exec(e.schemaPath.slice(base.length));
  // schemaPath segments are URI-encoded (`%24type`), instancePath segments are plain JSON pointer (`$type`).
  if (tag && e.instancePath === `${union.instancePath}/${decodeURIComponent(tag[1] ?? '')}`) return 'tag';
  if (e.instancePath === union.instancePath && (e.schemaPath === `${base}/type` || e.schemaPath === `${base}/const`)) return 'type';
  return undefined;
}

/** The union's own message when no branch applies: the allowed literals (of the tag or of the value), or the allowed
 * JSON types; the union's generic message when the branches were ruled out in different ways. */
function noBranchMessage(union: ErrorObject, ruled: readonly ErrorObject[]): ErrorObject {
  const consts = ruled.filter((e) => e.keyword === 'const');
  if (consts.length === ruled.length && consts.length > 0) {
    const allowed = [...new Set(consts.map((e) => JSON.stringify(e.params.allowedValue)))];
    return { ...union, instancePath: consts[0]?.instancePath ?? union.instancePath, keyword: 'union', message: `must be one of ${allowed.join(', ')}` };
  }
  const types = [...new Set(ruled.filter((e) => e.keyword === 'type').map((e) => String(e.params.type)))];
  if (ruled.every((e) => e.keyword === 'type')) {
    return { ...union, instancePath: ruled[0]?.instancePath ?? union.instancePath, keyword: 'union', message: `must be ${types.join(' or ')}` };
  }
  return union;
}

/** Keeps the errors of the branch that applies to each failed union, outermost union first. */
export function pruneUnionErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  let list = [...errors];
  const unions = list.filter(isUnion).sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const union of unions) {
    if (!list.includes(union)) continue;
    const byBranch = new Map<number, ErrorObject[]>();
    for (const e of list) {
      const b = branchOf(union, e);
      if (b !== undefined) byBranch.set(b, [...(byBranch.get(b) ?? []), e]);
    }
    if (byBranch.size === 0) continue;
    const ruled: ErrorObject[] = [];
    const open: [number, ErrorObject[]][] = [];
    for (const [b, errs] of byBranch) {
      const out = errs.find((e) => ruledOut(union, b, e));
      if (out) ruled.push(out);
      else open.push([b, errs]);
    }
    // Of the branches that still apply, the one with the fewest type mismatches deeper down, then the fewest errors:
    // a list of strings with one too-long item is a string list, not a list of objects.
    const typeErrors = (errs: readonly ErrorObject[]) => errs.filter((e) => e.keyword === 'type').length;
    open.sort(([, a], [, b]) => typeErrors(a) - typeErrors(b) || a.length - b.length);
    const chosen = open[0]?.[0];
    const inUnion = (e: ErrorObject) => e === union || branchOf(union, e) !== undefined;
    const replacement = chosen === undefined ? [noBranchMessage(union, ruled)] : [];
    const at = list.findIndex(inUnion);
    const kept = list.filter((e) => !inUnion(e) || (chosen !== undefined && branchOf(union, e) === chosen));
    list = chosen === undefined ? [...kept.slice(0, at), ...replacement, ...kept.slice(at)] : kept;
  }
  return list;
}

/** Turns Ajv errors into short lines naming the JSON pointer and what is wrong there. */
export function describeErrors(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  return (
    pruneUnionErrors(errors ?? [])
      // A tagged union's if/then (policy-schemas/src/tagged-union.ts) reports the branch's errors and then "must match
      // the then schema": the branch's errors say it all.
      .filter((e) => e.keyword !== 'if')
      .map((e) => ({ path: e.instancePath || '/', message: describeOne(e) }))
      .slice(0, 20)
  );
}

function describeOne(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(e.params.additionalProperty);
      const renamed = Object.hasOwn(RENAMED_PROPERTIES, name) ? RENAMED_PROPERTIES[name] : undefined;
      return renamed ? `unknown property "${name}": renamed to "${renamed}"` : `unknown property "${name}"`;
    }
    case 'enum':
      return `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required':
      return `missing required property "${String(e.params.missingProperty)}"`;
    case 'pattern':
      return PATTERN_MESSAGES[String(e.params.pattern)] ?? textPatternMessage(String(e.params.pattern)) ?? e.message ?? 'must match a pattern';
    case 'false schema':
      // A property the catalog lists only to refuse it (a CSP field no Attaché provider can enforce).
      return 'is not supported: no Attaché provider can apply it';
    default:
      return e.message ?? e.keyword;
  }
}
