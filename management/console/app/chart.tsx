// Horizontal bar charts drawn as inline SVG from the data (no chart library): one bar per bucket, the count written
// beside it, and the whole chart described by its aria-label and a visually hidden table for screen readers.

export interface Bar {
  readonly label: string;
  readonly value: number;
}

const ROW = 28;
const LABEL_W = 130;
const BAR_W = 220;

export function BarChart({ title, bars }: { title: string; bars: readonly Bar[] }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = bars.length * ROW + 4;
  const summary = bars.map((b) => `${b.label} ${b.value}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg
        role="img"
        aria-label={`${title}: ${summary || 'no data'}`}
        viewBox={`0 0 ${LABEL_W + BAR_W + 60} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        {bars.map((b, i) => {
          const w = Math.round((b.value / max) * BAR_W);
          const y = i * ROW + 4;
          return (
            <g key={b.label}>
              <text x={LABEL_W - 8} y={y + 15} text-anchor="end" class="chart-label">
                {b.label}
              </text>
              <rect x={LABEL_W} y={y} width={Math.max(w, b.value > 0 ? 2 : 0)} height={ROW - 8} rx="3" class={`bar bar-${b.label.replace(/[^A-Za-z]/g, '')}`} />
              <text x={LABEL_W + w + 6} y={y + 15} class="chart-value">
                {b.value}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
