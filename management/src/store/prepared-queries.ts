// Device-path queries built once: kysely rebuilds, freezes, transforms (camel case) and compiles a query on every call,
// which costs more than running the small indexed statement itself. A prepared query is built once per dialect with
// named placeholders and then only executed with new values; its SQL text is the same string every time.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';

/** Stands for a named value in a prepared query; replaced by the caller's value at each execution. */
class Placeholder {
  constructor(readonly name: string) {}
}

/** Runs a prepared query on a database or a transaction of it (same dialect and plugins as the store's). */
export interface PreparedQuery<DB, P, R> {
  /** Every row. */
  all(db: Kysely<DB>, params: P): Promise<R[]>;
  /** The first row, if any (the query itself should say `limit 1` when more could match). */
  first(db: Kysely<DB>, params: P): Promise<R | undefined>;
  /** Runs a write; the driver's result (affected rows, insert id). */
  run(db: Kysely<DB>, params: P): Promise<QueryResult<R>>;
}

/**
 * Prepares `build`: it receives placeholders in `p` and must use each only as a single value (a comparison operand, an
 * inserted or set value), never as a list or an identifier, so the query's shape cannot depend on the values. Queries
 * whose shape does (IN lists, multi-row inserts) are built per call as usual. `p` cannot be spread (it has no keys):
 * name the columns, e.g. with `columnsOf`.
 */
export function prepareQuery<DB, P extends object, R>(build: (db: Kysely<DB>, p: P) => Compilable<R>): PreparedQuery<DB, P, R> {
  // One compiled form per dialect adapter: a transaction shares its database's adapter, so it shares the entry too.
  const compiled = new WeakMap<object, CompiledQuery<R>>();
  const placeholders = new Proxy({} as P, { get: (_, name) => new Placeholder(String(name)) });
  const compile = (db: Kysely<DB>): CompiledQuery<R> => {
    const adapter = db.getExecutor().adapter;
    let query = compiled.get(adapter);
    if (query === undefined) {
      query = build(db, placeholders).compile();
      compiled.set(adapter, query);
    }
    return query;
  };
  const execute = (db: Kysely<DB>, params: P): Promise<QueryResult<R>> => {
    const query = compile(db);
    const parameters = query.parameters.map((v) => {
      if (!(v instanceof Placeholder)) return v;
      const value = (params as Record<string, unknown>)[v.name];
      if (value === undefined) throw new TypeError(`prepared query parameter ${v.name} is missing`);
      return value;
    });
    return db.executeQuery<R>({ ...query, parameters });
  };
  return {
    all: async (db, params) => (await execute(db, params)).rows,
    first: async (db, params) => (await execute(db, params)).rows[0],
    run: execute,
  };
}

/** The named columns of `row` (of placeholders, in a prepared insert), as an object to pass to `values`. */
export function columnsOf<T, K extends keyof T>(row: T, columns: readonly K[]): Pick<T, K> {
  return Object.fromEntries(columns.map((c) => [c, row[c]])) as Pick<T, K>;
}
