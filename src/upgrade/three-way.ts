import type { Hunk } from './diff.js';

/** One side's change to the base: base[start, end) becomes `items`. */
export interface Change<T> {
  start: number;
  end: number;
  items: T[];
  /** The change rewraps or re-indents the base without changing what it says. */
  formatOnly: boolean;
}

/** Changes of both sides that overlap, transitively: they are decided together. */
export interface Cluster<T> {
  start: number;
  end: number;
  ours: Change<T>[];
  theirs: Change<T>[];
}

export function changesOf<T>(hunks: Hunk[], other: readonly T[], formatOnly: (hunk: Hunk) => boolean): Change<T>[] {
  return hunks.map((h) => ({ start: h.start, end: h.end, items: other.slice(h.otherStart, h.otherEnd), formatOnly: formatOnly(h) }));
}

/**
 * Whether two changes, one per side, collide: they rewrite a common base line, or one inserts
 * inside lines the other rewrites, or both insert at the same place. Changes that only touch (an
 * insertion right after lines the other side rewrote) do not: both apply, in base order.
 */
function collide(x: Change<unknown>, y: Change<unknown>): boolean {
  if (x.start === x.end && y.start === y.end) return x.start === y.start;
  return x.start < y.end && y.start < x.end;
}

/** Groups both sides' changes in base order; a cluster with changes on one side only is no conflict. */
export function clusters<T>(ours: Change<T>[], theirs: Change<T>[]): Cluster<T>[] {
  const all = [...ours.map((c) => ({ c, mine: true })), ...theirs.map((c) => ({ c, mine: false }))];
  all.sort((x, y) => x.c.start - y.c.start || x.c.end - y.c.end);
  const result: Cluster<T>[] = [];
  let current: Cluster<T> | undefined;
  for (const { c, mine } of all) {
    const others = current ? (mine ? current.theirs : current.ours) : [];
    if (current && others.some((o) => collide(o, c))) {
      (mine ? current.ours : current.theirs).push(c);
      current.start = Math.min(current.start, c.start);
      current.end = Math.max(current.end, c.end);
    } else {
      current = { start: c.start, end: c.end, ours: mine ? [c] : [], theirs: mine ? [] : [c] };
      result.push(current);
    }
  }
  return result;
}

/** What one side holds over base[start, end): its changes there, and its own copy of the lines between. */
export function sideOf<T>(changes: Change<T>[], start: number, end: number, unchanged: (index: number) => T): T[] {
  const items: T[] = [];
  let at = start;
  for (const change of changes) {
    for (; at < change.start; at++) items.push(unchanged(at));
    items.push(...change.items);
    at = Math.max(at, change.end);
  }
  for (; at < end; at++) items.push(unchanged(at));
  return items;
}

/** Where each base item sits in the other sequence, -1 where a hunk rewrote it. */
export function positionsIn(hunks: Hunk[], baseLength: number): Int32Array {
  const at = new Int32Array(baseLength).fill(-1);
  let [i, j] = [0, 0];
  for (const h of [...hunks, { start: baseLength, end: baseLength, otherStart: Number.NaN, otherEnd: Number.NaN }]) {
    for (; i < h.start; i++, j++) at[i] = j;
    [i, j] = [h.end, h.otherEnd];
  }
  return at;
}
