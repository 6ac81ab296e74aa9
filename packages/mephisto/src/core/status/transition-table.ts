/**
 * A transition table lists, for each status, the statuses it may change to. Tables are data, so the
 * docs, the store's compare-and-set guard and the tests all read the same source of truth.
 */
export type TransitionTable<S extends string> = { readonly [From in S]: readonly S[] };

/** True when `table` allows `from → to`. A no-op (`from === to`) is never a transition. */
export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** The statuses from which `to` may be reached. */
export function sourcesOf<S extends string>(table: TransitionTable<S>, to: S): S[] {
  return (Object.keys(table) as S[]).filter((from) => table[from].includes(to));
}
