// The shared inventory finishing step: bounds, order, duplicates, the item cap, the digest and the upload gate.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../common/canonical-json.js';
import { validate } from '../../../../common/validation.js';
import { MAX_SOFTWARE_ITEMS, MAX_SOFTWARE_UPLOAD_BYTES, SOFTWARE_LIMITS, SoftwareInventory, SoftwareUpload } from '../../../../policy-schemas/src/index.js';
import { boundItem, finishSoftwareInventory, fitSoftwareUpload, type RawSoftwareItem, softwareDelta, softwareDigest } from './software-inventory.js';

const AT = '2026-12-05T12:00:00.000Z';
const OS = { name: 'Debian GNU/Linux', version: '12' };
const pkg = (name: string, version = '1.0-1', extra: Partial<RawSoftwareItem> = {}): RawSoftwareItem => ({
  name,
  version,
  source: 'dpkg',
  scheme: 'dpkg',
  ...extra,
});

describe('finishSoftwareInventory', () => {
  it('orders items whatever order the tools listed them in, so the digest is the same', () => {
    const items = [pkg('zlib1g', '1:1.2.13.dfsg-1'), pkg('bash', '5.2.15-2+b2'), pkg('bash', '5.1.8-6.el9_1', { source: 'rpm', scheme: 'rpm' })];
    const a = finishSoftwareInventory({ os: OS, items }, AT);
    const b = finishSoftwareInventory({ os: OS, items: [...items].reverse() }, AT);
    expect(a.items.map((i) => `${i.name}/${i.source}`)).toEqual(['bash/dpkg', 'bash/rpm', 'zlib1g/dpkg']);
    expect(b).toEqual(a);
    expect(a.digest).toBe(createHash('sha256').update(canonicalJson(a.items)).digest('hex'));
    expect(validate(SoftwareInventory, a, 'software inventory')).toBe(a);
  });

  it('drops exact duplicates but keeps the same name installed twice (two architectures, two paths)', () => {
    const inv = finishSoftwareInventory(
      {
        os: OS,
        items: [
          pkg('libc6', '2.36-9', { architecture: 'amd64' }),
          pkg('libc6', '2.36-9', { architecture: 'i386' }),
          pkg('libc6', '2.36-9', { architecture: 'amd64' }),
        ],
      },
      AT,
    );
    expect(inv.items.map((i) => i.architecture)).toEqual(['amd64', 'i386']);
  });

  it('cuts at the cap after sorting and says so; exactly at the cap is not truncated', () => {
    const items = Array.from({ length: 12 }, (_, i) => pkg(`pkg-${String(11 - i).padStart(2, '0')}`));
    const cut = finishSoftwareInventory({ os: OS, items }, AT, 10);
    expect(cut.truncated).toBe(true);
    expect(cut.items.map((i) => i.name)).toEqual(Array.from({ length: 10 }, (_, i) => `pkg-${String(i).padStart(2, '0')}`));
    expect(finishSoftwareInventory({ os: OS, items: items.slice(0, 10) }, AT, 10).truncated).toBe(false);
    expect(finishSoftwareInventory({ os: OS, items: items.slice(0, 1), partial: true }, AT).truncated).toBe(true);
  });

  it('holds at most MAX_SOFTWARE_ITEMS, and the schema refuses one more', () => {
    const items = Array.from({ length: MAX_SOFTWARE_ITEMS + 5 }, (_, i) => pkg(`p${i}`));
    const inv = finishSoftwareInventory({ os: OS, items }, AT);
    expect(inv.items).toHaveLength(MAX_SOFTWARE_ITEMS);
    expect(inv.truncated).toBe(true);
    validate(SoftwareInventory, inv, 'software inventory');
    const over = { ...inv, items: [...inv.items, { name: 'extra', version: '1', source: 'dpkg', scheme: 'dpkg' }] };
    expect(() => validate(SoftwareInventory, over, 'software inventory')).toThrow(/items/);
  });
});

describe('boundItem (hostile strings are data)', () => {
  it('keeps control, escape and bidi characters, strips only NUL', () => {
    const hostile = 'evil\u001b[2J\u202egnp.exe\u0000tail';
    const item = boundItem({ name: hostile, version: '1.0\u0000', vendor: '\u0007Bell <b@example.org>', source: 'windowsRegistry', scheme: 'dotted' });
    expect(item).toEqual({
      name: 'evil\u001b[2J\u202egnp.exetail',
      version: '1.0',
      vendor: '\u0007Bell <b@example.org>',
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
  });

  it('cuts every string at its limit in code points without splitting a surrogate pair', () => {
    const emoji = '\u{1F600}';
    const item = boundItem({
      name: emoji.repeat(SOFTWARE_LIMITS.name + 3),
      version: 'v'.repeat(500),
      vendor: 'x'.repeat(300),
      architecture: 'a'.repeat(40),
      installPath: 'C:\\'.repeat(600),
      source: 'windowsRegistry',
      scheme: 'dotted',
    });
    expect(Array.from(item?.name ?? '')).toHaveLength(SOFTWARE_LIMITS.name);
    expect(item?.name).toBe(`${emoji.repeat(SOFTWARE_LIMITS.name - 1)}…`);
    expect(item?.version).toHaveLength(SOFTWARE_LIMITS.version);
    expect(item?.version.endsWith('v…')).toBe(true);
    expect(item?.vendor).toHaveLength(SOFTWARE_LIMITS.vendor);
    expect(item?.architecture).toHaveLength(SOFTWARE_LIMITS.architecture);
    expect(item?.installPath).toHaveLength(SOFTWARE_LIMITS.installPath);
    const inv = finishSoftwareInventory({ os: OS, items: item ? [item] : [] }, AT);
    validate(SoftwareInventory, inv, 'software inventory');
  });

  it('states the source package and version only where they differ from the binary package', () => {
    const same = boundItem(pkg('openssl', '3.0.11-1~deb12u1', { sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u1' }));
    expect(same).toEqual({ name: 'openssl', version: '3.0.11-1~deb12u1', source: 'dpkg', scheme: 'dpkg' });
    const other = boundItem(pkg('bsdutils', '1:2.38.1-5+deb12u1', { sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' }));
    expect(other).toMatchObject({ sourceName: 'util-linux', sourceVersion: '2.38.1-5+deb12u1' });
    const long = boundItem(pkg('x', '1', { sourceName: 's'.repeat(300), sourceVersion: 'v'.repeat(300) }));
    expect([long?.sourceName?.length, long?.sourceVersion?.length]).toEqual([SOFTWARE_LIMITS.sourceName, SOFTWARE_LIMITS.sourceVersion]);
  });

  it('leaves out nameless items and empty optional fields; a missing version is the empty string', () => {
    expect(boundItem(pkg('   '))).toBeUndefined();
    expect(boundItem(pkg('\u0000'))).toBeUndefined();
    expect(boundItem({ name: 'KB5034441', version: '', vendor: '', architecture: '', source: 'os', scheme: 'dotted' })).toEqual({
      name: 'KB5034441',
      version: '',
      source: 'os',
      scheme: 'dotted',
    });
  });
});

describe('softwareDelta', () => {
  it('uploads the first inventory and a changed one, not an unchanged one', () => {
    const first = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.11-1~deb12u1')] }, AT);
    const again = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.11-1~deb12u1')] }, '2026-12-06T12:00:00.000Z');
    const upgraded = finishSoftwareInventory({ os: OS, items: [pkg('openssl', '3.0.15-1~deb12u1')] }, AT);
    expect(softwareDelta(undefined, first)).toEqual({ upload: true, digest: first.digest });
    expect(softwareDelta(first.digest, again)).toEqual({ upload: false, digest: first.digest });
    expect(softwareDelta(first.digest, upgraded)).toEqual({ upload: true, digest: upgraded.digest });
  });
});

describe('fitSoftwareUpload (review 18 L2)', () => {
  const DEVICE = '11111111-1111-4111-8111-111111111111';
  const bytes = (u: unknown) => Buffer.byteLength(JSON.stringify(u), 'utf8');
  /** Windows-like items with long install paths; '€' is 3 bytes in UTF-8 but one code point, so bytes are what count. */
  const wide = (n: number, path = '€'.repeat(300)) =>
    finishSoftwareInventory(
      {
        os: { name: 'Windows 11 Pro', version: '10.0.22631' },
        items: Array.from({ length: n }, (_, i) => ({
          name: `App ${String(i).padStart(5, '0')}`,
          version: '1.0.0',
          source: 'windowsRegistry' as const,
          scheme: 'dotted' as const,
          installPath: `C:\\Program Files\\${path}\\${i}`,
        })),
      },
      AT,
    );

  it('leaves an upload within the limit as it is', () => {
    const upload = { deviceId: DEVICE, inventory: wide(10) };
    expect(fitSoftwareUpload(upload, bytes(upload))).toBe(upload);
  });

  it('drops items from the end of the sorted list until the JSON fits in bytes, sets truncated, digests the kept items', () => {
    const inventory = wide(10);
    const upload = { deviceId: DEVICE, inventory };
    const itemBytes = bytes(inventory.items[9]);
    // Room for all but about two and a half items.
    const limit = bytes(upload) - Math.floor(itemBytes * 2.5);
    const fitted = fitSoftwareUpload(upload, limit);
    expect(fitted.deviceId).toBe(DEVICE);
    expect(fitted.inventory.items).toEqual(inventory.items.slice(0, 7));
    expect(fitted.inventory).toMatchObject({
      truncated: true,
      collectedAt: inventory.collectedAt,
      os: inventory.os,
      digest: softwareDigest(inventory.items.slice(0, 7)),
    });
    expect(bytes(fitted)).toBeLessThanOrEqual(limit);
    // One more item would not have fitted.
    const oneMore = {
      deviceId: DEVICE,
      inventory: { ...fitted.inventory, items: inventory.items.slice(0, 8), digest: softwareDigest(inventory.items.slice(0, 8)) },
    };
    expect(bytes(oneMore)).toBeGreaterThan(limit);
    expect(validate(SoftwareUpload, fitted, 'software upload')).toBe(fitted);
  });

  it('keeps the largest inventory the agent can list (20,000 items, 1,024-code-point paths) under the route limit', () => {
    const inventory = wide(MAX_SOFTWARE_ITEMS, '€'.repeat(SOFTWARE_LIMITS.installPath));
    const upload = { deviceId: DEVICE, inventory };
    expect(bytes(upload)).toBeGreaterThan(MAX_SOFTWARE_UPLOAD_BYTES);
    const fitted = fitSoftwareUpload(upload);
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_SOFTWARE_UPLOAD_BYTES);
    expect(fitted.inventory.items.length).toBeGreaterThan(2_000);
    expect(fitted.inventory.truncated).toBe(true);
    expect(fitted.inventory.digest).toBe(softwareDigest(fitted.inventory.items));
  });
});
