// Test support for common/versions/ (its unit tests): checks that a list of versions is strictly ascending under a comparator.
import { expect } from 'vitest';

/** Every earlier entry is older than every later one (both directions are checked) and each equals itself. */
export function expectAscending(chain: readonly string[], compare: (a: string, b: string) => number): void {
  for (let i = 0; i < chain.length; i++) {
    for (let j = 0; j < chain.length; j++) {
      expect(compare(chain[i] as string, chain[j] as string), `${chain[i]} vs ${chain[j]}`).toBe(Math.sign(i - j));
    }
  }
}
