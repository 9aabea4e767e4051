// Regenerates every module in examples/ with the current generator, from the answers its manifest
// recorded: `npm run examples` after changing a template (test/examples.test.ts fails until then).
// With `--into DIR` it writes the fresh copies under DIR instead, leaving examples/ alone.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const root = new URL('..', import.meta.url).pathname;
const examples = join(root, 'examples');
const { values } = parseArgs({ options: { into: { type: 'string' } } });
const scratch = mkdtempSync(join(tmpdir(), 'cim-answers-'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

try {
  for (const example of readdirSync(examples)) {
    const { answers } = JSON.parse(readFileSync(join(examples, example, '.create-iexec-module.json'), 'utf8'));
    const answersFile = join(scratch, `${example}.json`);
    writeFileSync(answersFile, JSON.stringify(answers));
    const target = join(values.into ?? examples, example);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(target, { recursive: true });
    // --kit: examples show what a module made by the published generator holds, not this checkout's path.
    execFileSync('node', [join(root, 'dist/cli.js'), target, '--answers', answersFile, '--no-install', '--no-git', '--kit', version], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    console.log(`regenerated ${example} into ${target}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
