// iexec-module chain [--fund 0xADDRESS ...]: a local chain to rehearse `app deploy`; Ctrl-C ends it.
import { runLocalChain } from '../chain/local.js';
import { Failure, reportFailure } from '../iexec/failure.js';

const USAGE = [
  'usage: iexec-module chain [--fund 0xADDRESS ...]',
  '',
  'Starts anvil where chain.json\'s "local" entry says, with the iExec AppRegistry and a minimal hub at the',
  'addresses that entry names, and gives 100 ETH of gas to ./wallet.json, the wallets of the default',
  'keystore and each --fund ADDRESS. Then, in another terminal:',
  '  npx iexec-module iexec standard app deploy --chain local',
  '  npx iexec-module iexec standard app show --chain local',
  'Ctrl-C stops the chain; nothing is kept.',
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
