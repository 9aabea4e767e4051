// iexec-module protect-data '<json object>' [--file <key>=<path>]... [--name NAME] [--chain local] [wallet options]:
// a protected data as DataProtector's protectData makes it, on the local network (data-owner/protect.ts).
import { parseArgs } from 'node:util';
import { protectData } from '../data-owner/protect.js';
import { REAL_CHAIN_FLAG, chosenChain, commonParseOptions, reportCommandFailure } from '../data-owner/options.js';
import { Failure } from '../iexec/failure.js';
import type { ProtectedValue } from '../worker/protected-data.js';

const USAGE = `Usage: iexec-module protect-data '<json object>' [--file <key>=<path>]... [--name NAME] [--chain local]
       [--keystoredir DIR | --wallet-file FILE | --wallet-address ADDRESS] [--password PASSWORD]
What DataProtector's protectData does, for a rehearsal on the local network (npm run chain:local): the values
(strings, numbers, booleans, nested objects; raw bytes from each --file, key name or a.b.c) zipped as
DataProtector zips them, encrypted with a new AES-256 key, uploaded to the chain's IPFS, registered as a
dataset your wallet owns, and the key pushed to the SMS. The iexec CLI signs, and asks your wallet's password.
  e.g. iexec-module protect-data '{"name": "Alice"}' --chain local
then share it: iexec-module grant-access <protected data> --app <TEE app> --user <requester>
On a real chain use DataProtector (npm @iexec/dataprotector); ${REAL_CHAIN_FLAG} --ipfs-node URL --ipfs-gateway URL
does it with this module's iexec CLI there.`;

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: {
        file: { type: 'string', multiple: true },
        name: { type: 'string', default: 'protected-data' },
        'ipfs-node': { type: 'string' },
        'ipfs-gateway': { type: 'string' },
        ...commonParseOptions,
      },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [json, ...extra] = positionals;
    if (json === undefined || extra.length > 0)
      throw new Failure(
        `give the values as one JSON object, e.g. '{"name": "Alice"}' (got ${positionals.length} arguments); --help shows the options`,
      );
    let data: unknown;
    try {
      data = JSON.parse(json);
    } catch (error) {
      throw new Failure(`${json} is not JSON (${(error as Error).message}): give the values as one JSON object, e.g. '{"name": "Alice"}'`);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new Failure(`${json} is not a JSON object: give the values as one, e.g. '{"name": "Alice"}'`);
    const files: Record<string, string> = {};
    for (const pair of values.file ?? []) {
      const at = pair.indexOf('=');
      if (at < 1) throw new Failure(`--file takes <key>=<path>, got ${pair}`);
      files[pair.slice(0, at)] = pair.slice(at + 1);
    }
    const chain = chosenChain(root, values.chain, values['without-dataprotector'], 'protect-data');
    const done = await protectData(
      root,
      {
        data: data as Record<string, ProtectedValue>,
        files,
        name: values.name!,
        chain,
        wallet: values,
        ipfsNode: values['ipfs-node'],
        ipfsGateway: values['ipfs-gateway'],
      },
      (line) => console.log(line),
    ).catch((error: Error) => {
      // A bad value or an unreadable --file is the user's to fix, not a bug.
      if (error instanceof Failure || !/protected data|ENOENT|EACCES|EISDIR/.test(error.message)) throw error;
      throw new Failure(error.message);
    });
    console.log(
      `protected data ${done.address}: owned by ${done.owner}, ${done.multiaddr}, checksum ${done.checksum}; its key is in the SMS`,
    );
    console.log(`share it: npm run grant-access -- ${done.address} --app <TEE app address> --user <requester address> --chain ${chain}`);
    return 0;
  } catch (error) {
    return reportCommandFailure(error);
  }
}
