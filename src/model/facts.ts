/**
 * Facts several rules and probes read (the stack's topology, every dashboard query, the metrics Grafana can see)
 * are computed once per workspace and kept on it, not in module-level caches: a workspace and its facts live and
 * die together, and two workspaces never share one.
 */
export interface Fact<T> {
  readonly name: string;
  /** Never set: carries the fact's type. */
  readonly type?: T;
}

/** Names a fact: `const TOPOLOGY = fact<Topology>('topology')`, once, beside the function that computes it. */
export function fact<T>(name: string): Fact<T> {
  return { name };
}

/** The facts of one workspace (or stack), each computed on first use. */
export class Facts {
  readonly #values = new Map<Fact<unknown>, unknown>();

  get<T>(fact: Fact<T>, compute: () => T): T {
    if (this.#values.has(fact)) return this.#values.get(fact) as T;
    const value = compute();
    this.#values.set(fact, value);
    return value;
  }
}
