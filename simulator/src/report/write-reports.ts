// Writes a run's outputs into its directory: results.json, report.html (self-contained), junit.xml (for CI) and one PNG
// per chart.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunOutput } from '../run/runner.js';
import { runCharts } from './chart.js';
import { renderHtml } from './html.js';
import { renderJunit } from './junit.js';
import { renderPng } from './raster-chart.js';

export interface ReportFiles {
  readonly results: string;
  readonly html: string;
  readonly junit: string;
  readonly pngs: readonly string[];
}

export async function writeReports(dir: string, output: RunOutput): Promise<ReportFiles> {
  const results = join(dir, 'results.json');
  await writeFile(results, `${JSON.stringify(output.results, null, 2)}\n`);
  const charts = runCharts(output);
  const html = join(dir, 'report.html');
  await writeFile(html, renderHtml(output, charts));
  const junit = join(dir, 'junit.xml');
  await writeFile(junit, renderJunit(output.results));
  // One line per host: a run replayed with the same seed writes the same file.
  if (output.hostSequences) {
    await writeFile(join(dir, 'host-sequences.json'), `[\n${output.hostSequences.map((s) => JSON.stringify(s)).join(',\n')}\n]\n`);
  }
  const pngs: string[] = [];
  for (const chart of charts) {
    const file = join(dir, `${chart.id}.png`);
    await writeFile(file, renderPng(chart));
    pngs.push(file);
  }
  return { results, html, junit, pngs };
}
