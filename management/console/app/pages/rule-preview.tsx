// The rule editor's live member preview: the devices (in the admin's scope) a dynamic rule would match now, asked of
// POST /v1/admin/groups/preview once the rule has stopped changing for PREVIEW_DELAY_MS. A refused rule comes back as
// the endpoint's validation details, which the editor shows beside their condition.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type ErrorDetail, withQuery } from '../api.js';
import { href } from '../router.js';
import type { GroupRulePreview } from '../types.js';
import { ErrorText } from '../ui.js';
import type { Rule } from './rule-editor.js';

/** How long the rule must stay unchanged before it is sent (typing a tag asks once, not per key). */
export const PREVIEW_DELAY_MS = 400;
/** Devices listed under the count; the rest are counted. */
const SHOWN = 10;

export interface RulePreviewState {
  readonly data: GroupRulePreview | undefined;
  /** A failure that is not about one condition (network, permission, …). */
  readonly error: unknown;
  /** The endpoint's validation details of the rule (`/rule/conditions/<i>/…`). */
  readonly details: readonly ErrorDetail[];
  readonly pending: boolean;
}

/** The preview of `rule`, asked again (debounced) whenever it changes; answers to an older rule are dropped. */
export function useRulePreview(rule: Rule): RulePreviewState {
  const [state, setState] = useState<RulePreviewState>({ data: undefined, error: undefined, details: [], pending: true });
  const key = JSON.stringify(rule);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, pending: true }));
    const timer = setTimeout(() => {
      api<GroupRulePreview>('POST', withQuery('/v1/admin/groups/preview', { limit: SHOWN }), { rule: JSON.parse(key) }).then(
        (data) => live && setState({ data, error: undefined, details: [], pending: false }),
        (error) => {
          if (!live) return;
          const details = error instanceof ApiError && error.code === 'SCHEMA_INVALID' ? error.details : [];
          setState({ data: undefined, error: details.length > 0 ? undefined : error, details, pending: false });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}

/** The details about condition `index` (path `/rule/conditions/<index>` or below), as one message. */
export function conditionError(details: readonly ErrorDetail[], index: number): string | undefined {
  const prefix = `/rule/conditions/${index}`;
  const mine = details.filter((d) => d.path === prefix || d.path.startsWith(`${prefix}/`));
  return mine.length > 0 ? mine.map((d) => d.message).join('; ') : undefined;
}

/** The count and the first devices, or why there is none; a live region so the count is read out as it changes. */
export function RulePreviewView({ preview }: { preview: RulePreviewState }) {
  const { data, error, details, pending } = preview;
  // Details beside no condition (the rule's `match`, its list of conditions) are shown here.
  const elsewhere = details.filter((d) => !/^\/rule\/conditions\/\d+(\/|$)/.test(d.path));
  return (
    <div class="rule-preview" data-testid="rule-preview" aria-live="polite" aria-busy={pending}>
      <h3>Members now</h3>
      {details.length > 0 && <p class="field-error">The rule is not valid yet: fix the marked conditions.</p>}
      {elsewhere.map((d) => (
        <p key={d.path} class="field-error">
          <code>{d.path}</code> {d.message}
        </p>
      ))}
      <ErrorText error={error} />
      {data && (
        <>
          <p data-testid="rule-preview-count">
            {data.total} device(s) match{pending ? ' (checking…)' : ''}
          </p>
          {data.devices.length > 0 && (
            <ul class="preview-devices">
              {data.devices.map((d) => (
                <li key={d.deviceId}>
                  <a href={href('devices', d.deviceId)}>{d.hostname}</a>{' '}
                  <span class="muted">
                    {d.platform} {d.osVersion} · agent {d.agentVersion}
                    {d.tags.length > 0 ? ` · ${d.tags.join(', ')}` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {data.total > data.devices.length && <p class="muted">and {data.total - data.devices.length} more</p>}
        </>
      )}
      {!data && pending && details.length === 0 && <p class="muted">Checking which devices match…</p>}
    </div>
  );
}
