// An NVD CVE API 2.0 page written for the tests in the published schema, modelled on real CVEs (7-Zip on Windows,
// Chrome on macOS, OpenSSL with letter versions, a rejected and an unanalysed CVE): test support only.

const cpeMatch = (criteria: string, bounds: Record<string, string>, vulnerable = true) => ({
  vulnerable,
  criteria,
  matchCriteriaId: '5B0C7C4B-1F6B-4C3A-9A7E-0C2F2F1D9E11',
  ...bounds,
});
const v31 = (type: string, vectorString: string, baseScore: number, baseSeverity: string) => ({
  source: type === 'Primary' ? 'nvd@nist.gov' : 'zdi-disclosures@trendmicro.com',
  type,
  cvssData: { version: '3.1', vectorString, baseScore, baseSeverity },
  exploitabilityScore: 1.8,
  impactScore: 5.9,
});

/** CVE-2024-11477, 7-Zip before 24.07 (Windows application). */
export const CVE_2024_11477 = {
  cve: {
    id: 'CVE-2024-11477',
    sourceIdentifier: 'zdi-disclosures@trendmicro.com',
    published: '2024-11-22T21:15:08.603',
    lastModified: '2024-12-02T14:52:11.027',
    vulnStatus: 'Analyzed',
    descriptions: [
      { lang: 'en', value: '7-Zip Zstandard Decompression Integer Underflow Remote Code Execution Vulnerability.' },
      { lang: 'es', value: 'Vulnerabilidad de ejecución remota de código en 7-Zip.' },
    ],
    metrics: {
      cvssMetricV31: [v31('Secondary', 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8, 'HIGH')],
    },
    configurations: [
      { nodes: [{ operator: 'OR', negate: false, cpeMatch: [cpeMatch('cpe:2.3:a:7-zip:7-zip:*:*:*:*:*:*:*:*', { versionEndExcluding: '24.07' })] }] },
    ],
    references: [{ url: 'https://www.zerodayinitiative.com/advisories/ZDI-24-1532/', source: 'zdi-disclosures@trendmicro.com' }],
  },
};

/** CVE-2023-4863, libwebp heap overflow, here Chrome on macOS (an AND of the application and the platform). */
export const CVE_2023_4863 = {
  cve: {
    id: 'CVE-2023-4863',
    sourceIdentifier: 'chrome-cve-admin@google.com',
    published: '2023-09-12T15:15:24.327',
    lastModified: '2024-01-07T11:15:14.147',
    vulnStatus: 'Modified',
    descriptions: [{ lang: 'en', value: 'Heap buffer overflow in libwebp in Google Chrome prior to 116.0.5845.187.' }],
    metrics: {
      cvssMetricV31: [
        v31('Secondary', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'HIGH'),
        v31('Primary', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 8.8, 'HIGH'),
      ],
    },
    configurations: [
      {
        operator: 'AND',
        nodes: [
          { operator: 'OR', negate: false, cpeMatch: [cpeMatch('cpe:2.3:a:google:chrome:*:*:*:*:*:*:*:*', { versionEndExcluding: '116.0.5845.187' })] },
          { operator: 'OR', negate: false, cpeMatch: [cpeMatch('cpe:2.3:o:apple:macos:-:*:*:*:*:*:*:*', {}, false)] },
        ],
      },
    ],
    references: [{ url: 'https://chromereleases.googleblog.com/2023/09/stable-channel-update-for-desktop_11.html', source: 'chrome-cve-admin@google.com' }],
  },
};

/** CVE-2023-0286, OpenSSL: its 1.1.1 bounds (`1.1.1t`) are neither dotted nor SemVer. */
export const CVE_2023_0286 = {
  cve: {
    id: 'CVE-2023-0286',
    published: '2023-02-08T20:15:24.267',
    lastModified: '2024-02-04T09:15:09.113',
    vulnStatus: 'Modified',
    descriptions: [{ lang: 'en', value: 'There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName.' }],
    metrics: {
      cvssMetricV31: [v31('Primary', 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H', 7.4, 'HIGH')],
      cvssMetricV2: [],
    },
    configurations: [
      {
        nodes: [
          {
            operator: 'OR',
            negate: false,
            cpeMatch: [
              cpeMatch('cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', { versionStartIncluding: '1.1.1', versionEndExcluding: '1.1.1t' }),
              cpeMatch('cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', { versionStartIncluding: '3.0.0', versionEndExcluding: '3.0.8' }),
            ],
          },
        ],
      },
    ],
    references: [],
  },
};

/** A CVE NVD rejected, and one it has not analysed (no configurations). */
export const CVE_REJECTED = {
  cve: {
    id: 'CVE-2023-99999',
    published: '2023-05-01T10:15:00.000',
    lastModified: '2023-06-01T10:15:00.000',
    vulnStatus: 'Rejected',
    descriptions: [{ lang: 'en', value: '** REJECT ** DO NOT USE THIS CANDIDATE NUMBER.' }],
    references: [],
  },
};
export const CVE_AWAITING = {
  cve: {
    id: 'CVE-2024-12345',
    published: '2024-12-01T10:15:00.000',
    lastModified: '2024-12-01T10:15:00.000',
    vulnStatus: 'Awaiting Analysis',
    descriptions: [{ lang: 'en', value: 'Not analysed yet.' }],
    metrics: {
      cvssMetricV40: [
        {
          source: 'cna@example.com',
          type: 'Secondary',
          cvssData: {
            version: '4.0',
            vectorString: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N',
            baseScore: 9.3,
            baseSeverity: 'CRITICAL',
          },
        },
      ],
    },
    references: [],
  },
};

/** A page as the API (and the 2.0 feeds) return it. */
export function nvdPage(items: readonly unknown[]): Record<string, unknown> {
  return {
    resultsPerPage: items.length,
    startIndex: 0,
    totalResults: items.length,
    format: 'NVD_CVE',
    version: '2.0',
    timestamp: '2024-12-05T08:00:00.000',
    vulnerabilities: items,
  };
}
