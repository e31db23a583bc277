// Policies: the list with kind, version and last change, links to the editor and to each policy's status. Policies
// imported from Intune are grouped per Intune policy (one unit, even when it produced several kinds).
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { groupBySource, groupKinds } from '../intune-source.js';
import { href } from '../router.js';
import type { Abilities } from '../session.js';
import type { Group, PolicySource, PolicySummary } from '../types.js';
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

/** The heading row of the policies one Intune policy produced: its name, id and the kinds it spans. */
function SourceRow({ source, kinds }: { source: PolicySource; kinds: string[] }) {
  return (
    <tr class="source-row">
      <th scope="rowgroup" colSpan={6}>
        Intune: <bdi>{source.name || '(unnamed)'}</bdi> (<bdi>{source.id}</bdi>) <span class="muted">— {kinds.join(', ')}</span>
      </th>
    </tr>
  );
}

function PolicyRow({ p }: { p: PolicySummary }) {
  return (
    <tr>
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
            {groupBySource(list.data.policies).map((g) => (
              <tbody key={g.source?.id ?? ''} data-testid={g.source ? 'intune-group' : undefined}>
                {g.source && <SourceRow source={g.source} kinds={groupKinds(g.items)} />}
                {g.items.map((p) => (
                  <PolicyRow key={p.policyId} p={p} />
                ))}
              </tbody>
            ))}
          </table>
        </div>
      )}
    </section>
  );
}
