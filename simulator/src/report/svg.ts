// Inline SVG of a chart for the HTML report: axes with ticks, lines or bars, phase marks, a legend.
import { htmlText as esc } from '../../../common/terminal-text.js';
import { axis, type Chart, tickLabel } from './chart.js';

const W = 760;
const H = 300;
const M = { left: 60, right: 16, top: 30, bottom: 44 };

/** The chart as an `<svg>` element (no external references). */
export function renderSvg(chart: Chart): string {
  const xs = chart.series.flatMap((s) => s.points.map(([x]) => x + (s.kind === 'bars' ? (s.barWidth ?? 0) : 0)));
  const ys = chart.series.flatMap((s) => s.points.map(([, y]) => y));
  if (xs.length === 0) return `<p class="empty">${esc(chart.title)}: no data</p>`;
  const ax = axis(xs);
  const ay = axis(ys);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - ax.min) / (ax.max - ax.min || 1)) * pw;
  const sy = (y: number) => M.top + ph - ((y - ay.min) / (ay.max - ay.min || 1)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(chart.title)}">`,
    `<text x="${M.left}" y="18" font-size="13" font-weight="bold">${esc(chart.title)}</text>`,
  ];
  for (const t of ay.ticks) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${M.left - 6}" y="${sy(t) + 4}" font-size="10" text-anchor="end">${tickLabel(t)}</text>`);
  }
  for (const t of ax.ticks) out.push(`<text x="${sx(t)}" y="${H - M.bottom + 14}" font-size="10" text-anchor="middle">${tickLabel(t)}</text>`);
  // Labels of marks close together are staggered down, so short phases stay readable.
  (chart.marks ?? []).forEach((mark, i) => {
    out.push(`<line x1="${sx(mark.x)}" x2="${sx(mark.x)}" y1="${M.top}" y2="${M.top + ph}" stroke="#bbb" stroke-dasharray="3,3"/>`);
    out.push(`<text x="${sx(mark.x) + 2}" y="${M.top + 10 + (i % 3) * 10}" font-size="9" fill="#777">${esc(mark.label)}</text>`);
  });
  for (const s of chart.series) {
    if (s.kind === 'bars') {
      for (const [x, y] of s.points) {
        const x0 = sx(x);
        const w = Math.max(1, sx(x + (s.barWidth ?? 1)) - x0 - 1);
        out.push(
          `<rect x="${x0}" y="${sy(y)}" width="${w}" height="${sy(ay.min) - sy(y)}" fill="${s.color}"><title>${tickLabel(x)}–${tickLabel(x + (s.barWidth ?? 1))}: ${y}</title></rect>`,
        );
      }
    } else if (s.points.length > 0) {
      const d = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"/>`);
    }
  }
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#333"/>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  out.push(`<text x="14" y="${M.top + ph / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">${esc(chart.yLabel)}</text>`);
  chart.series.forEach((s, i) => {
    const y = M.top + 8 + i * 14;
    out.push(`<rect x="${W - M.right - 200}" y="${y - 8}" width="10" height="10" fill="${s.color}"/>`);
    out.push(`<text x="${W - M.right - 186}" y="${y + 1}" font-size="10">${esc(s.name.slice(0, 36))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
