// `mdatp health --output json` parsing against the golden files (linux/testdata, macos/testdata), the documented
// snake_case form, the install probe, and health verification.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScriptedCommandRunner } from '../../system/command-runner.js';
import { MDATP_NOT_INSTALLED, readMdatpHealth } from './cli.js';
import { parseMdatpHealth } from './health.js';
import { healthDisagreement } from './verify.js';

function golden(path: string): string {
  return readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
}

describe('parseMdatpHealth', () => {
  it('reads a healthy Linux device', () => {
    const h = parseMdatpHealth(golden('linux/testdata/mdatp-health-healthy.json'));
    expect(h).toMatchObject({
      healthy: true,
      healthIssues: [],
      licensed: true,
      orgId: 'b6cafe3e-bf50-4d8d-829a-d68b3fd21827',
      appVersion: '101.24082.0004',
      engineVersion: '1.1.24090.11',
      definitionsVersion: '1.421.1408.0',
      definitionsStatus: 'up_to_date',
      definitionsUpdated: '2024-12-03T08:00:00.000Z',
      definitionsUpdatedMinutesAgo: 42,
      productExpiration: '2025-12-31T00:00:00.000Z',
      realTimeProtectionEnabled: true,
      passiveModeEnabled: false,
      behaviorMonitoring: 'enabled',
      cloudEnabled: true,
      cloudAutomaticSampleSubmissionConsent: 'safe',
      automaticDefinitionUpdateEnabled: true,
      networkProtectionEnforcementLevel: 'audit',
      edrGroupIds: 'finance-servers',
      realTimeProtectionSubsystem: 'fanotify',
      tamperProtection: 'disabled',
      conflictingApplications: [],
    });
    expect(h.edrDeviceTags).toEqual([
      { key: 'AzureResourceId', value: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web01' },
      { key: 'GROUP', value: 'finance' },
    ]);
    expect(h.managedFields).toEqual([
      'realTimeProtectionEnabled',
      'passiveModeEnabled',
      'behaviorMonitoring',
      'cloudEnabled',
      'cloudAutomaticSampleSubmissionConsent',
      'networkProtectionEnforcementLevel',
      'edrDeviceTags',
      'edrGroupIds',
    ]);
  });

  it('reads an unhealthy, unlicensed Linux device', () => {
    const h = parseMdatpHealth(golden('linux/testdata/mdatp-health-unhealthy.json'));
    expect(h).toMatchObject({
      healthy: false,
      healthIssues: ['missing license', 'no active event provider'],
      licensed: false,
      definitionsStatus: 'unavailable',
    });
    expect(h.orgId).toBeUndefined();
    expect(h.definitionsUpdated).toBeUndefined();
    expect(h.conflictingApplications).toEqual(['name:clamd, pid:1207, path:/usr/sbin/clamd']);
  });

  it('reads macOS devices, with tamper protection', () => {
    expect(parseMdatpHealth(golden('macos/testdata/wdav-health-healthy.json'))).toMatchObject({
      healthy: true,
      tamperProtection: 'block',
      realTimeProtectionSubsystem: 'endpoint_security_extension',
      edrDeviceTags: [{ key: 'GROUP', value: 'paw' }],
      // Printed as the word "disabled", not a boolean.
      edrEarlyPreviewEnabled: false,
    });
    const bad = parseMdatpHealth(golden('macos/testdata/wdav-health-unhealthy.json'));
    expect(bad).toMatchObject({ healthy: false, healthIssues: ['no Full Disk Access', 'definitions out of date'], definitionsStatus: 'updating' });
    expect(bad.behaviorMonitoring).toBeUndefined();
  });

  it('reads the documented snake_case field names with bare values', () => {
    const text = JSON.stringify({
      healthy: true,
      health_issues: [],
      real_time_protection_enabled: false,
      definitions_status: 'up_to_date',
      edr_device_tags: [{ key: 'GROUP', value: 'x' }],
      org_id: 'unavailable',
    });
    expect(parseMdatpHealth(text)).toEqual({
      healthy: true,
      healthIssues: [],
      realTimeProtectionEnabled: false,
      definitionsStatus: 'up_to_date',
      edrDeviceTags: [{ key: 'GROUP', value: 'x' }],
      managedFields: [],
    });
  });

  it('reads the early-preview switch as a boolean or an enabled/disabled word, and nothing else', () => {
    const early = (value: unknown) => parseMdatpHealth(JSON.stringify({ healthy: true, edr_early_preview_enabled: value })).edrEarlyPreviewEnabled;
    expect([early('Enabled'), early('disabled'), early(true), early(false), early('maybe'), early(1)]).toEqual([
      true,
      false,
      true,
      false,
      undefined,
      undefined,
    ]);
  });

  it('refuses output that is not a health object', () => {
    expect(() => parseMdatpHealth('ATTENTION: No license found. Contact your administrator for help.')).toThrow(/did not print JSON/);
    expect(() => parseMdatpHealth('[]')).toThrow(/not a JSON object/);
    expect(() => parseMdatpHealth('{"healthy":"yes"}')).toThrow(/no boolean "healthy"/);
  });
});

describe('readMdatpHealth', () => {
  it('runs the fixed command and returns the snapshot', async () => {
    const runner = new ScriptedCommandRunner(() => ({ stdout: golden('linux/testdata/mdatp-health-healthy.json') }));
    const reading = await readMdatpHealth(runner, { mdatpPath: '/usr/bin/mdatp' });
    expect(reading.status).toBe('ok');
    expect(runner.calls.map((c) => [c.file, ...c.args])).toEqual([['/usr/bin/mdatp', 'health', '--output', 'json']]);
  });

  it('says "not installed" when the executable is missing, "unavailable" when it fails', async () => {
    const missing = new ScriptedCommandRunner(() => ({ code: null, spawnError: 'ENOENT: spawn /usr/bin/mdatp ENOENT' }));
    expect(await readMdatpHealth(missing, { mdatpPath: '/usr/bin/mdatp' })).toEqual({ status: 'notInstalled', reason: MDATP_NOT_INSTALLED });
    expect(MDATP_NOT_INSTALLED).toBe('Microsoft Defender for Endpoint (mdatp) is not installed');
    const down = new ScriptedCommandRunner(() => ({ code: 1, stderr: 'Could not connect to daemon' }));
    expect(await readMdatpHealth(down, { mdatpPath: '/usr/bin/mdatp' })).toEqual({
      status: 'unavailable',
      message: '/usr/bin/mdatp health --output json: exit 1: Could not connect to daemon',
    });
    const garbage = new ScriptedCommandRunner(() => ({ stdout: 'not json' }));
    expect(await readMdatpHealth(garbage, { mdatpPath: '/usr/bin/mdatp' })).toMatchObject({ status: 'unavailable', message: /did not print JSON/ });
  });
});

describe('healthDisagreement', () => {
  const h = parseMdatpHealth(golden('linux/testdata/mdatp-health-healthy.json'));

  it('agrees with what health shows', () => {
    expect(healthDisagreement('mdatp.antivirusEngine.enforcementLevel', 'real_time', h)).toBeUndefined();
    expect(healthDisagreement('mdatp.edr.tags', ['finance'], h)).toBeUndefined();
    expect(healthDisagreement('mdatp.networkProtection.enforcementLevel', 'audit', h)).toBeUndefined();
    // Not reported by health: nothing to contradict.
    expect(healthDisagreement('mdatp.antivirusEngine.scanArchives', false, h)).toBeUndefined();
  });

  it('names the field and both values when health differs', () => {
    expect(healthDisagreement('mdatp.antivirusEngine.enforcementLevel', 'passive', h)).toBe(
      'mdatp health reports real_time_protection_enabled=true, expected false for "passive"',
    );
    expect(healthDisagreement('mdatp.edr.tags', ['finance', 'paw'], h)).toBe(
      'mdatp health reports edr_device_tags=["finance"], expected ["finance","paw"] for ["finance","paw"]',
    );
    expect(healthDisagreement('mdatp.cloudService.enabled', false, h)).toMatch(/cloud_enabled=true, expected false/);
  });

  it('checks macOS early preview against edr_early_preview_enabled', () => {
    const mac = parseMdatpHealth(golden('macos/testdata/wdav-health-healthy.json'));
    expect(healthDisagreement('mdatp.edr.earlyPreview', false, mac)).toBeUndefined();
    expect(healthDisagreement('mdatp.edr.earlyPreview', true, mac)).toBe('mdatp health reports edr_early_preview_enabled=false, expected true for true');
  });

  it('checks macOS system extensions against the real-time protection subsystem, and only its two known values', () => {
    const mac = parseMdatpHealth(golden('macos/testdata/wdav-health-healthy.json'));
    expect(healthDisagreement('mdatp.features.systemExtensions', 'enabled', mac)).toBeUndefined();
    expect(healthDisagreement('mdatp.features.systemExtensions', 'disabled', mac)).toBe(
      'mdatp health reports real_time_protection_subsystem="endpoint_security_extension", expected "kernel_extension" for "disabled"',
    );
    // "fanotify" (Linux) or "unavailable" says nothing about system extensions.
    expect(healthDisagreement('mdatp.features.systemExtensions', 'disabled', h)).toBeUndefined();
  });
});
