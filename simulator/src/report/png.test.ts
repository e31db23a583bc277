import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../run/results.js';
import { runCharts } from './chart.js';
import { glyph } from './font.js';
import { encodePng, Raster } from './png.js';
import { renderPng } from './raster-chart.js';

/** Minimal PNG reader for the test: chunks, IHDR, and the inflated rows. */
function readPng(png: Buffer): { width: number; height: number; types: string[]; rows: Buffer } {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const types: string[] = [];
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([...data.subarray(8)]).toEqual([8, 2, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  return { width, height, types, rows: inflateSync(Buffer.concat(idat)) };
}

describe('PNG encoder', () => {
  it('writes a valid truecolour image whose pixels read back', () => {
    const img = new Raster(4, 3, '#000000');
    img.set(1, 2, [10, 20, 30]);
    const png = readPng(img.toPng());
    expect(png).toMatchObject({ width: 4, height: 3, types: ['IHDR', 'IDAT', 'IEND'] });
    const stride = 4 * 3 + 1;
    expect(png.rows.length).toBe(stride * 3);
    expect(png.rows[2 * stride]).toBe(0); // filter byte
    expect([...png.rows.subarray(2 * stride + 1 + 3, 2 * stride + 1 + 6)]).toEqual([10, 20, 30]);
    expect(() => encodePng(2, 2, new Uint8Array(5))).toThrow(/expected 12 bytes/);
  });

  it('draws glyphs of the bitmap font', () => {
    const img = new Raster(10, 10, '#ffffff');
    img.text(0, 0, '1', '#000000');
    // '1' has a full vertical stroke in its middle column.
    for (let row = 0; row < 7; row++) expect(img.get(2, row)).toEqual([0, 0, 0]);
    expect(img.get(0, 0)).toEqual([255, 255, 255]);
    expect(glyph('a')).toEqual(glyph('A'));
    expect(glyph('→')).toEqual(glyph('>'));
    expect(glyph('€')).toEqual(glyph('?'));
  });

  it('renders every chart of a run', () => {
    const results = {
      scenario: { hosts: 2 },
      pushToApplied: {
        count: 2,
        p50: 10,
        p99: 20,
        histogram: [
          { from: 0, to: 10, count: 1 },
          { from: 10, to: 20, count: 1 },
        ],
      },
      phases: [{ name: 'timeline', start: 0, end: 2 }],
      timeline: [
        { t: 0, enrolled: 2, connected: 2, checkinsPerSecond: 0, reportsPerSecond: 0, pending: 2, unacked: 0, endpointCpuPercent: 5, endpointRssMb: 100 },
        { t: 1, enrolled: 2, connected: 2, checkinsPerSecond: 2, reportsPerSecond: 2, pending: 0, unacked: 0, endpointCpuPercent: 50, endpointRssMb: 110 },
      ],
    } as unknown as RunResults;
    const charts = runCharts({ results, curves: [{ label: 'update', stepIndex: 0, at: 0, targets: 2, applied: 2, latencyMs: { count: 2 }, curve: [10, 20] }] });
    expect(charts.map((c) => c.id)).toEqual(['latency', 'convergence', 'fleet', 'throughput', 'cpu', 'memory']);
    for (const chart of charts) expect(readPng(renderPng(chart)).width).toBe(900);
  });
});
