import { expect, it } from 'vitest';
import { mergeMarkdown } from '../../src/upgrade/markdown-merge.js';
import { mergeText } from '../../src/upgrade/merge.js';

const LABELS = { ours: 'yours', theirs: 'create-iexec-module 9.9.9' };
const md = (...l: string[]) => l.map((x) => `${x}\n`).join('');

// The generator adds a section, renumbers the next heading and rewrites the end of section 2: one
// change across the boundary (no blank line between sections), where the owner added a section.
const base = md('# m', '## 1. Install', 'npm install', '## 2. Run', 'npm run local', '## 3. Deploy', 'npm run deploy');
const theirs = md(
  '# m',
  '## 1. Install',
  'npm install',
  '## 2. Run',
  'npm run local -- --args x',
  '## 3. Test',
  'npm test',
  '## 4. Deploy',
  'npm run deploy',
);
const ours = md(
  '# m',
  '## 1. Install',
  'npm install',
  '## 2. Run',
  'npm run local',
  '## Our notes',
  'Ask Alice.',
  '## 3. Deploy',
  'npm run deploy',
);

it('keeps an owner section between sections the generator edited, where a line merge conflicts', () => {
  expect(mergeText(ours, base, theirs, LABELS, 'README.md').conflicts).toBeGreaterThan(0);
  const merged = mergeMarkdown(ours, base, theirs, LABELS, 'README.md');
  expect(merged.conflicts).toBe(0);
  expect(merged.text).toBe(
    md(
      '# m',
      '## 1. Install',
      'npm install',
      '## 2. Run',
      'npm run local -- --args x',
      '## 3. Test',
      'npm test',
      '## Our notes',
      'Ask Alice.',
      '## 4. Deploy',
      'npm run deploy',
    ),
  );
});

it('does not take a comment in a code block for a heading', () => {
  const code = md('## Run', '```sh', '# start it', 'npm start', '```');
  const changed = md('## Run', '```sh', '# start it', 'npm run start', '```');
  const merged = mergeMarkdown(md('## Run', '```sh', '# start it, then wait', 'npm start', '```'), code, changed, LABELS, 'README.md');
  expect(merged).toEqual({ text: md('## Run', '```sh', '# start it, then wait', 'npm run start', '```'), conflicts: 0 });
});

it('keeps a real conflict inside one section as one', () => {
  const merged = mergeMarkdown(
    md('## A', 'mine', '## B', 'b'),
    md('## A', 'a', '## B', 'b'),
    md('## A', 'generated', '## B', 'b'),
    LABELS,
    'README.md',
  );
  expect(merged.conflicts).toBe(1);
  expect(merged.text).toBe(md('## A', '<<<<<<< yours', 'mine', '=======', 'generated', '>>>>>>> create-iexec-module 9.9.9', '## B', 'b'));
});
