// Onboarding packages: create one (tags, number of uses, lifetime, description) and download it at once (the
// enrollment token inside is shown only then); list the packages and revoke one (the CLI's onboarding list/revoke).
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { downloadJson } from '../download.js';
import { useLoad } from '../hooks.js';
import type { Abilities } from '../session.js';
import type { OnboardingPackage } from '../types.js';
import { announce, Badge, ConfirmAction, ErrorText, Field, formatTime, Loading } from '../ui.js';

/** One package as GET /v1/admin/onboarding-packages lists it (urn:attache:onboarding-package-info): never the token. */
interface PackageInfo {
  readonly id: string;
  readonly description: string | null;
  readonly tags: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly uses: number;
  readonly maxUses: number;
  readonly revoked: boolean;
  readonly state: 'active' | 'expired' | 'exhausted' | 'revoked';
}

export function OnboardingPage({ can }: { can: Abilities }) {
  const list = useLoad(() => api<{ onboardingPackages: PackageInfo[] }>('GET', '/v1/admin/onboarding-packages').then((b) => b.onboardingPackages), []);
  const [tags, setTags] = useState('');
  const [maxUses, setMaxUses] = useState('1');
  const [minutes, setMinutes] = useState('1440');
  const [description, setDescription] = useState('');
  const [created, setCreated] = useState<OnboardingPackage | null>(null);
  const [error, setError] = useState<unknown>();
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const tagList = tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    try {
      const pkg = await api<OnboardingPackage>('POST', '/v1/admin/onboarding-packages', {
        maxUses: Number(maxUses),
        expiresInMinutes: Number(minutes),
        ...(description ? { description } : {}),
        ...(tagList.length ? { tags: tagList } : {}),
      });
      setCreated(pkg);
      announce('Onboarding package created: download it now, its token is not shown again.');
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="onb-h">
      <h1 id="onb-h">Onboarding packages</h1>
      {can.manageEnrollment && (
        <form class="card" onSubmit={create} aria-label="New onboarding package">
          <Field id="o-tags" label="Tags" hint="Comma-separated; every device enrolled with it gets them.">
            <input id="o-tags" value={tags} aria-describedby="o-tags-hint" onInput={(e) => setTags(e.currentTarget.value)} />
          </Field>
          <Field id="o-uses" label="Devices that may enroll with it">
            <input id="o-uses" inputMode="numeric" value={maxUses} onInput={(e) => setMaxUses(e.currentTarget.value)} />
          </Field>
          <Field id="o-minutes" label="Valid for (minutes)">
            <input id="o-minutes" inputMode="numeric" value={minutes} onInput={(e) => setMinutes(e.currentTarget.value)} />
          </Field>
          <Field id="o-desc" label="Description">
            <input id="o-desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
          <button type="submit" class="primary">
            Create package
          </button>
          <ErrorText error={error} />
        </form>
      )}
      {created && (
        <section class="card" aria-label="Created package">
          <p>Package created, valid until {formatTime(created.expiresAt)}. Download it now: its enrollment token is not shown again.</p>
          <button type="button" class="primary" onClick={() => downloadJson('onboarding.json', created)}>
            Download onboarding.json
          </button>
        </section>
      )}
      <h2>Packages</h2>
      {list.loading && <Loading what="onboarding packages" />}
      <ErrorText error={list.error} />
      <ul>
        {list.data?.map((p) => (
          <li key={p.id}>
            <code>{p.id}</code> <Badge value={p.state} /> {p.description ?? ''} {p.tags.length ? `tags ${p.tags.join(', ')}` : ''} uses {p.uses}/{p.maxUses},
            expires {formatTime(p.expiresAt)}
            {can.manageEnrollment && p.state === 'active' && (
              <ConfirmAction
                label="Revoke"
                question="Revoke this package? Devices can no longer enroll with it."
                onConfirm={async () => {
                  await api('POST', `/v1/admin/onboarding-packages/${encodeURIComponent(p.id)}/revoke`);
                  list.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
