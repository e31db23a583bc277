// Admin accounts and roles (contract 3): the accounts with role and scope, create one (with an initial password),
// change a role, delete; the built-in roles with their permissions.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Abilities } from '../session.js';
import type { AdminAccount, AdminRoleInfo } from '../types.js';
import { announce, ConfirmAction, ErrorText, Field, Loading } from '../ui.js';

export function AdminsPage({ can }: { can: Abilities }) {
  const admins = useLoad(() => api<{ admins: AdminAccount[] }>('GET', '/v1/admin/admins').then((b) => b.admins), []);
  const roles = useLoad(() => api<{ roles: AdminRoleInfo[] }>('GET', '/v1/admin/roles').then((b) => b.roles), []);
  const [form, setForm] = useState({ username: '', displayName: '', role: 'readOnlyOperator', password: '' });
  const [error, setError] = useState<unknown>();
  const roleNames = roles.data?.map((r) => r.role) ?? ['administrator', 'endpointSecurityManager', 'helpDeskOperator', 'readOnlyOperator'];
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
      admins.reload();
    } catch (err) {
      setError(err);
    }
  };
  const create = (e: Event) => {
    e.preventDefault();
    act(async () => {
      await api('POST', '/v1/admin/admins', { ...form, ...(form.displayName ? {} : { displayName: undefined }) });
      announce(`Admin ${form.username} created.`);
      setForm({ username: '', displayName: '', role: form.role, password: '' });
    });
  };
  return (
    <section aria-labelledby="admins-h">
      <h1 id="admins-h">Admins and roles</h1>
      {can.manageAdmins && (
        <form class="card" onSubmit={create} aria-label="New admin">
          <h2>New admin</h2>
          <Field id="ad-user" label="Username">
            <input id="ad-user" autocomplete="off" value={form.username} onInput={(e) => setForm({ ...form, username: e.currentTarget.value })} />
          </Field>
          <Field id="ad-name" label="Display name">
            <input id="ad-name" value={form.displayName} onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })} />
          </Field>
          <Field id="ad-role" label="Role">
            <select id="ad-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
              {roleNames.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <Field id="ad-pass" label="Initial password">
            <input
              id="ad-pass"
              type="password"
              autocomplete="new-password"
              value={form.password}
              onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
            />
          </Field>
          <button type="submit" class="primary">
            Create admin
          </button>
        </form>
      )}
      <ErrorText error={error ?? admins.error} />
      {admins.loading && <Loading what="admins" />}
      <ul class="cards">
        {admins.data?.map((a) => (
          <li key={a.adminId} class="card">
            <strong>{a.username}</strong> {a.displayName ?? ''} — {a.role}
            {a.scopeGroupIds?.length ? `, scoped to ${a.scopeGroupIds.length} group(s)` : ', all devices'}
            {can.manageAdmins && (
              <div class="row">
                <label for={`role-${a.adminId}`}>Role</label>
                <select
                  id={`role-${a.adminId}`}
                  value={a.role}
                  onChange={(e) => {
                    const role = e.currentTarget.value;
                    act(async () => {
                      await api('PATCH', `/v1/admin/admins/${encodeURIComponent(a.adminId)}`, { role });
                      announce(`${a.username} is now ${role}.`);
                    });
                  }}
                >
                  {roleNames.map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
                <ConfirmAction
                  label="Delete"
                  question={`Delete admin ${a.username}? Their sessions and API tokens stop working.`}
                  onConfirm={async () => act(async () => await api('DELETE', `/v1/admin/admins/${encodeURIComponent(a.adminId)}`))}
                />
              </div>
            )}
          </li>
        ))}
      </ul>
      <h2>Roles</h2>
      <ErrorText error={roles.error} />
      <dl>
        {roles.data?.map((r) => (
          <div key={r.role}>
            <dt>{r.displayName}</dt>
            <dd>
              {r.description} Permissions: {r.permissions.join(', ')}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
