import { describe, expect, it } from 'vitest';
import { cvssV3BaseScore, levelFromWord, parseCvssV3, roundUp, severityBand } from './cvss.js';

describe('CVSS v3.1 base score', () => {
  // FIRST, "CVSS v3.1 Examples" (https://www.first.org/cvss/v3.1/examples): vector and base score of each.
  const examples: [string, string, number][] = [
    ['CVE-2013-1937 phpMyAdmin XSS', 'AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1],
    ['CVE-2013-0375 MySQL stored SQL injection', 'AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N', 6.4],
    ['CVE-2014-3566 SSLv3 POODLE', 'AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N', 3.1],
    ['CVE-2012-1516 VMware guest to host escape', 'AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9],
    ['CVE-2009-0783 Apache Tomcat XML parser', 'AV:L/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:L', 4.2],
    ['CVE-2012-0384 Cisco IOS arbitrary command execution', 'AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H', 8.8],
    ['CVE-2015-1098 iWork denial of service', 'AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8],
    ['CVE-2014-0160 OpenSSL Heartbleed', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5],
    ['CVE-2014-6271 GNU Bash Shellshock', 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8],
    ['CVE-2014-0224 OpenSSL CCS injection', 'AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:N', 7.4],
    ['CVE-2012-5376 Chrome sandbox bypass', 'AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H', 9.6],
  ];
  it.each(examples)('%s', (_name, base, score) => {
    expect(cvssV3BaseScore(`CVSS:3.1/${base}`)).toBe(score);
    expect(cvssV3BaseScore(`CVSS:3.0/${base}`)).toBe(score);
  });

  it("agrees with the base scores NVD states for the test page's CVEs", () => {
    expect(cvssV3BaseScore('CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H')).toBe(7.8); // CVE-2024-11477
    expect(cvssV3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H')).toBe(8.8); // CVE-2023-4863
    expect(cvssV3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H')).toBe(7.4); // CVE-2023-0286
  });

  it('is 0 when there is no impact, whatever the exploitability', () => {
    expect(cvssV3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N')).toBe(0);
  });

  it('ignores temporal and environmental metrics for the base score', () => {
    expect(cvssV3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:R/MAV:L')).toBe(9.8);
  });

  it('rounds up as Appendix A says, without floating-point error', () => {
    expect(roundUp(4.02)).toBe(4.1);
    expect(roundUp(4.0)).toBe(4.0);
    expect(roundUp(4.000000000000001)).toBe(4.0);
  });

  it('refuses vectors that are not CVSS v3 with the reason', () => {
    expect(() => parseCvssV3('AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/must start with CVSS:3.0\/ or CVSS:3.1\//);
    expect(() => parseCvssV3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H')).toThrow(/base metric\(s\) A missing/);
    expect(() => parseCvssV3('CVSS:3.1/AV:N/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV is given twice/);
    expect(() => parseCvssV3('CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toThrow(/AV must be one of N, A, L, P/);
    expect(() => parseCvssV3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1')).toThrow(/unknown metric "ZZ"/);
    expect(() => parseCvssV3('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/')).toThrow(/"" is not metric:value/);
  });
});

describe('severity bands', () => {
  it("uses NVD's bands", () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityBand)).toEqual(['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
  it('reads the rating words databases use, and nothing else', () => {
    expect(['MODERATE', 'HIGH', 'negligible', 'Critical', 'severe', 3].map(levelFromWord)).toEqual(['medium', 'high', 'low', 'critical', undefined, undefined]);
  });
});
