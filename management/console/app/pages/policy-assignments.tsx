// A policy's include/exclude assignments to groups: listed, added (with the what-if of the assignment first) and
// removed. POST/DELETE /v1/admin/assignments.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Abilities } from '../session.js';
import type { Assignment, Group, WhatIfResponse } from '../types.js';
import { announce, ErrorText } from '../ui.js';
import { WhatIfView } from './what-if-view.js';

export function PolicyAssignments({ policyId, can }: { policyId: string; can: Abilities }) {
  const assignments = useLoad(() => api<{ assignments: Assignment[] }>('GET', '/v1/admin/assignments'), [policyId]);
  const groups = useLoad(() => api<{ groups: Group[] }>('GET', '/v1/admin/groups'), []);
  const [groupId, setGroupId] = useState('');
  const [mode, setMode] = useState<'include' | 'exclude'>('include');
  const [preview, setPreview] = useState<WhatIfResponse | null>(null);
  const [error, setError] = useState<unknown>();
  const groupName = (id: string) => groups.data?.groups.find((g) => g.groupId === id)?.name ?? id;
  const mine = assignments.data?.assignments.filter((a) => a.policyId === policyId) ?? [];
  const chosen = groupId || groups.data?.groups[0]?.groupId || '';
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err);
    }
  };
  const whatIf = () =>
    act(async () => setPreview(await api<WhatIfResponse>('POST', '/v1/admin/what-if', { change: 'addAssignment', policyId, groupId: chosen, mode })));
  const assign = () =>
    act(async () => {
      await api('POST', '/v1/admin/assignments', { policyId, groupId: chosen, mode });
      announce(`Assigned (${mode}) to ${groupName(chosen)}.`);
      setPreview(null);
      assignments.reload();
    });
  const remove = (a: Assignment) =>
    act(async () => {
      await api('DELETE', `/v1/admin/assignments/${encodeURIComponent(a.assignmentId)}`);
      announce(`Assignment to ${groupName(a.groupId)} removed.`);
      assignments.reload();
    });
  return (
    <section aria-labelledby="assign-h">
      <h2 id="assign-h">Assignments</h2>
      <ErrorText error={assignments.error ?? groups.error} />
      {mine.length === 0 ? (
        <p class="muted">Not assigned to any group: it affects no device.</p>
      ) : (
        <ul data-testid="assignments">
          {mine.map((a) => (
            <li key={a.assignmentId}>
              {a.mode} {groupName(a.groupId)}{' '}
              {can.assign && (
                <button type="button" onClick={() => remove(a)}>
                  Remove<span class="sr-only"> assignment to {groupName(a.groupId)}</span>
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {can.assign && groups.data && groups.data.groups.length > 0 && (
        <fieldset class="row">
          <legend>Add assignment</legend>
          <label for="a-group">Group</label>
          <select
            id="a-group"
            value={chosen}
            onChange={(e) => {
              setGroupId(e.currentTarget.value);
              setPreview(null);
            }}
          >
            {groups.data.groups.map((g) => (
              <option key={g.groupId} value={g.groupId}>
                {g.name} ({g.membership}, {g.memberCount})
              </option>
            ))}
          </select>
          <label for="a-mode">Mode</label>
          <select
            id="a-mode"
            value={mode}
            onChange={(e) => {
              setMode(e.currentTarget.value as 'include' | 'exclude');
              setPreview(null);
            }}
          >
            <option value="include">include</option>
            <option value="exclude">exclude</option>
          </select>
          {can.whatIf && (
            <button type="button" onClick={whatIf}>
              What-if
            </button>
          )}
          <button type="button" class="primary" onClick={assign}>
            Assign
          </button>
        </fieldset>
      )}
      {preview && <WhatIfView result={preview} />}
      <ErrorText error={error} />
    </section>
  );
}
