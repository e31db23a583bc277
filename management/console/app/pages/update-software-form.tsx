// The action bar's "Update software" form (issue 18, POST /v1/admin/devices/:id/updateSoftware): the admin picks
// packages among the device's vulnerable software (GET …/vulnerabilities), each with the fixed version its findings
// name, and the required comment. The endpoint checks every name against the device's last upload.
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.js';
import { useLoad, useSubmit } from '../hooks.js';
import type { DeviceVulnerabilities, MachineAction } from '../types.js';
import { announce, ErrorText, Loading } from '../ui.js';
import { type VulnerablePackage, vulnerablePackages } from '../vulnerable-packages.js';

/** Which fixed version to send: the only one named, or the admin's choice; '' sends none (the newest the repository has). */
function defaultFixed(p: VulnerablePackage): string {
  return p.fixedVersions.length === 1 ? (p.fixedVersions[0] ?? '') : '';
}

export function UpdateSoftwareForm(props: { deviceId: string; hostname: string; onDone: () => void; onClose: () => void }) {
  const vulns = useLoad(() => api<DeviceVulnerabilities>('GET', `/v1/admin/devices/${encodeURIComponent(props.deviceId)}/vulnerabilities`), [props.deviceId]);
  const packages = useMemo(() => vulnerablePackages(vulns.data?.findings ?? []), [vulns.data]);
  const [chosen, setChosen] = useState<ReadonlyMap<string, string>>(new Map());
  const [comment, setComment] = useState('');
  const submission = useSubmit();
  const toggle = (p: VulnerablePackage, on: boolean) => {
    const next = new Map(chosen);
    if (on) next.set(p.name, defaultFixed(p));
    else next.delete(p.name);
    setChosen(next);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const body = { comment, packages: [...chosen].map(([name, fixedVersion]) => (fixedVersion ? { name, fixedVersion } : { name })) };
    void submission.run(async () => {
      const created = await api<MachineAction>('POST', `/v1/admin/devices/${encodeURIComponent(props.deviceId)}/updateSoftware`, body);
      announce(`Update software requested on ${props.hostname} (action ${created.id}, ${created.status}).`);
      props.onDone();
    });
  };
  return (
    <form class="card" onSubmit={submit} aria-label="Update software">
      <p>
        <strong>Update software</strong>{' '}
        <span class="muted">The device's package manager updates the chosen packages; macOS and Windows without winget need a manual update.</span>
      </p>
      {vulns.loading && <Loading what="the device's vulnerable software" />}
      <ErrorText error={vulns.error} />
      {vulns.data && packages.length === 0 && <p class="muted">No vulnerable software on this device.</p>}
      {packages.length > 0 && (
        <fieldset>
          <legend>Vulnerable software</legend>
          <ul class="plain" data-testid="update-packages">
            {packages.slice(0, 100).map((p, i) => (
              <li key={p.name}>
                <input id={`upd-${i}`} type="checkbox" checked={chosen.has(p.name)} onChange={(e) => toggle(p, e.currentTarget.checked)} />{' '}
                <label for={`upd-${i}`}>
                  <bdi>{p.name}</bdi> <code>{p.installed.join(', ')}</code> ({p.advisories} advisories)
                </label>{' '}
                {p.fixedVersions.length === 0 ? (
                  <span class="muted">no fix published</span>
                ) : (
                  <select
                    aria-label={`Fixed version of ${p.name}`}
                    disabled={!chosen.has(p.name)}
                    value={chosen.get(p.name) ?? defaultFixed(p)}
                    onChange={(e) => setChosen(new Map(chosen).set(p.name, e.currentTarget.value))}
                  >
                    {p.fixedVersions.length > 1 && <option value="">newest available</option>}
                    {p.fixedVersions.map((v) => (
                      <option key={v} value={v}>
                        to {v}
                      </option>
                    ))}
                  </select>
                )}
              </li>
            ))}
          </ul>
          {packages.length > 100 && <p class="muted">One action updates at most 100 packages: the first 100 are listed.</p>}
        </fieldset>
      )}
      <label for="upd-comment">Comment (required)</label>{' '}
      <input id="upd-comment" value={comment} size={40} onInput={(e) => setComment(e.currentTarget.value)} />{' '}
      <button type="submit" disabled={submission.busy || chosen.size === 0 || comment.trim() === ''}>
        Submit
      </button>{' '}
      <button type="button" onClick={props.onClose}>
        Close
      </button>
      <ErrorText error={submission.error} />
    </form>
  );
}
