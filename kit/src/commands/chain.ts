// iexec-module chain [--fund 0xADDRESS ...]: the local iExec network (iExec in a box); Ctrl-C ends it.
import { runLocalChain } from '../chain/local.js';
import { Failure, reportFailure } from '../iexec/failure.js';

const USAGE = [
  'usage: iexec-module chain [--fund 0xADDRESS ...]',
  '',
  'Starts a local iExec network where chain.json\'s "local" entry says: anvil with the whole PoCo, a',
  'workerpool with its scheduler and worker, and the services the iexec CLI talks to (market, SMS, result',
  'storage, compass, workerpool API, and the result proxy for iexec 8). Gives 100 ETH of gas to',
  './wallet.json, the wallets of the default keystore and each --fund ADDRESS. Then, in another terminal:',
  '  npm run deploy -- --chain local',
  '  npm run app:run -- --chain local --args "Alice Bob"       (prints the task id)',
  '  npm run result -- <taskid> --chain local',
  '  npm run iexec -- standard task debug <taskid> --logs --chain local',
  'Tasks run the deployed image when docker or podman can pull it, else the built dist/app.cjs.',
  'Ctrl-C stops the network; nothing is kept.',
].join('\n');

function parseFund(argv: string[]): string[] {
  const fund: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] !== '--fund') throw new Failure(`unexpected argument ${argv[i]}: usage: iexec-module chain [--fund 0xADDRESS ...]`);
    const address = argv[(i += 1)] ?? '';
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new Failure(`--fund needs an address (0x and 40 hex digits), got '${address}'`);
    fund.push(address);
  }
  return fund;
}

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    return await runLocalChain(root, parseFund(argv));
  } catch (error) {
    return reportFailure(error);
  }
}
