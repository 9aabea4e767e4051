import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { portFree, reclaimPort } from '../../src/chain/anvil.js';

/*
 * A port held when the network starts (issue 16): the anvil a killed network left is stopped and said
 * so; a running network of this module, or another program, is named with what to do.
 */
let cache: string;
const children: ChildProcess[] = [];

beforeEach(() => {
  cache = fs.mkdtempSync(path.join(os.tmpdir(), 'kit-anvil-'));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  fs.rmSync(cache, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** A process holding `port`; `anvil` puts the word in its command line, as the guard's has it. */
async function holder(port: number, anvil = true): Promise<ChildProcess> {
  const script = `require('node:net').createServer().listen(${port}, '127.0.0.1'); process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script, ...(anvil ? ['anvil-launcher'] : [])], { stdio: 'ignore' });
  children.push(child);
  for (let i = 0; i < 50 && (await portFree(port)); i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  return child;
}

/** A pid that is surely not running: a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

describe('reclaimPort', () => {
  it('stops the anvil a killed network left on the port, and says so', async () => {
    const port = await freePort();
    const left = await holder(port);
    fs.writeFileSync(
      path.join(cache, 'anvil.pid'),
      JSON.stringify({ guard: left.pid, network: await deadPid(), port, started: '2026-12-06T10:00:00.000Z' }),
    );
    const said = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await reclaimPort(cache, port, 'chain.json "local" host');
      expect(said.mock.calls.flat().join('\n')).toContain(
        `stopped the anvil (process ${left.pid}) that a local network killed on 2026-12-06T10:00:00.000Z left on port ${port}`,
      );
    } finally {
      said.mockRestore();
    }
    expect(await portFree(port)).toBe(true);
  });

  it("names this module's network still running, with how to stop it, and stops nothing", async () => {
    const port = await freePort();
    const running = await holder(port);
    fs.writeFileSync(path.join(cache, 'anvil.pid'), JSON.stringify({ guard: running.pid, network: process.pid, port, started: 'then' }));
    await expect(reclaimPort(cache, port, 'host')).rejects.toThrow(
      `taken by the local network of this module already running (process ${process.pid}, started then): use that one, or stop it`,
    );
    expect(await portFree(port)).toBe(false);
  });

  it('refuses a port another program holds, without touching it, even behind a stale pid file', async () => {
    const port = await freePort();
    const other = await holder(port, false);
    fs.writeFileSync(path.join(cache, 'anvil.pid'), JSON.stringify({ guard: other.pid, network: await deadPid(), port, started: 'then' }));
    await expect(reclaimPort(cache, port, 'chain.json "local" host')).rejects.toThrow(
      `port ${port} (chain.json "local" host) is taken by another program: stop it, or change the port in chain.json's "local" entry`,
    );
    expect(await portFree(port)).toBe(false);
  });
});
