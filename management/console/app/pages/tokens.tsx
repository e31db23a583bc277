// Tokens: personal API tokens of admins (for the CLI and automation: expiring, revocable, listed with last use) and
// the access tokens of conditional-access gateways. A token's secret is shown once, at creation.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Abilities, Session } from '../session.js';
import type { AccessToken, ApiToken } from '../types.js';
import { announce, ConfirmAction, ErrorText, Field, formatTime, Loading } from '../ui.js';

function Secret({ token }: { token: string | null }) {
  if (!token) return null;
  return (
    <section class="card" aria-label="New token">
      <p>Copy this token now; it is not shown again:</p>
      <input readOnly value={token} aria-label="New token" onFocus={(e) => e.currentTarget.select()} />
    </section>
  );
}

/** `textField`: what the token's text is called on the wire (`name` for API tokens, `description` for access tokens). */
function TokenCreator(props: { path: string; label: string; textField: 'name' | 'description'; withExpiry: boolean; onCreated: () => void }) {
  const { path, label, textField, withExpiry, onCreated } = props;
  const [description, setDescription] = useState('');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const id = path.replace(/\W/g, '');
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      const body = { ...(description ? { [textField]: description } : {}), ...(withExpiry ? { expiresInDays: Number(days) } : {}) };
      const created = await api<{ token: string }>('POST', path, body);
      setSecret(created.token);
      setError(undefined);
      announce(`${label} created.`);
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form onSubmit={submit} aria-label={`New ${label}`} class="card">
      <Field id={`${id}-desc`} label={textField === 'name' ? 'Name' : 'Description'}>
        <input id={`${id}-desc`} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </Field>
      {withExpiry && (
        <Field id={`${id}-days`} label="Expires after (days)">
          <input id={`${id}-days`} inputMode="numeric" value={days} onInput={(e) => setDays(e.currentTarget.value)} />
        </Field>
      )}
      <button type="submit">Create {label}</button>
      <ErrorText error={error} />
      <Secret token={secret} />
    </form>
  );
}

export function TokensPage({ can, session }: { can: Abilities; session: Session }) {
  const apiTokens = useLoad(() => api<{ apiTokens: ApiToken[] }>('GET', '/v1/admin/api-tokens').then((b) => b.apiTokens), []);
  const access = useLoad(() => api<{ accessTokens: AccessToken[] }>('GET', '/v1/admin/access-tokens'), []);
  return (
    <section aria-labelledby="tokens-h">
      <h1 id="tokens-h">Tokens</h1>
      <h2>Personal API tokens</h2>
      <p class="hint">For the CLI and automation, acting as {session.admin.username} with the same role.</p>
      <TokenCreator path="/v1/admin/api-tokens" label="API token" textField="name" withExpiry onCreated={apiTokens.reload} />
      {apiTokens.loading && <Loading what="API tokens" />}
      <ErrorText error={apiTokens.error} />
      <ul>
        {apiTokens.data?.map((t) => (
          <li key={t.tokenId}>
            <code>{t.tokenId}</code> {t.name} expires {formatTime(t.expiresAt)}, last used {formatTime(t.lastUsedAt)}{' '}
            {t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : ''}
            {!t.revokedAt && (
              <ConfirmAction
                label="Revoke"
                question="Revoke this API token? Scripts using it stop working."
                onConfirm={async () => {
                  await api('DELETE', `/v1/admin/api-tokens/${encodeURIComponent(t.tokenId)}`);
                  apiTokens.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
      <h2>Access tokens (conditional-access gateways)</h2>
      {can.manageAccessTokens && (
        <TokenCreator path="/v1/admin/access-tokens" label="access token" textField="description" withExpiry={false} onCreated={access.reload} />
      )}
      <ErrorText error={access.error} />
      <ul>
        {access.data?.accessTokens.map((t) => (
          <li key={t.tokenId}>
            <code>{t.tokenId}</code> {t.description ?? ''} created {formatTime(t.createdAt)} {t.revokedAt ? `revoked ${formatTime(t.revokedAt)}` : ''}
            {can.manageAccessTokens && !t.revokedAt && (
              <ConfirmAction
                label="Revoke"
                question="Revoke this access token? The gateway using it gets 401."
                onConfirm={async () => {
                  await api('DELETE', `/v1/admin/access-tokens/${encodeURIComponent(t.tokenId)}`);
                  access.reload();
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
