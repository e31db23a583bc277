// Groups: static (members added by device id) and dynamic (a rule; members recomputed by the endpoint). Create,
// change a rule, add a member, delete.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import type { Abilities } from '../session.js';
import type { Group } from '../types.js';
import { announce, ConfirmAction, ErrorText, Field, Loading } from '../ui.js';
import { NEW_RULE, type Rule, RuleEditor } from './rule-editor.js';

function ruleText(rule: Group['rule']): string {
  if (!rule) return '';
  return `${rule.match}: ${rule.conditions.map((c) => Object.values(c).join(' ')).join('; ')}`;
}

function GroupRow({ group, can, reload }: { group: Group; can: Abilities; reload: () => void }) {
  const [rule, setRule] = useState<Rule | null>(null);
  const [member, setMember] = useState('');
  const [error, setError] = useState<unknown>();
  const act = async (fn: () => Promise<void>) => {
    setError(undefined);
    try {
      await fn();
      reload();
    } catch (err) {
      setError(err);
    }
  };
  const gid = encodeURIComponent(group.groupId);
  return (
    <li class="card">
      <h2>{group.name}</h2>
      <p>
        {group.membership}, {group.memberCount} member(s) {group.rule && <code>{ruleText(group.rule)}</code>}
      </p>
      {can.editGroupRules && group.membership === 'dynamic' && !rule && (
        <button type="button" onClick={() => setRule((group.rule as Rule | undefined) ?? NEW_RULE)}>
          Edit rule
        </button>
      )}
      {rule && (
        <>
          <RuleEditor rule={rule} onChange={setRule} idPrefix={`g-${group.groupId}`} />
          <button
            type="button"
            class="primary"
            onClick={() =>
              act(async () => {
                await api('PUT', `/v1/admin/groups/${gid}/rule`, { rule });
                setRule(null);
                announce('Rule saved.');
              })
            }
          >
            Save rule
          </button>
        </>
      )}
      {can.editGroupMembers && (can.scopeGroupIds?.includes(group.groupId) ?? true) && group.membership === 'static' && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            act(async () => {
              await api('POST', `/v1/admin/groups/${gid}/members`, { deviceId: member.trim() });
              announce('Member added.');
            });
          }}
        >
          <label for={`m-${group.groupId}`}>Add device (id)</label>
          <input id={`m-${group.groupId}`} value={member} onInput={(e) => setMember(e.currentTarget.value)} />
          <button type="submit">Add</button>
        </form>
      )}
      {can.deleteGroups && (
        <ConfirmAction
          label="Delete group"
          question={`Delete ${group.name}? A group still assigned to a policy is refused, naming the assignments to remove first.`}
          onConfirm={() =>
            act(async () => {
              await api('DELETE', `/v1/admin/groups/${gid}`);
              announce(`Group ${group.name} deleted.`);
            })
          }
        />
      )}
      <ErrorText error={error} />
    </li>
  );
}

export function GroupsPage({ can }: { can: Abilities }) {
  const list = useLoad(() => api<{ groups: Group[] }>('GET', '/v1/admin/groups'), []);
  const [name, setName] = useState('');
  const [dynamic, setDynamic] = useState(false);
  const [rule, setRule] = useState<Rule>(NEW_RULE);
  const [error, setError] = useState<unknown>();
  const create = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api('POST', '/v1/admin/groups', { name, ...(dynamic ? { rule } : {}) });
      announce(`Group ${name} created.`);
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="groups-h">
      <h1 id="groups-h">Groups</h1>
      {can.createGroups && (
        <form class="card" onSubmit={create} aria-label="New group">
          <h2>New group</h2>
          <Field id="g-name" label="Name">
            <input id="g-name" value={name} required onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <label class="inline">
            <input type="checkbox" checked={dynamic} onChange={(e) => setDynamic(e.currentTarget.checked)} /> Dynamic (members by rule)
          </label>
          {dynamic && <RuleEditor rule={rule} onChange={setRule} idPrefix="new" />}
          <button type="submit" class="primary">
            Create group
          </button>
          <ErrorText error={error} />
        </form>
      )}
      {list.loading && <Loading what="groups" />}
      <ErrorText error={list.error} />
      <ul class="cards">
        {list.data?.groups.map((g) => (
          <GroupRow key={g.groupId} group={g} can={can} reload={list.reload} />
        ))}
      </ul>
    </section>
  );
}
