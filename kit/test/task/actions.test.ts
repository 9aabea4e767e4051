import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main as local } from '../../src/commands/local.js';
import { main as taskCommand } from '../../src/commands/task.js';
import { claimTask } from '../../src/task/claim.js';
import { explainTask } from '../../src/task/explain.js';
import { printTask, taskJson } from '../../src/task/print.js';
import { replayTask } from '../../src/task/replay.js';
import type { TaskSession } from '../../src/task/session.js';
import { taskView } from '../../src/task/view.js';
import { watchTask } from '../../src/task/watch.js';
import { moduleDir } from '../helpers.js';
import { fakeModule } from '../doctor/fakes.js';
import { NOW, REQUESTER, TASK, taskData, taskReads } from './fakes.js';

/*
 * What task does with a view: print it (and as JSON), follow it to its end, claim it with the SDK's
 * claim once PoCo allows it, and replay it as `npm run local` runs it, with the deal's args, input
 * files, secrets by name and dataset.
 */
const explain = { chain: 'local', local: true, ipfsGateway: 'http://127.0.0.1:8548' };

async function output(run: () => Promise<unknown> | unknown): Promise<{ out: string; err: string; value: unknown }> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' '))),
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' '))),
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true)),
  ];
  try {
    return { value: await run(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

const logs = async () => [{ worker: '0xw', stdout: `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`, stderr: '' }];

describe('task: printed', () => {
  it('shows the deal, the deadlines by the local clock, the replicates with their cause, the last lines of the logs, then what to do', async () => {
    const data = taskData();
    (data.offchain as any).replicates[0].statusHistory.push({
      status: 'CONTRIBUTE_AND_FINALIZE_FAILED',
      date: 'd',
      cause: 'DETERMINISM_HASH_NOT_FOUND',
    });
    const view = await taskView(taskReads(data), TASK, { logs });
    const { out } = await output(() =>
      printTask(view, explainTask(view, explain), { header: 'on chain local (chain id 31337)', local: true, requester: REQUESTER }),
    );
    expect(out).toContain(`task ${TASK} on chain local (chain id 31337)`);
    expect(out).toMatch(/^ {2}tag +tee,tdx, category 0 \(5 min per task\), trust 1$/m);
    expect(out).toMatch(/^ {2}requester +0x0+c1 \(you\)$/m);
    expect(out).toMatch(/^ {2}deadlines +contribution \S+ \(in 10 min\), final \S+ \(in 20 min\) \(the local network's clock\)$/m);
    expect(out).toContain('CREATED → COMPUTING → CONTRIBUTE_AND_FINALIZE_FAILED (DETERMINISM_HASH_NOT_FOUND)');
    expect(out).toContain('(… 10 lines before)');
    expect(out).toContain('      line 29');
    expect(out).not.toContain('line 9\n');
    expect(out).toMatch(/^next:$/m);
    const json = JSON.parse(taskJson(view, explainTask(view, explain), 'local'));
    expect(json).toMatchObject({
      chain: 'local',
      taskid: TASK,
      statusName: 'ACTIVE',
      deal: { app: { price: '0' } },
      explanation: { state: 'stuck' },
    });
  });
});

function session(data: ReturnType<typeof taskData>, root = fakeModule().root): TaskSession {
  const reads = taskReads(data);
  return {
    root,
    target: { name: 'local', entry: {}, local: true },
    reads,
    signed: async () => reads,
    logs: async () => [],
    close: () => {},
  };
}

describe('task: --watch and --claim', () => {
  it('follows the task, printing each change once, until it completes', async () => {
    const data = taskData();
    const s = session(data);
    let calls = 0;
    const offchain = s.reads.offchain;
    s.reads.offchain = async (taskid) => {
      calls += 1;
      if (calls === 3) Object.assign(data.task!, { status: 3, results: { storage: 'ipfs', location: '/ipfs/Qm' } });
      return offchain(taskid);
    };
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    const shown: string[] = [];
    const done = watchTask(s, TASK, { explain, show: (view) => void shown.push(view.statusName) });
    await vi.runAllTimersAsync();
    vi.useRealTimers();
    expect((await done).state).toBe('completed');
    expect(shown).toEqual(['ACTIVE', 'COMPLETED']);
  });

  it('refuses a claim before the final deadline, saying when and how to move the local clock; claims with the SDK after', async () => {
    const data = taskData();
    const early = await output(async () => claimTask(session(data), await taskView(taskReads(data), TASK, { logs }), explain));
    expect(early.value).toBe(1);
    expect(early.err).toMatch(
      /cannot be claimed before its final deadline \(\S+ \(in 20 min\)\): it is ACTIVE; on the local network: npm run chain:local -- advance --past-final-deadline 0x7a/,
    );
    expect(data.claimed).toEqual([]);
    data.task!.finalDeadline = NOW - 1;
    const claimed = await output(async () => claimTask(session(data), await taskView(taskReads(data), TASK, { logs }), explain));
    expect(claimed.value).toBe(0);
    expect(data.claimed).toEqual([TASK]);
    expect(claimed.out).toContain(`claimed task ${TASK} (transaction 0x${'f0'.repeat(32)})`);
    data.task!.status = 4;
    expect((await output(async () => claimTask(session(data), await taskView(taskReads(data), TASK, { logs }), explain))).err).toBe(
      `error: nothing to claim: task ${TASK} is FAILED`,
    );
  });
});

describe('task: --replay', () => {
  let server: http.Server | undefined;
  afterEach(() => server?.close());

  /** A module with the stand-in app as dist/app.cjs, a URL for the deal's input file, and a subgraph on loopback. */
  async function replayable() {
    const module = fakeModule();
    const { bundle } = moduleDir();
    fs.mkdirSync(path.join(module.root, 'dist'));
    fs.copyFileSync(bundle, path.join(module.root, 'dist', 'app.cjs'));
    server = http.createServer((req, res) => {
      if (req.method === 'POST')
        return void res.end(
          JSON.stringify({
            data: {
              protectedData: {
                schema: [
                  { path: 'name', type: 'string' },
                  { path: 'nested.age', type: 'f64' },
                  { path: 'big', type: 'i128' },
                ],
              },
            },
          }),
        );
      res.end('names in a file');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { module, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it("runs the deal's args, input file and secrets (values from the env) as npm run local does, with the same verdict", async () => {
    const { module, base } = await replayable();
    const data = taskData();
    data.appSecret = true;
    data.deal.params = JSON.stringify({
      iexec_args: 'Alice "Ada Lovelace"',
      iexec_input_files: [`${base}/names.txt`],
      iexec_secrets: { 1: 'my-key' },
    });
    const view = await taskView(taskReads(data), TASK, { logs });
    const env = { IEXEC_REQUESTER_SECRET_1: 'requester-value', IEXEC_APP_DEVELOPER_SECRET: 'app-value' };
    const replay = await output(() => replayTask(taskReads(data), view, { root: module.root, local: false, env }));
    expect(replay.value).toBe(0);
    expect(replay.out).toContain('secret       requester secret 1 (my-key) from $IEXEC_REQUESTER_SECRET_1');
    expect(replay.out).toContain('secret       the app secret from $IEXEC_APP_DEVELOPER_SECRET');
    expect(replay.out).toContain(
      `the same as  npm run local -- --args='Alice "Ada Lovelace"' --input-file '${base}/names.txt' --requester-secret 1="$IEXEC_REQUESTER_SECRET_1" --app-secret "$IEXEC_APP_DEVELOPER_SECRET"`,
    );
    expect(replay.out).toContain('Args: ["Alice","Ada Lovelace"]');
    expect(replay.out).toContain('IEXEC_REQUESTER_SECRET_1=<hidden>');
    expect(replay.out).toContain(`IEXEC_TASK_ID=${TASK}`);
    const same = await output(() =>
      local([
        '--bundle',
        path.join(module.root, 'dist', 'app.cjs'),
        '--args',
        'Alice "Ada Lovelace"',
        '--input-file',
        `${base}/names.txt`,
        '--requester-secret',
        '1=requester-value',
        '--app-secret',
        'app-value',
      ]),
    );
    // The stand-in app writes its environment, whose folders differ in length: the result's size too.
    const verdict = (text: string) =>
      text
        .split('\n')
        .filter((line) => /^(✔|!|✖|FAIL|PASS)/.test(line))
        .map((line) => line.replace(/\/tmp\/\S+/g, '<dir>').replace(/\d+ bytes/, 'N bytes'));
    expect(verdict(replay.out)).toEqual(verdict(same.out));
    expect(verdict(replay.out).at(-1)).toMatch(/^PASS/);
  });

  it('leaves out a secret no variable gives (no terminal to ask), and gives a standard deal none', async () => {
    const { module } = await replayable();
    const data = taskData();
    const view = await taskView(taskReads(data), TASK, { logs });
    const replay = await output(() => replayTask(taskReads(data), view, { root: module.root, local: false, env: {} }));
    expect(replay.out).toContain(
      'requester secret 1 (my-key): left out, as the SMS leaves out a secret it lacks (set IEXEC_REQUESTER_SECRET_1 to give it)',
    );
    expect(replay.out).toContain('no app secret: the SMS holds none for this app');
    data.deal.tag = `0x${'0'.repeat(64)}`;
    const standard = await output(async () =>
      replayTask(taskReads(data), await taskView(taskReads(data), TASK, { logs }), { root: module.root, local: false, env: {} }),
    );
    expect(standard.out).toContain('no secrets: the deal is not TEE, and only TEE tasks get them');
  });

  it("off the local network, gives the app a mock of the dataset's schema, said so", async () => {
    const { module, base } = await replayable();
    const data = taskData();
    data.deal.dataset = { pointer: '0x00000000000000000000000000000000000000d1', owner: REQUESTER, price: 0n };
    const view = await taskView(taskReads(data), TASK, { logs });
    const replay = await output(() =>
      replayTask(taskReads(data), view, { root: module.root, local: false, env: {}, subgraphs: { 421614: base } }),
    );
    expect(replay.out).toContain(
      "a MOCK of 0x00000000000000000000000000000000000000d1's schema (name: string, nested.age: f64, big: i128) with placeholder values: the real data stays encrypted in iExec's SMS; left out (the mock writes no big (i128))",
    );
    expect(replay.out).toContain('IEXEC_DATASET_FILENAME=0x00000000000000000000000000000000000000d1');
  });

  it('has nothing to replay before PoCo initialized the task', async () => {
    const data = taskData();
    delete data.task;
    const view = await taskView(taskReads(data), TASK, { logs });
    expect((await output(() => replayTask(taskReads(data), view, { root: fakeModule().root, local: true }))).err).toContain(
      'has no deal on chain yet',
    );
  });
});

describe('iexec-module task', () => {
  it('refuses what it cannot do, with its usage (2)', async () => {
    const { root } = fakeModule();
    const run = (argv: string[]) => output(() => taskCommand(argv, root));
    expect(await run([])).toMatchObject({ value: 2, err: expect.stringContaining('give one task id (0x and 64 hex digits)') });
    expect(await run(['0x12'])).toMatchObject({ value: 2, err: expect.stringContaining('got 0x12') });
    expect(await run([TASK, '--watch', '--claim'])).toMatchObject({
      value: 2,
      err: expect.stringContaining('give one of --watch, --claim and --replay'),
    });
    expect(await run([TASK, '--protected-data', 'x.zip'])).toMatchObject({
      value: 2,
      err: expect.stringContaining('--protected-data goes with --replay'),
    });
    expect(await run([TASK, '--deal', 'nope'])).toMatchObject({ value: 2 });
    expect(await run([TASK])).toMatchObject({ value: 1, err: `error: the iexec SDK is not installed in ${root}: run 'npm install' first` });
  });
});
