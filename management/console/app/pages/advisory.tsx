// One advisory as imported (GET /v1/admin/vulnerabilities/advisories/:id): ids, severity, CVSS, dates, summary, how
// many devices it exposes, and its affected entries (OSV) or configurations (NVD) as JSON text. Imported text is data.
import { api } from '../api.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import type { AdvisoryDetail } from '../types.js';
import { Badge, ErrorText, formatTime, Loading } from '../ui.js';

export function AdvisoryPage({ advisoryId }: { advisoryId: string }) {
  const adv = useLoad(() => api<AdvisoryDetail>('GET', `/v1/admin/vulnerabilities/advisories/${encodeURIComponent(advisoryId)}`), [advisoryId]);
  const a = adv.data;
  return (
    <article aria-labelledby="adv-h">
      <p>
        <a href={href('vulnerabilities')}>← Vulnerabilities</a>
      </p>
      <h1 id="adv-h">
        <bdi>{advisoryId}</bdi>
      </h1>
      {adv.loading && <Loading what="the advisory" />}
      <ErrorText error={adv.error} />
      {a && (
        <>
          <dl class="facts">
            <dt>Source</dt>
            <dd>{a.source === 'osv' ? 'OSV' : 'NVD'}</dd>
            <dt>Severity</dt>
            <dd>
              <Badge value={a.severity} /> CVSS {a.cvssScore ?? '—'} {a.cvssVector && <code>{a.cvssVector}</code>}
            </dd>
            <dt>CVEs</dt>
            <dd>{a.cveIds.join(', ') || '—'}</dd>
            <dt>Aliases</dt>
            <dd>
              <bdi>{a.aliases.join(', ') || '—'}</bdi>
            </dd>
            <dt>Published</dt>
            <dd>{formatTime(a.published)}</dd>
            <dt>Modified</dt>
            <dd>{formatTime(a.modified)}</dd>
            <dt>Imported</dt>
            <dd>{formatTime(a.importedAt)}</dd>
            <dt>Exposed devices</dt>
            <dd>{a.exposedDevices}</dd>
            <dt>Summary</dt>
            <dd class="pre-line">
              <bdi>{a.summary || '—'}</bdi>
            </dd>
          </dl>
          <h2>Affected ({a.affected.length})</h2>
          <details>
            <summary>{a.source === 'osv' ? 'Affected entries' : 'Configurations'} as imported</summary>
            <pre class="json">{JSON.stringify(a.affected.slice(0, 200), null, 2)}</pre>
            {a.affected.length > 200 && <p class="muted">First 200 of {a.affected.length} shown.</p>}
          </details>
        </>
      )}
    </article>
  );
}
