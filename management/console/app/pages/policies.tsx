// Policies: the list with kind, version and last change, links to the editor and to each policy's status.
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { Group, PolicySummary } from '../types.js';
import { ErrorText, formatTime, Loading } from '../ui.js';

/** Why policies are read-only here: the role, or (for a scoped admin) the groups its account is limited to, by name. */
export function ReadOnlyNote({ can }: { can: Abilities }) {
  const scope = can.scopeGroupIds;
  const groups = useLoad(async () => (scope ? (await api<{ groups: Group[] }>('GET', '/v1/admin/groups')).groups : []), [scope?.join()]);
  if (!scope) return <p class="muted">Your role can view policies but not change them.</p>;
  const names = scope.map((id) => groups.data?.find((g) => g.groupId === id)?.name ?? id);
  return (
    <p class="muted" role="note">
      Your account is scoped to groups {names.join(', ')}: policies are read-only for you
      {can.assign ? ' (you may assign them to those groups)' : ''}.
    </p>
  );
}

export function PoliciesPage({ can }: { can: Abilities }) {
  const list = useLoad(() => api<{ policies: PolicySummary[] }>('GET', '/v1/admin/policies'), []);
  return (
    <section aria-labelledby="policies-h">
      <h1 id="policies-h">Policies</h1>
      {!can.editPolicy && <ReadOnlyNote can={can} />}
      {can.editPolicy && (
        <p>
          <a class="button primary" href={href('policies', 'new')}>
            New policy
          </a>
        </p>
      )}
      {list.loading && <Loading what="policies" />}
      <ErrorText error={list.error} />
      {list.data && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Policies</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Version</th>
                <th scope="col">Settings</th>
                <th scope="col">Updated</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.data.policies.map((p) => (
                <tr key={p.policyId}>
                  <th scope="row">
                    <a href={href('policies', p.policyId)}>{p.name}</a>
                  </th>
                  <td>{p.kind}</td>
                  <td>{p.latestVersion}</td>
                  <td>{Object.keys(p.settings).length}</td>
                  <td>{formatTime(p.updatedAt)}</td>
                  <td>
                    <a href={href('policies', p.policyId, 'status')}>
                      Status<span class="sr-only"> of {p.name}</span>
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
