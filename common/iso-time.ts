// ISO 8601 UTC timestamps without `Date.prototype.toISOString`, which in Node 22's V8 also looks up the local time
// zone and its display name in ICU: ~0.8 MB of the idle agent's resident memory (BENCHMARKS.md, agent footprint).

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The same string `new Date(ms).toISOString()` gives (including ±YYYYYY years); RangeError for an invalid time. */
export function isoTime(time: number | Date): string {
  const d = typeof time === 'number' ? new Date(time) : time;
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid time value');
  const y = d.getUTCFullYear();
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : `${y < 0 ? '-' : '+'}${pad(Math.abs(y), 6)}`;
  return (
    `${year}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}
