// The dynamic group rule editor: match all/any of a list of conditions (platform, os, osVersion prefix, tag,
// agent version comparison), each a labelled row that can be added and removed with the keyboard; beside it the live
// member preview (rule-preview.tsx), with the endpoint's validation messages on their conditions.
import { conditionError, RulePreviewView, useRulePreview } from './rule-preview.js';

export interface RuleCondition {
  attribute: 'platform' | 'os' | 'osVersion' | 'tags' | 'agentVersion';
  equals?: string;
  startsWith?: string;
  contains?: string;
  op?: string;
  value?: string;
}

export interface Rule {
  match: 'all' | 'any';
  conditions: RuleCondition[];
}

const ATTRIBUTES: readonly [RuleCondition['attribute'], string][] = [
  ['platform', 'Platform equals'],
  ['os', 'OS equals'],
  ['osVersion', 'OS version starts with'],
  ['tags', 'Tags contain'],
  ['agentVersion', 'Agent version'],
];
const CHOICES: Partial<Record<RuleCondition['attribute'], readonly string[]>> = {
  platform: ['windows', 'macos', 'linux'],
  // Intune's device OS (urn:attache:dynamic-group-rule): `windows` is a Windows client, `windowsServer` a server.
  os: ['windows', 'windowsServer', 'macos', 'linux'],
};

/** A fresh condition of an attribute, with its first choice filled in. */
function conditionOf(attribute: RuleCondition['attribute']): RuleCondition {
  switch (attribute) {
    case 'platform':
    case 'os':
      return { attribute, equals: CHOICES[attribute]?.[0] ?? '' };
    case 'osVersion':
      return { attribute, startsWith: '' };
    case 'tags':
      return { attribute, contains: '' };
    default:
      return { attribute, op: '>=', value: '' };
  }
}

const valueKey = (c: RuleCondition) =>
  c.attribute === 'osVersion' ? 'startsWith' : c.attribute === 'tags' ? 'contains' : c.attribute === 'agentVersion' ? 'value' : 'equals';

export function RuleEditor({ rule, onChange, idPrefix }: { rule: Rule; onChange: (r: Rule) => void; idPrefix: string }) {
  const set = (i: number, c: RuleCondition) => onChange({ ...rule, conditions: rule.conditions.map((x, j) => (j === i ? c : x)) });
  const preview = useRulePreview(rule);
  return (
    <fieldset class="rule">
      <legend>Membership rule</legend>
      <label for={`${idPrefix}-match`}>Devices matching</label>{' '}
      <select id={`${idPrefix}-match`} value={rule.match} onChange={(e) => onChange({ ...rule, match: e.currentTarget.value as Rule['match'] })}>
        <option value="all">all conditions</option>
        <option value="any">any condition</option>
      </select>
      <ol>
        {rule.conditions.map((c, i) => {
          const id = `${idPrefix}-c${i}`;
          const key = valueKey(c);
          const choices = CHOICES[c.attribute];
          const error = conditionError(preview.details, i);
          const invalid = error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
          return (
            <li key={i} class="row">
              <label for={`${id}-attr`} class="sr-only">
                Condition {i + 1} attribute
              </label>
              <select id={`${id}-attr`} value={c.attribute} onChange={(e) => set(i, conditionOf(e.currentTarget.value as RuleCondition['attribute']))}>
                {ATTRIBUTES.map(([a, label]) => (
                  <option key={a} value={a}>
                    {label}
                  </option>
                ))}
              </select>
              {c.attribute === 'agentVersion' && (
                <>
                  <label for={`${id}-op`} class="sr-only">
                    Condition {i + 1} comparison
                  </label>
                  <select id={`${id}-op`} value={c.op} onChange={(e) => set(i, { ...c, op: e.currentTarget.value })}>
                    {['>=', '>', '==', '<=', '<'].map((op) => (
                      <option key={op} value={op}>
                        {op}
                      </option>
                    ))}
                  </select>
                </>
              )}
              <label for={`${id}-value`} class="sr-only">
                Condition {i + 1} value
              </label>
              {choices ? (
                <select id={`${id}-value`} value={c[key]} onChange={(e) => set(i, { ...c, [key]: e.currentTarget.value })} {...invalid}>
                  {choices.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                </select>
              ) : (
                <input id={`${id}-value`} value={c[key]} onInput={(e) => set(i, { ...c, [key]: e.currentTarget.value })} {...invalid} />
              )}
              <button
                type="button"
                disabled={rule.conditions.length === 1}
                onClick={() => onChange({ ...rule, conditions: rule.conditions.filter((_, j) => j !== i) })}
              >
                Remove<span class="sr-only"> condition {i + 1}</span>
              </button>
              {error && (
                <p class="field-error" id={`${id}-error`}>
                  Condition {i + 1}: {error}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      <button type="button" onClick={() => onChange({ ...rule, conditions: [...rule.conditions, conditionOf('platform')] })}>
        Add condition
      </button>
      <RulePreviewView preview={preview} />
    </fieldset>
  );
}

export const NEW_RULE: Rule = { match: 'all', conditions: [conditionOf('platform')] };
