// Policies: the list with kind, version and last change, links to the editor and to each policy's status.
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { PolicySummary } from '../types.js';
import { ErrorText, formatTime, Loading } from '../ui.js';

export function PoliciesPage({ can }: { can: Abilities }) {
  const list = useLoad(() => api<{ policies: PolicySummary[] }>('GET', '/v1/admin/policies'), []);
  return (
    <section aria-labelledby="policies-h">
      <h1 id="policies-h">Policies</h1>
      {can.scopeGroupIds !== null && !can.editPolicy && (
        <p class="muted" role="note">
          Your account is scoped to groups {can.scopeGroupIds.join(', ')}: policies are read-only for you
          {can.assign ? ' (you may assign them to those groups)' : ''}.
        </p>
      )}
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
