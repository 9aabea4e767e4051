import { describe, expect, it } from 'vitest';
import { mergeJson } from '../../src/upgrade/json-merge.js';
import { mergeText } from '../../src/upgrade/merge.js';

const LABELS = { ours: 'yours', theirs: 'create-iexec-module 9.9.9' };

describe('JSON merge by key', () => {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const base = { name: 'm', scripts: { build: 'tsc', test: 'vitest run' }, devDependencies: { iexec: '^8.24.0', typescript: '^5' } };

  it("keeps the owner's dependencies and scripts next to the generator's changes", () => {
    const ours = { ...base, scripts: { ...base.scripts, lint: 'eslint .' }, dependencies: { zod: '^3' } };
    const theirs = {
      ...base,
      scripts: { ...base.scripts, 'docker:build': 'bash tests/build.sh' },
      devDependencies: { iexec: '^9.0.1', typescript: '^5' },
    };
    const merged = mergeJson(json(ours), json(base), json(theirs), LABELS)!;
    expect(merged.conflicts).toBe(0);
    expect(JSON.parse(merged.text)).toEqual({
      name: 'm',
      scripts: { build: 'tsc', test: 'vitest run', lint: 'eslint .', 'docker:build': 'bash tests/build.sh' },
      devDependencies: { iexec: '^9.0.1', typescript: '^5' },
      dependencies: { zod: '^3' },
    });
  });

  it('merges by key where a line merge would collide (both add a key at the end of the same object)', () => {
    const ours = { ...base, scripts: { ...base.scripts, lint: 'eslint .' } };
    const theirs = { ...base, scripts: { ...base.scripts, typecheck: 'tsc --noEmit' } };
    expect(mergeText(json(ours), json(base), json(theirs), LABELS).conflicts).toBeGreaterThan(0);
    const merged = mergeJson(json(ours), json(base), json(theirs), LABELS)!;
    expect(merged.conflicts).toBe(0);
    expect(JSON.parse(merged.text).scripts).toEqual({ build: 'tsc', test: 'vitest run', lint: 'eslint .', typecheck: 'tsc --noEmit' });
  });

  it('puts a key both changed differently between conflict markers, both values kept', () => {
    const ours = { ...base, devDependencies: { ...base.devDependencies, iexec: '^8.25.0' } };
    const theirs = { ...base, devDependencies: { ...base.devDependencies, iexec: '^9.0.1' } };
    const { text, conflicts } = mergeJson(json(ours), json(base), json(theirs), LABELS)!;
    expect(conflicts).toBe(1);
    expect(text).toContain('<<<<<<< yours\n    "iexec": "^8.25.0",\n=======\n    "iexec": "^9.0.1",\n>>>>>>> create-iexec-module 9.9.9\n');
    const oursOnly = text.replace(/=======\n[^]*?>>>>>>> .*\n/, '').replace('<<<<<<< yours\n', '');
    expect(JSON.parse(oursOnly)).toEqual(ours);
  });

  it("keeps the owner's formatting when a line merge means the same", () => {
    const ours = `{\n    "name": "m",\n    "keywords": ["a", "b"],\n    "scripts": {"build": "tsc"}\n}\n`;
    const baseText = `{\n    "name": "m",\n    "keywords": ["a", "b"],\n    "scripts": {"build": "tsc"},\n    "version": "1"\n}\n`;
    const theirs = `{\n    "name": "m",\n    "keywords": ["a", "b"],\n    "scripts": {"build": "tsc"},\n    "version": "2"\n}\n`;
    // The owner deleted "version" and the generator changed it: a conflict, laid out with the owner's 4-space indent.
    expect(mergeJson(ours, baseText, theirs, LABELS)!.text).toContain('=======\n    "version": "2"\n>>>>>>>');
    const same = mergeJson(ours.replace('"m"', '"mine"'), ours, ours.replace('"tsc"', '"tsc -b"'), LABELS)!;
    expect(same.text).toBe(`{\n    "name": "mine",\n    "keywords": ["a", "b"],\n    "scripts": {"build": "tsc -b"}\n}\n`);
  });

  it('leaves a file that is not a JSON object to the text merge', () => {
    expect(mergeJson('{ broken', '{}', '{}', LABELS)).toBeUndefined();
    expect(mergeJson('[1]', '[1]', '[2]', LABELS)).toBeUndefined();
  });
});
