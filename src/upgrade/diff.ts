/** A change between two sequences: a[start, end) becomes b[otherStart, otherEnd). */
export interface Hunk {
  start: number;
  end: number;
  otherStart: number;
  otherEnd: number;
}

/** Past this many cells the quadratic fallback gives up and calls the whole region changed. */
const LCS_LIMIT = 4_000_000;

/**
 * Patience diff (as `git diff --patience`): lines that occur once on each side anchor the
 * alignment, in order, and the gaps between anchors are diffed the same way. An LCS diff lines up
 * whatever repeats (`});`, blank lines), so a test appended after a block the other side deleted
 * gets matched against that block; unique lines do not move. Regions with no unique line fall back
 * to the longest common subsequence.
 */
export function diffSequences(a: readonly string[], b: readonly string[]): Hunk[] {
  const matches: [number, number][] = [];
  align(a, b, 0, a.length, 0, b.length, matches);
  return hunksBetween(matches, a.length, b.length);
}

function align(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number, out: [number, number][]): void {
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) out.push([a0++, b0++]);
  const suffix: [number, number][] = [];
  while (a0 < a1 && b0 < b1 && a[a1 - 1] === b[b1 - 1]) suffix.push([--a1, --b1]);
  if (a0 < a1 && b0 < b1) {
    const anchors = uniqueAnchors(a, b, a0, a1, b0, b1);
    if (anchors.length > 0) {
      let [pa, pb] = [a0, b0];
      for (const [i, j] of anchors) {
        align(a, b, pa, i, pb, j, out);
        out.push([i, j]);
        [pa, pb] = [i + 1, j + 1];
      }
      align(a, b, pa, a1, pb, b1, out);
    } else {
      commonSubsequence(a, b, a0, a1, b0, b1, out);
    }
  }
  out.push(...suffix.reverse());
}

/** Lines found exactly once on each side, as the longest run that keeps both orders. */
function uniqueAnchors(a: readonly string[], b: readonly string[], a0: number, a1: number, b0: number, b1: number): [number, number][] {
  const seen = new Map<string, { a: number; b: number; countA: number; countB: number }>();
  for (let i = a0; i < a1; i++) {
    const entry = seen.get(a[i]!);
    if (entry) entry.countA++;
    else seen.set(a[i]!, { a: i, b: -1, countA: 1, countB: 0 });
  }
  for (let j = b0; j < b1; j++) {
    const entry = seen.get(b[j]!);
    if (entry) {
      entry.countB++;
      entry.b = j;
    }
  }
  const pairs = [...seen.values()].filter((e) => e.countA === 1 && e.countB === 1).map((e): [number, number] => [e.a, e.b]);
  pairs.sort((x, y) => x[0] - y[0]);
  return longestIncreasing(pairs);
}

/** Patience sorting: the longest subsequence of pairs whose second members increase too. */
function longestIncreasing(pairs: [number, number][]): [number, number][] {
  const tails: number[] = [];
  const previous: number[] = new Array(pairs.length).fill(-1);
  for (let k = 0; k < pairs.length; k++) {
    let [low, high] = [0, tails.length];
    while (low < high) {
      const mid = (low + high) >> 1;
      if (pairs[tails[mid]!]![1] < pairs[k]![1]) low = mid + 1;
      else high = mid;
    }
    if (low > 0) previous[k] = tails[low - 1]!;
    tails[low] = k;
  }
  const result: [number, number][] = [];
  for (let k = tails.length > 0 ? tails[tails.length - 1]! : -1; k !== -1; k = previous[k]!) result.push(pairs[k]!);
  return result.reverse();
}

function commonSubsequence(
  a: readonly string[],
  b: readonly string[],
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  out: [number, number][],
): void {
  const [n, m] = [a1 - a0, b1 - b0];
  if (n * m > LCS_LIMIT) return;
  const width = m + 1;
  const table = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i * width + j] =
        a[a0 + i] === b[b0 + j] ? table[(i + 1) * width + j + 1]! + 1 : Math.max(table[(i + 1) * width + j]!, table[i * width + j + 1]!);
    }
  }
  let [i, j] = [0, 0];
  while (i < n && j < m) {
    if (a[a0 + i] === b[b0 + j]) out.push([a0 + i++, b0 + j++]);
    else if (table[(i + 1) * width + j]! >= table[i * width + j + 1]!) i++;
    else j++;
  }
}

function hunksBetween(matches: [number, number][], lengthA: number, lengthB: number): Hunk[] {
  const hunks: Hunk[] = [];
  let [pa, pb] = [0, 0];
  for (const [i, j] of [...matches, [lengthA, lengthB] as [number, number]]) {
    if (i > pa || j > pb) hunks.push({ start: pa, end: i, otherStart: pb, otherEnd: j });
    [pa, pb] = [i + 1, j + 1];
  }
  return hunks;
}
