// Tests of the device facts the platform switch states at enrollment (the OS edition, osType, of native and simulated
// hosts) and of the simulated host's response-action responder.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { validate } from '../../../common/validation.js';
import { AgentConfig, DeviceFacts } from '../../../policy-schemas/src/index.js';
import { nativeOsType, selectHost } from './index.js';

describe('nativeOsType', () => {
  it('is server for a Windows Server product name, workstation for any other Windows, none elsewhere', () => {
    expect(nativeOsType('windows', 'Windows Server 2022 Datacenter')).toBe('server');
    expect(nativeOsType('windows', 'Windows Server 2019 Standard')).toBe('server');
    expect(nativeOsType('windows', 'Windows 10 Enterprise')).toBe('workstation');
    expect(nativeOsType('windows', 'Windows 10 Enterprise multi-session')).toBe('workstation');
    expect(nativeOsType('macos', 'Darwin Kernel Version 23.6.0')).toBeUndefined();
    expect(nativeOsType('linux', '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)')).toBeUndefined();
  });
});

describe('simulated host facts', () => {
  it('states osType server for a simulated Windows Server and none for a plain simulated device', () => {
    const config = validate(
      AgentConfig,
      { host: { kind: 'simulated', platform: 'windows', hostname: 'srv-01', osType: 'server' } },
      'config',
      'CONFIG_INVALID',
    );
    const server = selectHost(config.host).facts('1.2.3');
    expect(Value.Check(DeviceFacts, server)).toBe(true);
    expect(server).toMatchObject({ hostname: 'srv-01', platform: 'windows', osType: 'server', agentVersion: '1.2.3' });
    const client = selectHost({ kind: 'simulated', platform: 'windows', hostname: 'ws-01' }).facts('1.2.3');
    expect(Value.Check(DeviceFacts, client)).toBe(true);
    expect(client).not.toHaveProperty('osType');
    expect(client.osVersion).toBe(server.osVersion);
  });
});

describe('simulated host responder', () => {
  it('carries out response actions on the simulated device, isolation.json in the state dir as on a real host', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'attache-platform-'));
    try {
      const host = selectHost({ kind: 'simulated', platform: 'linux', hostname: 'sim-1' }, { stateDir });
      const isolation = await host.responder?.isolation.isolate({ mode: 'full', endpointUrls: ['https://127.0.0.1:8443/'] });
      expect(isolation).toMatchObject({ isolated: true, enforced: true, endpoints: [{ host: '127.0.0.1', port: 8443, addresses: ['127.0.0.1'] }] });
      expect(JSON.parse(await readFile(join(stateDir, 'isolation.json'), 'utf8'))).toMatchObject({ mode: 'full' });
      expect(JSON.parse(await readFile(join(stateDir, 'simulated-host.json'), 'utf8')).response.isolation).toBeDefined();
      await host.responder?.isolation.release();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
