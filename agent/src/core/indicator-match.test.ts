// Indicator matching: executables by hash, path and name; connections by remote IP and CIDR (IPv4, IPv6, mapped).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchConnections, matchProcesses, type ObservedProcess, observationsNeeded, type RiskIndicator, unmatchable } from './indicator-match.js';
import { networkContains, parseCidr, parseIp, sameIp } from './ip-match.js';

const SHA256 = '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f';
const SHA1 = '3395856ce81f2b7382dee72602f798b642f14140';
const MD5 = '44d88612fea8a8f36de82e1278abb02f';
const THUMB = '3B1EFD3A66EA28B16697394703A72CA340A05BD5';
const ind = (type: RiskIndicator['type'], value: string, action: RiskIndicator['action'] = 'alert'): RiskIndicator => ({ type, value, action });
const linux = { caseInsensitive: false };
const windows = { caseInsensitive: true };

const procs: ObservedProcess[] = [
  { pid: 10, name: 'xmrig', path: '/tmp/.x/xmrig', sha256: SHA256.toUpperCase() },
  { pid: 11, name: 'xmrig', path: '/tmp/.x/xmrig', sha256: SHA256 },
  { pid: 12, name: 'bash', path: '/usr/bin/bash', sha1: SHA1 },
  { pid: 13, name: 'kworker/0:1' },
];

describe('process indicators', () => {
  it('matches SHA-256 and SHA-1 case-insensitively and groups processes of one executable into one match', () => {
    const [m, ...rest] = matchProcesses([ind('fileSha256', SHA256)], procs, linux);
    expect(rest).toEqual([]);
    expect(m?.subject).toBe('/tmp/.x/xmrig');
    expect(m?.processes.map((p) => p.pid)).toEqual([10, 11]);
    expect(matchProcesses([ind('fileSha1', SHA1.toUpperCase())], procs, linux).map((x) => x.processes.map((p) => p.pid))).toEqual([[12]]);
  });

  it('never matches a hash indicator against a process whose hash was not computed', () => {
    expect(matchProcesses([ind('fileSha1', SHA1)], [{ pid: 1, name: 'bash', path: '/usr/bin/bash' }], linux)).toEqual([]);
  });

  it('matches paths exactly on Linux and case-insensitively on Windows', () => {
    expect(matchProcesses([ind('processPath', '/usr/bin/bash')], procs, linux)).toHaveLength(1);
    expect(matchProcesses([ind('processPath', '/usr/bin/BASH')], procs, linux)).toHaveLength(0);
    const win = [{ pid: 5, name: 'nc.exe', path: 'C:\\Tools\\NC.EXE' }];
    expect(matchProcesses([ind('processPath', 'C:\\Tools\\nc.exe')], win, windows)).toHaveLength(1);
    expect(matchProcesses([ind('processPath', 'C:\\Tools\\nc.exe')], win, linux)).toHaveLength(0);
  });

  it('matches names by the process name or the executable file name; on Windows with or without .exe', () => {
    expect(matchProcesses([ind('processName', 'xmrig')], procs, linux)[0]?.processes).toHaveLength(2);
    expect(matchProcesses([ind('processName', 'bash')], [{ pid: 3, name: 'renamed', path: '/usr/bin/bash' }], linux)).toHaveLength(1);
    expect(matchProcesses([ind('processName', 'Xmrig')], procs, linux)).toHaveLength(0);
    const win = [{ pid: 7, name: 'XMRig.exe', path: 'C:\\m\\XMRig.exe' }];
    expect(matchProcesses([ind('processName', 'xmrig')], win, windows)).toHaveLength(1);
    expect(matchProcesses([ind('processName', 'xmrig.exe')], win, windows)).toHaveLength(1);
    expect(matchProcesses([ind('processName', 'xmri')], win, windows)).toHaveLength(0);
  });

  it('matches MD5 and the signer thumbprint case-insensitively, never a process without them', () => {
    const signed = [
      { pid: 30, name: 'tool', path: '/opt/tool', md5: MD5.toUpperCase(), signerThumbprint: THUMB },
      { pid: 31, name: 'other', path: '/opt/other' },
    ];
    expect(matchProcesses([ind('fileMd5', MD5)], signed, linux).map((m) => m.processes.map((p) => p.pid))).toEqual([[30]]);
    expect(matchProcesses([ind('certificateThumbprint', THUMB.toLowerCase())], signed, linux).map((m) => m.subject)).toEqual(['/opt/tool']);
    expect(matchProcesses([ind('fileMd5', 'b'.repeat(32)), ind('certificateThumbprint', 'C'.repeat(40))], signed, linux)).toEqual([]);
  });

  it('uses the name as subject when the executable path is unknown', () => {
    expect(matchProcesses([ind('processName', 'kworker/0:1')], procs, linux)[0]?.subject).toBe('name:kworker/0:1');
  });
});

describe('connection indicators', () => {
  const conns = [
    { pid: 20, remoteAddress: '203.0.113.7', remotePort: 443 },
    { pid: 21, remoteAddress: '::ffff:203.0.113.7', remotePort: 8443 },
    { remoteAddress: '2001:db8:0:0::5', remotePort: 22 },
    { remoteAddress: 'fe80::1%eth0', remotePort: 22 },
    { remoteAddress: 'not-an-ip', remotePort: 1 },
  ];

  it('matches one IPv4 address however the OS prints it (IPv4-mapped IPv6 included), as one match', () => {
    const m = matchConnections([ind('ipAddress', '203.0.113.7')], conns);
    expect(m).toHaveLength(1);
    expect(m[0]?.connections.map((c) => c.pid)).toEqual([20, 21]);
  });

  it('matches IPv6 addresses in any notation, and IPv4/IPv6 networks by prefix', () => {
    expect(matchConnections([ind('ipAddress', '2001:DB8::5')], conns)).toHaveLength(1);
    expect(matchConnections([ind('cidr', '203.0.113.0/24')], conns)[0]?.connections).toHaveLength(2);
    expect(matchConnections([ind('cidr', '203.0.112.0/24')], conns)).toHaveLength(0);
    expect(matchConnections([ind('cidr', '2001:db8::/32')], conns)[0]?.connections).toHaveLength(1);
    expect(matchConnections([ind('cidr', 'fe80::/10')], conns)[0]?.connections).toHaveLength(1);
    expect(matchConnections([ind('cidr', '0.0.0.0/0')], conns)[0]?.connections).toHaveLength(2);
    // Families never cross: an IPv6 network does not contain IPv4 peers. One match (alert) per remote address.
    expect(matchConnections([ind('cidr', '::/0')], conns).map((m) => m.connections.map((c) => c.remoteAddress))).toEqual([
      ['2001:db8:0:0::5'],
      ['fe80::1%eth0'],
    ]);
  });

  it('says what must be observed, and which indicators cannot be matched on the device', () => {
    const list = [ind('fileSha1', SHA1), ind('cidr', '10.0.0.0/8'), ind('domain', 'malware.example.com')];
    const none = { sha256: false, sha1: false, md5: false, signer: false };
    expect(observationsNeeded(list)).toEqual({ ...none, processes: true, sha1: true, connections: true });
    expect(observationsNeeded([ind('processName', 'x')])).toEqual({ ...none, processes: true, connections: false });
    expect(observationsNeeded([ind('fileMd5', MD5), ind('certificateThumbprint', THUMB)])).toEqual({
      ...none,
      processes: true,
      md5: true,
      signer: true,
      connections: false,
    });
    expect(unmatchable(list).map((i) => i.type)).toEqual(['domain']);
  });
});

describe('ip-match', () => {
  it('parses addresses and networks, rejecting malformed ones', () => {
    expect(parseIp('192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIp('::1')).toEqual({ family: 6, value: 1n });
    expect(parseIp('[2001:db8::1]')).toEqual({ family: 6, value: (0x20010db8n << 96n) | 1n });
    for (const bad of ['256.0.0.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '', '1.2.3.4.5']) expect(parseIp(bad)).toBeUndefined();
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 4, base: 0x0a000000n, prefix: 8 });
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0', '10.0.0.0/x']) expect(parseCidr(bad)).toBeUndefined();
    expect(sameIp('2001:db8::1', '2001:0DB8:0:0:0:0:0:1')).toBe(true);
  });

  it('every address of a network (and no other) is contained in it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 0xffffffff }), (base, prefix, other) => {
        const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
        const network = parseCidr(`${dotted(base)}/${prefix}`);
        const address = parseIp(dotted(other));
        if (!network || !address) return false;
        const hostBits = 32 - prefix;
        const sameNetwork = prefix === 0 || base >>> hostBits === other >>> hostBits;
        return networkContains(network, address) === sameNetwork;
      }),
    );
  });
});
