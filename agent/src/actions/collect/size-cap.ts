// How an investigation package stays under its byte cap, as arithmetic (no I/O): the biggest entries are cut first,
// to one common length, and the bounds a gzip'd ustar archive can reach for a given content.

const BLOCK = 512;

/**
 * The kept length of each entry so their sum is at most `budget`: entries under the common cap keep everything, the
 * rest are cut to it (water-filling: the biggest lose most, small entries are never cut to make room for a big one).
 */
export function capSizes(sizes: readonly number[], budget: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total <= budget) return [...sizes];
  const order = sizes.map((size, index) => ({ size, index })).sort((a, b) => a.size - b.size);
  const kept = [...sizes];
  let remaining = Math.max(0, Math.floor(budget));
  for (const [position, { size, index }] of order.entries()) {
    const fair = Math.floor(remaining / (order.length - position));
    const keep = Math.min(size, fair);
    kept[index] = keep;
    remaining -= keep;
  }
  return kept;
}

/** Bytes of a ustar archive holding entries of these sizes: a header each, data padded to blocks, two end blocks. */
export function tarBytes(sizes: readonly number[]): number {
  return sizes.reduce((sum, size) => sum + BLOCK + Math.ceil(size / BLOCK) * BLOCK, 0) + 2 * BLOCK;
}

/**
 * The largest input gzip can take and still write at most `maxBytes` whatever the data: zlib's deflateBound
 * (len + len/4096 + len/16384 + len/2^25 + 7, stored blocks for data that does not compress) plus gzip's 18-byte
 * wrapper, with a little slack.
 */
export function gzipInputBound(maxBytes: number): number {
  const factor = 1 + 1 / 4096 + 1 / 16384 + 1 / 2 ** 25;
  return Math.max(0, Math.floor((maxBytes - 64) / factor));
}
