// iexec-module chain [--fund 0xADDRESS ...]: the local iExec network (iExec in a box); Ctrl-C ends it.
// iexec-module chain advance <seconds> | advance --past-final-deadline <taskid>: moves its clock.
import fs from 'node:fs';
import path from 'node:path';
import { advanceClock } from '../chain/advance.js';
import type { FundedWallet } from '../chain/banner.js';
import { runLocalChain } from '../chain/run.js';
import { Failure, reportFailure } from '../iexec/failure.js';
import { readWalletAddress, walletAddress } from '../iexec/wallet.js';

const USAGE = [
  'usage: iexec-module chain [--fund 0xADDRESS|KEYSTORE_FOLDER|WALLET_FILE ...]',
  '       iexec-module chain advance <seconds>',
  '       iexec-module chain advance --past-final-deadline <taskid>',
  '',
  'Starts a local iExec network where chain.json\'s "local" entry says: anvil with the whole PoCo, a',
  'workerpool with its scheduler and worker, and the services the iexec CLI talks to (market, SMS, result',
  'storage, compass, workerpool API, and the result proxy for iexec 8). Gives 100 ETH of gas to',
  './wallet.json, the wallets of the default keystore and each --fund wallet (an address, or a keystore folder',
  'or wallet file, named so in the banner: one per role to rehearse). Then, in another terminal:',
  '  npm run deploy -- --chain local',
  '  npm run app:run -- --chain local --args "Alice Bob"       (prints the task id)',
  '  npm run result -- <taskid> --chain local',
  '  npm run iexec -- standard task debug <taskid> --logs --chain local',
  'Tasks run the deployed image when docker or podman can pull it; an app deployed before its image was',
  'published runs the bundle of the module that deployed it. A task that fails stays as iExec leaves it:',
  'ACTIVE until its final deadline, then claimed back by its requester. `advance` moves the running',
  "network's clock (from another terminal), and says which active tasks that moves past a deadline:",
  '  npm run chain:local -- advance --past-final-deadline <taskid>',
  '  npm run iexec -- standard task claim <taskid> --chain local',
  'Ctrl-C stops the network; nothing is kept.',
].join('\n');

/**
 * --fund takes an address, or a wallet the iexec CLI would use: a keystore folder (its newest wallet, as
 * --keystoredir picks it) or a wallet file; the banner then names the wallet after it.
 */
export function parseFund(root: string, argv: string[]): FundedWallet[] {
  const fund: FundedWallet[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] !== '--fund')
      throw new Failure(`unexpected argument ${argv[i]}: usage: iexec-module chain [--fund 0xADDRESS|KEYSTORE_FOLDER|WALLET_FILE ...]`);
    const given = argv[(i += 1)] ?? '';
    if (/^0x/i.test(given)) {
      if (!/^0x[0-9a-fA-F]{40}$/.test(given)) throw new Failure(`--fund needs an address (0x and 40 hex digits), got '${given}'`);
      fund.push({ address: given });
      continue;
    }
    const where = path.resolve(root, given);
    const address = fs.existsSync(where)
      ? fs.statSync(where).isDirectory()
        ? walletAddress(where, { keystoredir: where })
        : readWalletAddress(where)
      : undefined;
    if (!address)
      throw new Failure(
        `--fund needs an address (0x and 40 hex digits), a keystore folder or a wallet file; '${given}' is none (make a wallet there first: npm run iexec -- tee wallet create --keystoredir ${given})`,
      );
    fund.push({ address, label: path.basename(where) });
  }
  return fund;
}

function parseAdvance(argv: string[]): { seconds: number } | { pastFinalDeadline: string } {
  const [first, second, ...rest] = argv;
  if (rest.length > 0)
    throw new Failure(`unexpected argument ${rest[0]}: usage: iexec-module chain advance <seconds> | --past-final-deadline <taskid>`);
  if (first === '--past-final-deadline') {
    if (!/^0x[0-9a-fA-F]{64}$/.test(second ?? ''))
      throw new Failure(`--past-final-deadline needs a task id (0x and 64 hex digits), got '${second ?? ''}'`);
    return { pastFinalDeadline: second! };
  }
  if (second !== undefined || !/^[1-9]\d{0,9}$/.test(first ?? '')) {
    throw new Failure(`advance takes a number of seconds (a positive integer), or --past-final-deadline <taskid>; got '${argv.join(' ')}'`);
  }
  return { seconds: Number(first) };
}

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  try {
    if (argv[0] === 'advance') return await advanceClock(root, parseAdvance(argv.slice(1)));
    return await runLocalChain(root, parseFund(root, argv));
  } catch (error) {
    return reportFailure(error);
  }
}
