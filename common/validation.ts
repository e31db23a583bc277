// Schema validation shared by agent and endpoint (JSON Schema 2020-12, every schema of policy-schemas/): typed
// results, errors with a stable code and readable details. The validators come from schema-validators.ts.
import type { Static, TSchema } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { type PolicyDocument, type PolicyKind, policySettingsSchemaId, settingById } from '../policy-schemas/src/index.js';
import { AttacheError, type ErrorCode } from './errors.js';
import { compiledValidator } from './schema-validators.js';
import { withSettingHint } from './setting-suggestions.js';
import { describeErrors } from './validation-errors.js';

/** Re-exported for callers that knew it here; the wording lives in validation-errors.ts. */
export { describeErrors };

function validatorFor(id: string): ValidateFunction {
  const fn = compiledValidator(id);
  if (!fn) throw new Error(`no schema registered with $id ${id}`);
  return fn;
}

/**
 * Validates `data` against the schema with `$id` and returns it typed; throws an AttacheError (`code`, default
 * SCHEMA_INVALID) whose message names the document and the first problem, with all problems in `details`.
 */
export function validate<T extends TSchema>(schema: T, data: unknown, what: string, code: ErrorCode = 'SCHEMA_INVALID'): Static<T> {
  const id = schema.$id;
  if (!id) throw new Error('validate: schema has no $id');
  return validateById(id, data, what, code) as Static<T>;
}

export function validateById(id: string, data: unknown, what: string, code: ErrorCode = 'SCHEMA_INVALID'): unknown {
  const fn = validatorFor(id);
  if (fn(data)) return data;
  const details = describeErrors(fn.errors);
  const first = details[0];
  throw new AttacheError(code, `${what} is invalid: ${first ? `${first.path} ${first.message}` : 'schema mismatch'}`, { details });
}

/** Checks a policy's settings against the catalog of its kind: unknown ids and disallowed values are POLICY_INVALID. */
export function validatePolicySettings(doc: Pick<PolicyDocument, 'kind' | 'settings'>, what = 'policy'): void {
  const fn = validatorFor(policySettingsSchemaId(doc.kind as PolicyKind));
  if (fn(doc.settings)) return;
  const details = describeErrors(fn.errors).map((d) => ({
    path: `/settings${d.path === '/' ? '' : d.path}`,
    // Only a property of the settings object itself is a setting; one inside a value (a rule item's field) is a property.
    message: d.path === '/' ? withSettingHint(doc.kind as PolicyKind, d.message.replace(/^unknown property/, `unknown ${doc.kind} setting`)) : d.message,
  }));
  const first = details[0];
  throw new AttacheError('POLICY_INVALID', `${what} is invalid: ${first ? `${first.path} ${first.message}` : 'settings mismatch'}`, { details });
}

/**
 * The limits a policy must meet when it is submitted or applied, beyond the shape its value schema accepts (a stored or
 * cached policy signed before a limit existed still verifies): a `singleItem` list names at most one item.
 * Throws POLICY_INVALID whose path names the setting.
 */
export function validateSettingLimits(doc: Pick<PolicyDocument, 'settings'>, what = 'policy'): void {
  for (const [settingId, value] of Object.entries(doc.settings)) {
    if (settingById(settingId)?.singleItem !== true || !Array.isArray(value) || value.length <= 1) continue;
    const path = `/settings/${settingId}`;
    const message = `accepts one value only (one value per tag type), got ${value.length}`;
    throw new AttacheError('POLICY_INVALID', `${what} is invalid: ${path} ${message}`, { details: [{ path, message }] });
  }
}
