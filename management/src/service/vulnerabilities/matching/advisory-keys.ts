// The lookup keys of an advisory (docs/vulnerabilities.md "Matching"): which packages it can speak about, so an import
// re-evaluates only the packages sharing a key and an upload reads only the advisories of its packages' keys.
import { parseCpe23 } from '../../../../../common/versions/cpe.js';
import type { NormalizedAdvisory } from '../../../advisories/model.js';
import { cpeKey, osvKey } from './package-identity.js';

/** The CPE product of a criteria string when it names an application (part `a`) by a concrete product, else undefined. */
export function applicationProduct(criteria: string): { readonly vendor: string; readonly product: string } | undefined {
  let cpe: ReturnType<typeof parseCpe23>;
  try {
    cpe = parseCpe23(criteria);
  } catch {
    return undefined;
  }
  const { part, vendor, product } = cpe;
  if (part.kind !== 'value' || part.value !== 'a' || product.kind !== 'value' || product.pattern) return undefined;
  return { vendor: vendor.kind === 'value' ? vendor.value.toLowerCase() : '*', product: product.value.toLowerCase() };
}

/** OSV: `osv:<ecosystem base>:<name>` per affected entry; NVD: `cpe:<product>` per vulnerable application criteria. */
export function advisoryKeys(advisory: NormalizedAdvisory): string[] {
  const keys = new Set<string>();
  if (advisory.source === 'osv') {
    for (const entry of advisory.affected) keys.add(osvKey(entry.package.ecosystem, entry.package.name));
  } else {
    for (const configuration of advisory.affected) {
      for (const node of configuration.nodes) {
        for (const match of node.cpeMatch) {
          const app = match.vulnerable ? applicationProduct(match.criteria) : undefined;
          if (app) keys.add(cpeKey(app.product));
        }
      }
    }
  }
  return [...keys].sort();
}
