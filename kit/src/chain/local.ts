/*
 * A throwaway local chain for a dry rehearsal of `app deploy` and `app show`, nothing spent: anvil
 * (Foundry's local EVM, from npm) where chain.json's "local" entry says, the real iExec AppRegistry
 * (compiled, from the @iexec/poco npm package) and a minimal hub (./hub.ts). The addresses are the same
 * on every start (fresh chain, same deployer), so chain.json keeps them. The wallets the CLI would use
 * get 100 ETH of gas money.
 *
 * What it cannot rehearse: `app run` and everything after it (orders, workerpools, RLC, the SMS,
 * workers, results) need the real iExec contracts and services of a public chain.
 */
import { spawn } from 'node:child_process';
import { Failure } from '../iexec/failure.js';
import { defaultWalletAddresses } from '../iexec/wallet.js';
import { localEntry } from './config.js';
import { hubCode } from './hub.js';
import { deploy, rpc, waitForNode } from './rpc.js';
import { ANVIL, POCO, cacheDir, fetchTools } from './tools.js';

const FUNDS = '0x56bc75e2d63100000'; // 100 ETH in wei

/** Runs the chain until Ctrl-C (status 0) or until it fails (status 1, the node stopped). */
export async function runLocalChain(root: string, fund: string[]): Promise<number> {
  const entry = localEntry(root);
  const { anvilBin, bytecode } = fetchTools(cacheDir(root));
  const url = `http://127.0.0.1:${entry.port}`;
  const anvil = spawn(process.execPath, [anvilBin, '--host', '127.0.0.1', '--port', entry.port, '--chain-id', String(Number(entry.id)), '--silent'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => anvil.on('exit', (code) => resolve(code)));
  let stopping = false;
  const stop = () => {
    stopping = true;
    anvil.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const chainId = await waitForNode(url, () => anvil.exitCode);
    if (Number(chainId) !== Number(entry.id)) throw new Failure(`the node at ${url} has chain id ${Number(chainId)}, chain.json says ${entry.id}`);
    const [deployer] = await rpc(url, 'eth_accounts');
    const registry = await deploy(url, deployer, bytecode);
    const hub = await deploy(url, deployer, hubCode(registry));
    if (hub.toLowerCase() !== entry.hub.toLowerCase()) {
      throw new Failure(`the hub landed at ${hub}, chain.json "local" says ${entry.hub}: set "hub" to ${hub} (the address is the same on every start)`);
    }
    const funded = [...new Set([...fund, ...defaultWalletAddresses(root)].map((address) => address.toLowerCase()))];
    for (const address of funded) await rpc(url, 'anvil_setBalance', [address, FUNDS]);

    console.log(`local chain ready: chain.json "local" ${JSON.stringify({ id: entry.id, host: entry.host, hub: entry.hub })}`);
    console.log(`  AppRegistry ${registry} (${POCO}), anvil ${ANVIL.split('@').pop()}`);
    console.log(`  100 ETH for gas given to: ${funded.length > 0 ? funded.join(', ') : 'no wallet found (use --fund ADDRESS)'}`);
    console.log('  try: npx iexec-module iexec standard app deploy --chain local');
    console.log('       npx iexec-module iexec standard app show --chain local');
    console.log('  Ctrl-C stops the chain; it keeps nothing, so deployed.json entries for chain 31337 go stale.');
    const code = await exited;
    if (stopping) return 0;
    console.error(`error: anvil stopped by itself (status ${code})`);
    return 1;
  } catch (error) {
    if (!stopping) {
      console.error(`error: ${(error as Error).message}`);
      // Never leave the node running behind an error.
      stop();
      await exited;
      return 1;
    }
    await exited;
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
