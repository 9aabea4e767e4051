/* `iexec-module chain`: the local network until Ctrl-C (status 0) or until anvil stops (status 1). */
import { CANNOT_PROVE, readyBanner } from './banner.js';
import { localEntry } from './config.js';
import { startNetwork, type Network } from './network.js';

export async function runLocalChain(root: string, fund: string[]): Promise<number> {
  const started = performance.now();
  let stopping = false;
  let interrupted: () => void = () => {};
  const onSignal = () => {
    stopping = true;
    interrupted();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  try {
    // A chain.json the network cannot serve is refused before anything is printed or started.
    localEntry(root);
    console.log(CANNOT_PROVE);
    // Ctrl-C during the start: the start ends what it began before returning.
    const network: Network = await startNetwork(root, { fund });
    if (stopping) {
      await network.stop();
      return 0;
    }
    console.log(readyBanner(root, network, ((performance.now() - started) / 1000).toFixed(1)));
    const stopped = new Promise<void>((resolve) => (interrupted = resolve));
    const code = await Promise.race([network.exited, stopped.then(() => 'stopped' as const)]);
    await network.stop();
    if (code === 'stopped') return 0;
    console.error(`error: anvil stopped by itself (status ${code})`);
    return 1;
  } catch (error) {
    if (stopping) return 0;
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
