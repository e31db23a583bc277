// Part of the boundary check: the layer order of the folders inside agent/src/ and management/src/ (ARCHITECTURE.md,
// "Layering"). A product file imports its own folder or a lower layer; folders of one layer never import in a cycle.

/** One package's layers, lowest first. Entries are folders (`core/`) or single files (`main.ts`) directly under `root`. */
export interface Layering {
  readonly root: string;
  readonly layers: readonly (readonly string[])[];
}

/** The layer tables. A folder or top-level file of `root` missing from its table is itself a violation. */
export const LAYERINGS: readonly Layering[] = [
  {
    root: 'agent/src/',
    layers: [
      ['core/', 'version.ts', 'logging.ts', 'v8-flags.ts'], // pure decisions and leaf modules
      ['state/', 'system/', 'hosts/'], // persistence, OS primitives, the simulated host
      ['providers/', 'actions/'], // enforcing settings; response-action primitives (isolation, quarantine)
      ['platform/', 'config.ts', 'transport/'], // the one platform switch, configuration, the endpoint client
      ['enrollment/', 'sync/', 'health/', 'inventory/', 'risk/'], // the agent's features
      ['runtime/'], // the shared agent runtime (daemon and every simulated host)
      ['daemon/'], // the long-running process
      ['cli/'], // commands
      ['main.ts'], // entry
    ],
  },
  {
    root: 'management/src/',
    layers: [
      ['logging.ts', 'listen-address.ts', 'debug-memory.ts', 'data-dir-lock.ts', 'intune-import/', 'advisories/'],
      ['store/'],
      ['pki/', 'push/'],
      ['service/'],
      ['http/', 'admin-cli/', 'backup/'],
      ['endpoint.ts', 'serve-config.ts', 'endpoint-store.ts'],
      ['main.ts'],
    ],
  },
];

/** One repo-internal import of a product file, already resolved to a repo path. */
export interface ResolvedImport {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

export interface LayerViolation {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly rule: string;
}

/** The folder (`sync/`) or top-level file (`main.ts`) of `path` under `root`, or undefined outside it. */
export function unitOf(path: string, root: string): string | undefined {
  if (!path.startsWith(root)) return undefined;
  const rest = path.slice(root.length);
  const slash = rest.indexOf('/');
  return slash === -1 ? rest : rest.slice(0, slash + 1);
}

function layerIndex(layering: Layering, unit: string): number {
  return layering.layers.findIndex((layer) => layer.includes(unit));
}

const describeLayer = (layering: Layering, i: number) => `layer ${i + 1} (${layering.layers[i]?.join(', ')})`;

/**
 * Checks the imports (product files only) against the layer tables: an import of a higher layer, of a unit missing
 * from the table, and every import that closes a cycle between folders of one layer.
 */
export function checkLayering(imports: readonly ResolvedImport[], layerings: readonly Layering[] = LAYERINGS): LayerViolation[] {
  const out: LayerViolation[] = [];
  for (const layering of layerings) {
    const sameLayer: { from: string; to: string; imp: ResolvedImport }[] = [];
    for (const imp of imports) {
      const from = unitOf(imp.file, layering.root);
      const to = unitOf(imp.target, layering.root);
      if (from === undefined || to === undefined || from === to) continue;
      const [a, b] = [layerIndex(layering, from), layerIndex(layering, to)];
      const missing = [from, to].filter((u) => layerIndex(layering, u) === -1);
      if (missing.length > 0) {
        const names = missing.map((u) => `${layering.root}${u}`).join(' and ');
        out.push({ ...imp, rule: `layering: ${names} is in no layer of ${layering.root} (add it to scripts/layering.ts and ARCHITECTURE.md)` });
      } else if (b > a) {
        const rule = `layering: ${from} is in ${describeLayer(layering, a)} and may not import ${to} in ${describeLayer(layering, b)}`;
        out.push({ ...imp, rule });
      } else if (a === b) sameLayer.push({ from, to, imp });
    }
    out.push(...cycleViolations(sameLayer));
  }
  return out;
}

/** Every same-layer import whose two folders reach each other (one strongly connected component). */
function cycleViolations(edges: readonly { from: string; to: string; imp: ResolvedImport }[]): LayerViolation[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const path = (start: string, goal: string): string[] | undefined => {
    const seen = new Set([start]);
    const queue: string[][] = [[start]];
    for (let route = queue.shift(); route; route = queue.shift()) {
      for (const n of next.get(route.at(-1) ?? '') ?? []) {
        if (n === goal) return [...route, n];
        if (seen.has(n)) continue;
        seen.add(n);
        queue.push([...route, n]);
      }
    }
    return undefined;
  };
  return edges.flatMap(({ from, to, imp }) => {
    const back = path(to, from);
    return back
      ? [{ ...imp, rule: `layering: folder cycle ${[from, ...back].join(' → ')} (folders of one layer may import each other, never in a cycle)` }]
      : [];
  });
}
