// Create or edit a policy through a form generated from the settings catalog. "Preview" sends the document to
// POST /v1/admin/what-if: the endpoint's validation messages appear beside their fields, or the diff against the
// current version and the what-if result appear, and only then can the previewed document be saved. Existing
// policies also get their include/exclude assignments here, and an imported one shows the Intune policy it came from.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { type CatalogSetting, fieldErrors, fromText, loadCatalog, toText } from '../catalog.js';
import { diffPolicy, type PolicyDoc } from '../diff.js';
import { useLoad } from '../hooks.js';
import { href, navigate } from '../router.js';
import type { Abilities } from '../session.js';
import type { PolicySummary, WhatIfResponse } from '../types.js';
import { announce, describedBy, ErrorText, Field, IntuneSource, Loading } from '../ui.js';
import { ReadOnlyNote } from './policies.js';
import { PolicyAssignments } from './policy-assignments.js';
import { SettingField } from './setting-field.js';
import { DiffView, WhatIfView } from './what-if-view.js';

interface FormState {
  name: string;
  description: string;
  kind: string;
  texts: Record<string, string>;
}

function documentOf(form: FormState, catalog: readonly CatalogSetting[]): PolicyDoc {
  const settings: Record<string, unknown> = {};
  for (const s of catalog) if (s.kind === form.kind && form.texts[s.id] !== undefined) settings[s.id] = fromText(s, form.texts[s.id] as string);
  return { name: form.name, kind: form.kind, ...(form.description ? { description: form.description } : {}), settings };
}

function formOf(policy: PolicySummary | null, catalog: readonly CatalogSetting[]): FormState {
  if (!policy) return { name: '', description: '', kind: catalog[0]?.kind ?? 'antivirus', texts: {} };
  const texts: Record<string, string> = {};
  for (const [id, v] of Object.entries(policy.settings)) {
    const s = catalog.find((c) => c.id === id);
    texts[id] = s ? toText(s, v) : JSON.stringify(v);
  }
  return { name: policy.name, description: policy.description ?? '', kind: policy.kind, texts };
}

function Editor({ policy, catalog, can }: { policy: PolicySummary | null; catalog: CatalogSetting[]; can: Abilities }) {
  const [form, setForm] = useState<FormState>(() => formOf(policy, catalog));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<unknown>();
  const [preview, setPreview] = useState<{ json: string; doc: PolicyDoc; result: WhatIfResponse } | null>(null);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState('');
  const previewHeading = useRef<HTMLHeadingElement>(null);
  // The preview appears below a long form: bring it into view and move the focus to it.
  useEffect(() => {
    if (preview) previewHeading.current?.focus();
  }, [preview]);
  const kinds = useMemo(() => [...new Set(catalog.map((s) => s.kind))], [catalog]);
  const readOnly = !can.editPolicy;
  const update = (change: Partial<FormState>) => setForm((f) => ({ ...f, ...change }));
  const current: PolicyDoc | null = policy
    ? { name: policy.name, kind: policy.kind, ...(policy.description ? { description: policy.description } : {}), settings: policy.settings }
    : null;

  const fail = (err: unknown) => {
    setPreview(null);
    setErrors(err instanceof ApiError ? fieldErrors(err.details) : {});
    setFailure(err);
    announce(`Not valid: ${(err as Error).message}`);
  };
  const runPreview = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const doc = documentOf(form, catalog);
      const body = policy ? { change: 'updatePolicy', policyId: policy.policyId, document: doc } : { change: 'createPolicy', document: doc };
      const result = await api<WhatIfResponse>('POST', '/v1/admin/what-if', body);
      setErrors({});
      setFailure(undefined);
      setPreview({ json: JSON.stringify(doc), doc, result });
      announce(`Preview ready: ${result.affectedDevices} device(s) affected. Review and save.`);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    if (!preview) return;
    setBusy(true);
    try {
      const saved = policy
        ? await api<PolicySummary>('PUT', `/v1/admin/policies/${encodeURIComponent(policy.policyId)}`, preview.doc)
        : await api<PolicySummary>('POST', '/v1/admin/policies', preview.doc);
      announce(`Policy ${saved.name} saved as version ${saved.latestVersion}.`);
      setPreview(null);
      navigate(href('policies', saved.policyId, { saved: String(saved.latestVersion) }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  let stale = true;
  try {
    stale = !preview || preview.json !== JSON.stringify(documentOf(form, catalog));
  } catch {
    stale = true;
  }
  const needle = filter.trim().toLowerCase();
  const settings = catalog.filter(
    (s) => s.kind === form.kind && (!needle || `${s.title} ${s.id} ${s.description}`.toLowerCase().includes(needle) || form.texts[s.id] !== undefined),
  );
  return (
    <>
      <form onSubmit={runPreview} aria-label="Policy" noValidate>
        <Field id="p-name" label="Name" error={errors.name}>
          <input
            id="p-name"
            value={form.name}
            disabled={readOnly}
            aria-describedby={describedBy('p-name', undefined, errors.name)}
            onInput={(e) => update({ name: e.currentTarget.value })}
          />
        </Field>
        <Field id="p-description" label="Description" error={errors.description}>
          <textarea id="p-description" rows={2} value={form.description} disabled={readOnly} onInput={(e) => update({ description: e.currentTarget.value })} />
        </Field>
        <Field id="p-kind" label="Kind" hint={policy ? 'A policy keeps its kind.' : undefined}>
          <select id="p-kind" value={form.kind} disabled={readOnly || policy !== null} onChange={(e) => update({ kind: e.currentTarget.value, texts: {} })}>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <h2>Settings</h2>
        <Field id="p-filter" label="Find a setting" hint="Filters by name, id or description; configured settings always show.">
          <input id="p-filter" type="search" value={filter} aria-describedby="p-filter-hint" onInput={(e) => setFilter(e.currentTarget.value)} />
        </Field>
        {settings.map((s) => (
          <SettingField
            key={s.id}
            setting={s}
            text={form.texts[s.id]}
            error={errors[s.id]}
            readOnly={readOnly}
            onChange={(text) => {
              const texts = { ...form.texts };
              if (text === undefined) delete texts[s.id];
              else texts[s.id] = text;
              update({ texts });
            }}
          />
        ))}
        <ErrorText error={failure} />
        {!readOnly && (
          <button type="submit" disabled={busy}>
            Preview changes (what-if)
          </button>
        )}
      </form>
      {preview && (
        <section aria-labelledby="preview-h" class="card">
          <h2 id="preview-h" ref={previewHeading} tabIndex={-1}>
            Before saving
          </h2>
          <h3>Changes</h3>
          <DiffView lines={diffPolicy(current, preview.doc)} />
          <h3>What-if</h3>
          <WhatIfView result={preview.result} />
          {stale ? (
            <p class="error">The form changed since this preview: preview again before saving.</p>
          ) : (
            <button type="button" class="primary" disabled={busy} onClick={save}>
              Save policy
            </button>
          )}
        </section>
      )}
    </>
  );
}

export function PolicyEditor({ policyId, can }: { policyId: string | null; can: Abilities }) {
  const catalog = useLoad(loadCatalog, []);
  const policy = useLoad(
    () => (policyId ? api<PolicySummary>('GET', `/v1/admin/policies/${encodeURIComponent(policyId)}`) : Promise.resolve(null)),
    [policyId],
  );
  const title = policyId ? (policy.data?.name ?? 'Policy') : 'New policy';
  return (
    <section aria-labelledby="editor-h">
      <p>
        <a href={href('policies')}>← Policies</a>
        {policyId && (
          <>
            {' · '}
            <a href={href('policies', policyId, 'status')}>Status</a>
          </>
        )}
      </p>
      <h1 id="editor-h">
        {title}
        {policy.data && <span class="muted"> version {policy.data.latestVersion}</span>}
      </h1>
      {!can.editPolicy && <ReadOnlyNote can={can} />}
      <IntuneSource source={policy.data?.source} />
      {(catalog.loading || policy.loading) && <Loading what="the settings catalog" />}
      <ErrorText error={catalog.error ?? policy.error} />
      {catalog.data && !policy.loading && policy.data !== undefined && (
        <Editor key={`${policyId}:${policy.data?.latestVersion}`} policy={policy.data} catalog={catalog.data} can={can} />
      )}
      {policyId && policy.data && <PolicyAssignments policyId={policyId} can={can} />}
    </section>
  );
}
