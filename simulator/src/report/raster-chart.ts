// A chart drawn into a PNG (for docs and BENCHMARKS.md): the same layout as the SVG, in the 5×7 bitmap font.
import { axis, type Chart, tickLabel } from './chart.js';
import { Raster } from './png.js';

const W = 900;
const H = 420;
const M = { left: 70, right: 20, top: 40, bottom: 50 };
const INK = '#222222';
const GRID = '#e6e6e6';

/** The chart as PNG bytes. */
export function renderPng(chart: Chart): Buffer {
  const img = new Raster(W, H);
  img.text(M.left, 12, chart.title.slice(0, 100), INK, 2);
  const xs = chart.series.flatMap((s) => s.points.map(([x]) => x + (s.kind === 'bars' ? (s.barWidth ?? 0) : 0)));
  const ys = chart.series.flatMap((s) => s.points.map(([, y]) => y));
  if (xs.length === 0) {
    img.text(M.left, H / 2, 'no data', INK, 2);
    return img.toPng();
  }
  const ax = axis(xs);
  const ay = axis(ys);
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - ax.min) / (ax.max - ax.min || 1)) * pw;
  const sy = (y: number) => M.top + ph - ((y - ay.min) / (ay.max - ay.min || 1)) * ph;
  for (const t of ay.ticks) {
    img.line(M.left, sy(t), W - M.right, sy(t), GRID);
    const label = tickLabel(t);
    img.text(M.left - 6 - Raster.textWidth(label), sy(t) - 3, label, INK);
  }
  for (const t of ax.ticks) {
    const label = tickLabel(t);
    img.text(sx(t) - Raster.textWidth(label) / 2, M.top + ph + 6, label, INK);
  }
  // Labels of marks close together are staggered down, so short phases stay readable.
  (chart.marks ?? []).forEach((mark, i) => {
    img.line(sx(mark.x), M.top, sx(mark.x), M.top + ph, '#b0b0b0', 1, 3);
    img.text(sx(mark.x) + 3, M.top + 2 + (i % 3) * 10, mark.label, '#808080');
  });
  for (const s of chart.series) {
    if (s.kind === 'bars') {
      for (const [x, y] of s.points) {
        const x0 = sx(x);
        img.fillRect(x0, sy(y), Math.max(1, sx(x + (s.barWidth ?? 1)) - x0 - 1), sy(ay.min) - sy(y), s.color);
      }
    } else {
      for (let i = 1; i < s.points.length; i++) {
        const a = s.points[i - 1];
        const b = s.points[i];
        if (a && b) img.line(sx(a[0]), sy(a[1]), sx(b[0]), sy(b[1]), s.color, 2);
      }
    }
  }
  img.line(M.left, M.top, M.left, M.top + ph, INK);
  img.line(M.left, M.top + ph, W - M.right, M.top + ph, INK);
  img.text(M.left + pw / 2 - Raster.textWidth(chart.xLabel) / 2, H - 18, chart.xLabel, INK);
  img.textUp(12, M.top + ph / 2 + Raster.textWidth(chart.yLabel) / 2, chart.yLabel, INK);
  chart.series.forEach((s, i) => {
    const y = M.top + 6 + i * 12;
    img.fillRect(W - M.right - 260, y, 8, 8, s.color);
    img.text(W - M.right - 248, y + 1, s.name.slice(0, 40), INK);
  });
  return img.toPng();
}
