/*
 * The services a run talks to answer, each asked the way the SDK asks it: the SMS (app run's preflight
 * checks secrets there, iexec common/sms/check.js), the market (the workerpool orders app run takes),
 * the IPFS gateway (task show --download GETs <gateway>/ipfs/<cid>, common/execution/result.js), and
 * the workerpool's API found through compass on SDK 9 or ENS on SDK 8 (task debug,
 * common/execution/debug.js getWorkerpoolApiUrl).
 */
import { ZeroAddress, ZeroHash } from 'ethers';
import { fail, pass, reason, skipped, type CheckLine } from './check.js';
import { doctorAgain, type DoctorContext } from './context.js';

/** The empty folder's CID: any IPFS gateway knows it; the local result storage answers 404, which is an answer. */
const EMPTY_FOLDER_CID = 'QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn';
const TIMEOUT_MS = 10_000;

/** Any HTTP answer below 500: the service is there. */
async function answers(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((error: Error) => {
    throw new Error(
      error.name === 'TimeoutError'
        ? `no answer within ${TIMEOUT_MS / 1000} s`
        : String((error as { cause?: Error }).cause?.message ?? error.message),
    );
  });
  await response.body?.cancel();
  if (response.status >= 500) throw new Error(`HTTP ${response.status}`);
}

function down(ctx: DoctorContext, id: string, what: string, url: string | undefined, error: unknown, needed: string): CheckLine {
  const fix = ctx.target.local
    ? `the local network serves it: is npm run chain:local running? Restart it (Ctrl-C in its terminal, then npm run chain:local), then ${doctorAgain(ctx)}`
    : `it is iExec's: retry later (${doctorAgain(ctx)}), and check iExec's status channels if it stays down`;
  return fail(id, `${what} ${url ?? ''} does not answer (${reason(error)}): ${needed}`, fix);
}

export async function checkServices(ctx: DoctorContext): Promise<CheckLine[]> {
  const services = await ctx.reads.services();
  const lines: CheckLine[] = [];
  try {
    await ctx.reads.requesterSecretExists(ctx.wallet?.address ?? ZeroAddress, 'iexec-module-doctor');
    lines.push(pass('sms', `SMS ${services.sms} answers`));
  } catch (error) {
    lines.push(down(ctx, 'sms', 'the SMS', services.sms, error, "app:run's preflight check stops there, and TEE tasks get no secrets"));
  }
  try {
    await ctx.reads.workerpoolOrders({ workerpool: ctx.workerpoolAddress, minTag: ZeroHash, category: 0 });
    lines.push(pass('market', `market ${services.iexecGateway} answers`));
  } catch (error) {
    lines.push(down(ctx, 'market', 'the market', services.iexecGateway, error, 'app:run takes the workerpool orders from it'));
  }
  try {
    await answers(`${String(services.ipfsGateway).replace(/\/+$/, '')}/ipfs/${EMPTY_FOLDER_CID}`);
    lines.push(pass('ipfs-gateway', `IPFS gateway ${services.ipfsGateway} answers`));
  } catch (error) {
    lines.push(
      down(ctx, 'ipfs-gateway', 'the IPFS gateway', services.ipfsGateway, error, 'results are downloaded from it (npm run result)'),
    );
  }
  lines.push(await checkWorkerpoolApi(ctx, services.compass));
  return lines;
}

async function checkWorkerpoolApi(ctx: DoctorContext, compass: string | undefined): Promise<CheckLine> {
  const id = 'workerpool-api';
  const pool = ctx.workerpoolAddress;
  if (pool === undefined) return skipped(id, 'no workerpool to find the API of');
  const via = compass ? `compass ${compass}` : 'its ENS text record';
  let api: string | undefined;
  try {
    api = await ctx.reads.workerpoolApiUrl(pool);
  } catch (error) {
    return down(ctx, 'compass', 'compass', compass, error, "task debug and npm run task find the workerpool's API through it");
  }
  if (!api) {
    return fail(
      id,
      `${via} gives no API for workerpool ${pool}: task debug and npm run task cannot show its replicates or logs`,
      ctx.target.local
        ? `restart the local network (Ctrl-C, then npm run chain:local), then ${doctorAgain(ctx)}`
        : `ask the workerpool's operator, or name another workerpool: npm run doctor -- --workerpool <address> --chain ${ctx.target.name}`,
    );
  }
  try {
    await answers(`${api.replace(/\/+$/, '')}/tasks/${ZeroHash}`);
  } catch (error) {
    return down(ctx, id, `the workerpool's API (from ${via})`, api, error, 'task debug and npm run task read replicates and logs there');
  }
  return pass(id, `${via} gives workerpool ${pool}'s API ${api}, which answers`);
}
