// One setting of the policy form, generated from its catalog entry: its real name, description, platforms, allowed
// values and default; a "Configure" checkbox decides whether the policy sets it; the endpoint's message shows beside it.
import type { CatalogSetting } from '../catalog.js';
import { describedBy } from '../ui.js';

export interface SettingFieldProps {
  readonly setting: CatalogSetting;
  readonly text: string | undefined;
  readonly error: string | undefined;
  readonly readOnly: boolean;
  onChange(text: string | undefined): void;
}

function Control({ setting, text, error, readOnly, onChange }: SettingFieldProps & { text: string }) {
  const id = `s-${setting.id}`;
  const common = { id, disabled: readOnly, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy(id, 'hint', error) };
  if (setting.type === 'boolean')
    return (
      <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  if (setting.values)
    return (
      <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
        {setting.values.map((v) => (
          <option key={String(v.value)} value={String(v.value)}>
            {v.label} ({String(v.value)})
          </option>
        ))}
      </select>
    );
  if (setting.type === 'stringList' || setting.type === 'objectList')
    return <textarea {...common} rows={setting.type === 'objectList' ? 6 : 3} value={text} onInput={(e) => onChange(e.currentTarget.value)} />;
  return <input {...common} inputMode={setting.type === 'integer' ? 'numeric' : undefined} value={text} onInput={(e) => onChange(e.currentTarget.value)} />;
}

/** The initial text of a newly configured setting: its default, else its first allowed value. */
export function initialText(setting: CatalogSetting): string {
  const v = setting.default ?? setting.values?.[0]?.value ?? (setting.type === 'boolean' ? true : setting.type === 'objectList' ? [] : '');
  if (setting.type === 'objectList') return JSON.stringify(v, null, 2);
  return Array.isArray(v) ? v.join('\n') : String(v);
}

export function SettingField(props: SettingFieldProps) {
  const { setting, text, error } = props;
  const id = `s-${setting.id}`;
  const range = setting.minimum !== undefined || setting.maximum !== undefined ? ` Range ${setting.minimum ?? '…'}–${setting.maximum ?? '…'}.` : '';
  const def = setting.default === undefined ? '' : ` Default: ${JSON.stringify(setting.default)}.`;
  return (
    <fieldset class={error ? 'setting field-invalid' : 'setting'} data-setting={setting.id}>
      <legend>{setting.title}</legend>
      <label class="inline">
        <input
          type="checkbox"
          checked={text !== undefined}
          disabled={props.readOnly}
          onChange={(e) => props.onChange(e.currentTarget.checked ? initialText(setting) : undefined)}
        />{' '}
        Configure <code>{setting.id}</code>
      </label>
      <p class="hint" id={`${id}-hint`}>
        {setting.description} Platforms: {setting.platforms.join(', ') || 'all'}.{range}
        {def}
      </p>
      {text !== undefined && (
        <>
          <label for={id} class="sr-only">
            {setting.title} value
          </label>
          <Control {...props} text={text} />
        </>
      )}
      {error && (
        <p class="field-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
