// OSV records written for the tests in the published schema, modelled on real ones (Debian's DSA/DLA as osv.dev
// serves them, a GitHub advisory for npm): test support only.

/** DSA-5532-1, openssl in Debian 12 (CVE-2023-5363), fixed in 3.0.11-1~deb12u2. */
export const DSA_5532_1 = {
  schema_version: '1.6.0',
  id: 'DSA-5532-1',
  modified: '2023-10-25T06:52:11Z',
  published: '2023-10-24T00:00:00Z',
  aliases: [],
  upstream: ['CVE-2023-5363'],
  related: ['CVE-2023-5363'],
  summary: 'openssl - security update',
  details: '\nTony Battersby reported that incorrect cipher key and IV length processing\nin OpenSSL could result in loss of confidentiality.\n',
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'openssl', purl: 'pkg:deb/debian/openssl?arch=source' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
      versions: ['3.0.8-1', '3.0.9-1', '3.0.11-1~deb12u1'],
    },
    {
      package: { ecosystem: 'Debian:11', name: 'openssl', purl: 'pkg:deb/debian/openssl?arch=source' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u1' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://www.debian.org/security/2023/dsa-5532' }],
};

/** DLA-3530-1, openssl in Debian 10 (LTS). */
export const DLA_3530_1 = {
  schema_version: '1.6.0',
  id: 'DLA-3530-1',
  modified: '2023-08-16T05:12:40Z',
  published: '2023-08-15T00:00:00Z',
  aliases: [],
  related: ['CVE-2023-0464', 'CVE-2023-0465', 'CVE-2023-0466', 'CVE-2023-2650', 'CVE-2023-3446', 'CVE-2023-3817'],
  summary: 'openssl - security update',
  affected: [
    {
      package: { ecosystem: 'Debian:10', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1n-0+deb10u6' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://www.debian.org/lts/security/2023/dla-3530' }],
};

/** GHSA-67hx-6x53-jw92, @babel/traverse (CVE-2023-45133), as GitHub publishes it in OSV. */
export const GHSA_67HX = {
  schema_version: '1.4.0',
  id: 'GHSA-67hx-6x53-jw92',
  modified: '2023-10-17T18:15:42Z',
  published: '2023-10-16T13:55:36Z',
  aliases: ['CVE-2023-45133'],
  summary: 'Babel vulnerable to arbitrary code execution when compiling specifically crafted malicious code',
  details: 'Using Babel to compile code that was specifically crafted by an attacker can lead to arbitrary code execution.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'npm', name: '@babel/traverse' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7.23.2' }] }],
    },
    {
      package: { ecosystem: 'npm', name: '@babel/traverse' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '8.0.0-alpha.0' }, { fixed: '8.0.0-alpha.4' }] }],
    },
  ],
  references: [{ type: 'ADVISORY', url: 'https://nvd.nist.gov/vuln/detail/CVE-2023-45133' }],
  database_specific: { cwe_ids: ['CWE-184', 'CWE-697'], severity: 'CRITICAL', github_reviewed: true },
};
