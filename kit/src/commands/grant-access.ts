// iexec-module grant-access <protected data> --app <address> --user <address|any> [--price N] [--volume N] [--bulk]:
// the dataset order DataProtector's grantAccess publishes, on the local network (data-owner/grant.ts).
import { parseArgs } from 'node:util';
import { grantAccess } from '../data-owner/grant.js';
import { REAL_CHAIN_FLAG, chosenChain, commonParseOptions, reportCommandFailure } from '../data-owner/options.js';
import { Failure } from '../iexec/failure.js';

const USAGE = `Usage: iexec-module grant-access <protected data> --app <address> --user <address|any>
       [--price NRLC] [--volume N] [--bulk] [--chain local] [--keystoredir DIR | --wallet-file FILE | --wallet-address ADDRESS] [--password PASSWORD]
What DataProtector's grantAccess does, for a rehearsal on the local network: a dataset order of your protected
data for one app and one requester (any: every requester), --volume runs (default 1) at --price nRLC each
(default 0), tagged tee, signed and published on the chain's market with the iexec CLI (it asks your wallet's
password twice: to sign, and to log in to the market). --bulk: free and unlimited, for bulk processing.
On a real chain use DataProtector (npm @iexec/dataprotector); ${REAL_CHAIN_FLAG} does it with this module's iexec CLI there.`;

function count(value: string | undefined, option: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value)))
    throw new Failure(`${option} takes a whole number from ${min}, got '${value}'`);
  return Number(value);
}

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: {
        app: { type: 'string' },
        user: { type: 'string' },
        price: { type: 'string' },
        volume: { type: 'string' },
        bulk: { type: 'boolean', default: false },
        ...commonParseOptions,
      },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [dataset, ...extra] = positionals;
    if (dataset === undefined || extra.length > 0)
      throw new Failure('give the protected data address, once: grant-access <protected data> --app <address> --user <address|any>');
    if (values.app === undefined) throw new Failure('--app is required: the address of the (TEE) app that may read the protected data');
    if (values.user === undefined) throw new Failure('--user is required: the requester who may run the app on it, or any');
    const chain = chosenChain(root, values.chain, values['without-dataprotector'], 'grant-access');
    const order = await grantAccess(root, {
      dataset,
      app: values.app,
      user: values.user,
      price: count(values.price, '--price', 0, 0),
      volume: count(values.volume, '--volume', 1, 1),
      bulk: values.bulk!,
      chain,
      wallet: values,
    });
    console.log(
      `granted: app ${order.apprestrict} may process ${order.dataset} for ${values.user === 'any' ? 'any requester' : order.requesterrestrict}, ${order.volume} run(s) at ${order.datasetprice} nRLC each`,
    );
    console.log(`the requester runs: npm run app:run:tee -- --dataset ${order.dataset} --chain ${chain}`);
    return 0;
  } catch (error) {
    return reportCommandFailure(error);
  }
}
