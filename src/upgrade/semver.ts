/** Orders two `major.minor.patch[-pre]` versions: negative, zero or positive, as sort() expects. */
export function compareVersions(a: string, b: string): number {
  const parse = (version: string) => {
    const found = version.match(/^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/);
    if (!found) throw new Error(`not a version: ${version}`);
    return { numbers: found.slice(1, 4).map(Number), pre: found[4] };
  };
  const [x, y] = [parse(a), parse(b)];
  for (let i = 0; i < 3; i++) {
    const delta = x.numbers[i]! - y.numbers[i]!;
    if (delta !== 0) return delta;
  }
  // A pre-release comes before its release (1.0.0-rc.1 < 1.0.0).
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}
