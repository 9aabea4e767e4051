/*
 * The chain: its node answers with the id chain.json says, and chain.json, the pinned SDK's own chain
 * config and the services they lead to agree. A chain.json key overrides the SDK's default for that
 * chain (iexec cli/utils/chains.js loadChain): a hub or SMS that differs from the SDK's is another
 * deployment, where the apps, secrets and workerpools of this one are not.
 */
import type { ServiceUrls } from '../sdk/reads.js';
import { fail, pass, reason, warn, type CheckLine } from './check.js';
import { doctorAgain, type DoctorContext } from './context.js';

const ID = 'chain';

/** Which services a run cannot do without (task debug needs compass, checked with the services). */
const REQUIRED: Array<keyof ServiceUrls> = ['hub', 'sms', 'iexecGateway', 'ipfsGateway'];

/** What a different value means: the hub and the SMS hold what this chain's workers read. */
const DRIFT: Record<keyof ServiceUrls, { level: 'fail' | 'warn'; means: string }> = {
  hub: { level: 'fail', means: 'another PoCo deployment: apps, orders and deals of this chain are not there' },
  sms: { level: 'fail', means: "another SMS: secrets pushed there never reach this chain's workers" },
  iexecGateway: { level: 'warn', means: "another market: app:run takes this chain's workerpool orders from it" },
  ipfsGateway: { level: 'warn', means: 'another IPFS gateway: results are downloaded from it' },
  compass: { level: 'warn', means: "another compass: task debug finds the workerpool's API through it" },
  resultProxy: { level: 'warn', means: 'another result proxy: SDK 8 storage init logs in there' },
};

const same = (key: keyof ServiceUrls, a: string, b: string) =>
  key === 'hub' ? a.toLowerCase() === b.toLowerCase() : a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

export async function checkChain(ctx: DoctorContext): Promise<CheckLine[]> {
  const { target, reads } = ctx;
  const host = typeof target.entry.host === 'string' ? target.entry.host : `the SDK's default node for ${target.name}`;
  let chainId: number;
  try {
    chainId = await reads.chainId();
  } catch (error) {
    const fix = target.local
      ? 'start the local network in another terminal: npm run chain:local'
      : `check chain.json's "host" for ${target.name} (or your connection), then ${doctorAgain(ctx)}`;
    return [fail(ID, `the node of chain ${target.name} (${host}) does not answer: ${reason(error)}`, fix)];
  }
  ctx.chainId = chainId;
  const lines: CheckLine[] = [];
  if (target.entry.id !== undefined && String(target.entry.id) !== String(chainId)) {
    lines.push(
      fail(
        ID,
        `chain.json says "${target.name}" is chain id ${target.entry.id}, but its node (${host}) answers chain id ${chainId}`,
        `set "id" to "${chainId}" in chain.json's "${target.name}" entry, or point "host" at the right node`,
      ),
    );
  }
  const [defaults, services] = await Promise.all([reads.sdkDefaults(), reads.services()]);
  for (const key of Object.keys(DRIFT) as Array<keyof ServiceUrls>) {
    const given = target.entry[key];
    const known = defaults?.[key];
    const used = services[key];
    if (given === undefined || known === undefined || used === undefined || same(key, used, known)) continue;
    const { level, means } = DRIFT[key];
    const message = `chain.json's "${target.name}" sets ${key} ${used}, iexec ${reads.sdkVersion} knows ${known} for chain id ${chainId}: ${means}`;
    const fix = `remove "${key}" from chain.json's "${target.name}" entry (the SDK's own then applies), unless you run your own`;
    lines.push(level === 'fail' ? fail(`${ID}:${key}`, message, fix) : warn(`${ID}:${key}`, message, fix));
  }
  const missing = REQUIRED.filter((key) => services[key] === undefined);
  if (missing.length > 0) {
    lines.push(
      fail(
        ID,
        `iexec ${reads.sdkVersion} has no ${missing.join(', ')} for chain id ${chainId} and chain.json's "${target.name}" sets none`,
        `add ${missing.map((key) => `"${key}"`).join(', ')} to chain.json's "${target.name}" entry`,
      ),
    );
  }
  if (!lines.some((line) => line.level === 'fail')) {
    const knows = defaults
      ? `iexec ${reads.sdkVersion} knows it`
      : `iexec ${reads.sdkVersion} has no defaults for it, chain.json's entry sets its services`;
    lines.unshift(pass(ID, `chain ${target.name}: chain id ${chainId}, ${knows}; hub ${services.hub}`));
  }
  return lines;
}
