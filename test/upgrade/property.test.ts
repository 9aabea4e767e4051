import { beforeAll, expect, it } from 'vitest';
import type { Manifest } from '../../src/manifest.js';
import { diffSequences } from '../../src/upgrade/diff.js';
import { normalizeEol } from '../../src/upgrade/merge.js';
import { migrate } from '../../src/upgrade/migrations.js';
import { generatorVersion } from '../../src/paths.js';
import { CONFLICT_LABEL_OURS, decideFiles } from '../../src/upgrade/decide.js';
import { render } from '../helpers/module.js';
import { NEXT_VERSION, nextGenerator, splitLines } from '../helpers/upgrade.js';

/*
 * The promise of upgrade, checked on random edits: whatever an owner inserts or changes in a
 * generated module, an upgrade with other answers (and to another generator version) keeps every
 * such line, merged or inside conflict markers. Files are rendered once per answer set; each case
 * runs the planner, which decides every byte the upgrade writes.
 */
const CASES = Number(process.env.UPGRADE_PROPERTY_CASES ?? 500);
const SEED = Number(process.env.UPGRADE_PROPERTY_SEED ?? 20_260_611);

/** mulberry32: small, seedable, good enough to pick edits; a failure names its seed to replay it. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Upgrade {
  label: string;
  base: Record<string, string>;
  theirs: Record<string, string>;
  moves: Record<string, string>;
}

const upgrades: Upgrade[] = [];

beforeAll(async () => {
  const next = await nextGenerator();
  const sconeBellecour = await render({ name: 'm', tee: 'scone', chain: 'bellecour', dockerNamespace: 'alice' });
  const tdxSepolia = await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet', dockerNamespace: 'alice' });
  const tdxMainnet = await render({
    name: 'm',
    tee: 'tdx',
    chain: 'arbitrum-mainnet',
    dockerNamespace: 'bob',
    description: 'Another text.',
  });
  const nextTdx = await render({ name: 'm', tee: 'tdx', chain: 'arbitrum-sepolia-testnet', dockerNamespace: 'alice' }, next);
  const manifest: Manifest = {
    format: 1,
    generator: { name: 'create-iexec-module', version: generatorVersion },
    answers: {},
    files: sconeBellecour,
  };
  const migrated = migrate(manifest, NEXT_VERSION, next.migrations);
  upgrades.push(
    { label: 'scone/bellecour -> tdx/arbitrum-sepolia-testnet', base: sconeBellecour, theirs: tdxSepolia, moves: {} },
    {
      label: 'tdx/arbitrum-sepolia-testnet -> tdx/arbitrum-mainnet, new namespace and description',
      base: tdxSepolia,
      theirs: tdxMainnet,
      moves: {},
    },
    { label: 'tdx -> scone (adds sconify.sh)', base: tdxSepolia, theirs: sconeBellecour, moves: {} },
    {
      label: `scone -> tdx with the next generator ${NEXT_VERSION} (moves, adds, drops)`,
      base: migrated.files,
      theirs: nextTdx,
      moves: migrated.moves,
    },
  );
});

interface Edited {
  text: string | undefined;
  ownerLines: string[];
}

/** A few random insertions, deletions and changed lines; sometimes the whole file goes. */
function edit(text: string, next: () => number, tag: string): Edited {
  if (next() < 0.05) return { text: undefined, ownerLines: [] };
  const lines = splitLines(text);
  const operations = 1 + Math.floor(next() * 5);
  let count = 0;
  const ownerLine = () => `OWNER ${tag} ${count++} ${next() < 0.5 ? '{' : ';'}\n`;
  for (let i = 0; i < operations; i++) {
    const at = Math.floor(next() * (lines.length + 1));
    const kind = next();
    if (kind < 0.4) lines.splice(at, 0, ...Array.from({ length: 1 + Math.floor(next() * 3) }, ownerLine));
    else if (kind < 0.7) lines.splice(at, 1 + Math.floor(next() * 3));
    else if (at < lines.length) lines[at] = ownerLine();
  }
  // An owner line last in a file without a final newline stays a line of its own.
  if (lines.length > 0 && next() < 0.1) lines[lines.length - 1] = lines[lines.length - 1]!.replace(/\n$/, '');
  const result = lines.join('');
  return {
    text: result,
    ownerLines: splitLines(result)
      .filter((l) => l.startsWith('OWNER '))
      .map((l) => l.replace(/\n$/, '')),
  };
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Adds a script and a dependency of the owner's to package.json, the way npm would write them. */
function editPackageJson(text: string, tag: string): Edited {
  const pkg = JSON.parse(text);
  pkg.scripts = { ...pkg.scripts, [`owner-${tag}`]: `echo ${tag}` };
  pkg.dependencies = { ...pkg.dependencies, [`owner-dep-${tag}`]: '^1.0.0' };
  return {
    text: `${JSON.stringify(pkg, null, 2)}\n`,
    ownerLines: [`    "owner-${tag}": "echo ${tag}"`, `    "owner-dep-${tag}": "^1.0.0"`],
  };
}

it(`keeps every line an owner wrote, over ${CASES} random cases`, () => {
  let merged = 0;
  let conflicted = 0;
  for (let c = 0; c < CASES; c++) {
    const next = random(SEED + c);
    const upgrade = upgrades[Math.floor(next() * upgrades.length)]!;
    const context = `case ${c} (seed ${SEED + c}, ${upgrade.label})`;
    const disk = new Map<string, string>();
    const origin = Object.fromEntries(Object.entries(upgrade.moves).map(([to, from]) => [from, to]));
    for (const [path, text] of Object.entries(upgrade.base)) disk.set(upgrade.moves[path] ?? path, text);
    const owned = new Map<string, string[]>();
    for (let k = 1 + Math.floor(next() * 4); k > 0; k--) {
      const paths = [...disk.keys()];
      const path = paths[Math.floor(next() * paths.length)]!;
      const text = disk.get(path)!;
      const edited =
        path === 'package.json' && next() < 0.5 && parses(text) ? editPackageJson(text, `${c}-${k}`) : edit(text, next, `${c}-${k}`);
      if (edited.text === text) continue;
      if (edited.text === undefined) disk.delete(path);
      else disk.set(path, edited.text);
      owned.set(path, edited.text === undefined ? [] : [...new Set(edited.ownerLines)]);
    }

    const changes = decideFiles({
      base: upgrade.base,
      theirs: upgrade.theirs,
      disk: (path) => disk.get(path),
      moves: upgrade.moves,
      labels: { ours: CONFLICT_LABEL_OURS, theirs: 'create-iexec-module 9.9.9' },
    });
    const after = new Map(changes.map((change) => [change.path, change]));
    for (const change of changes) {
      if (change.action === 'merge') merged++;
      if (change.action === 'conflict') conflicted++;
      if (change.after !== undefined) {
        expect(change.after.includes('<<<<<<< yours\n'), `${context}: ${change.path} ${change.action}`).toBe(change.action === 'conflict');
      }
    }

    for (const [path, ownerLines] of owned) {
      const landed = after.get(origin[path] ?? path)!;
      if (disk.get(path) === undefined) {
        expect(landed.after, `${context}: ${path} was deleted by its owner and came back`).toBeUndefined();
        continue;
      }
      expect(landed.after, `${context}: ${path} (${landed.action}) is gone`).toBeDefined();
      const resultLines = landed.after!.split('\n');
      for (const line of ownerLines) expect(resultLines, `${context}: ${path} (${landed.action}) lost "${line}"`).toContain(line);
    }
    for (const [path, text] of Object.entries(upgrade.theirs)) {
      const original = Object.entries(upgrade.moves).find(([to]) => to === path)?.[1] ?? path;
      if (!owned.has(original)) expect(after.get(path)!.after, `${context}: ${path}, untouched by the owner`).toBe(text);
    }
  }
  // The cases must exercise real merges and real conflicts, not only files one side changed.
  expect(merged).toBeGreaterThan(CASES / 10);
  expect(conflicted).toBeGreaterThan(CASES / 10);
});

/*
 * Lines an owner inserts right before or right after lines the generator changes touch that change
 * but rewrite none of its lines: the merge keeps both, cleanly, the owner's lines where they were
 * written (after the generator's new lines when both inserted at one place).
 */
it(`merges cleanly owner lines inserted next to a generator change, over ${CASES} random cases`, () => {
  const withoutEol = (text: string) => normalizeEol(text).replace(/\n$/, '').split('\n');
  let tried = 0;
  for (let c = 0; c < CASES; c++) {
    const next = random(SEED + CASES + c);
    const upgrade = upgrades[Math.floor(next() * upgrades.length)]!;
    const changed = Object.keys(upgrade.theirs).filter(
      (path) => upgrade.base[path] !== undefined && upgrade.base[path] !== upgrade.theirs[path],
    );
    const path = changed[Math.floor(next() * changed.length)]!;
    const [base, theirs] = [withoutEol(upgrade.base[path]!), withoutEol(upgrade.theirs[path]!)];
    const hunks = diffSequences(base, theirs);
    const hunk = hunks[Math.floor(next() * hunks.length)]!;
    const before = next() < 0.5;
    const owner = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, k) => `OWNER ${c}-${k}`);
    const ours = [...base];
    ours.splice(before ? hunk.start : hunk.end, 0, ...owner);
    const expected = [...theirs];
    expected.splice(before && hunk.end > hunk.start ? hunk.otherStart : hunk.otherEnd, 0, ...owner);
    const [decision] = decideFiles({
      base: { [path]: upgrade.base[path]! },
      theirs: { [path]: upgrade.theirs[path]! },
      disk: () => `${ours.join('\n')}\n`,
      moves: {},
      labels: { ours: CONFLICT_LABEL_OURS, theirs: 'create-iexec-module 9.9.9' },
    });
    const context = `case ${c} (seed ${SEED + CASES + c}, ${upgrade.label}): ${owner.length} line(s) ${before ? 'before' : 'after'} ${path} hunk ${hunk.start}-${hunk.end}`;
    expect(decision!.action, context).toBe('merge');
    expect(decision!.after, context).toBe(`${expected.join('\n')}\n`);
    tried++;
  }
  expect(tried).toBe(CASES);
});
