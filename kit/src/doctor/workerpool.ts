/*
 * The workerpool a run goes to: the one app:run adds (the kit's table, platform.ts WORKERPOOLS, or
 * --workerpool) exists on this chain, and publishes on the market, now, an order a run of each app can
 * take. The search is app run's own (iexec 8.24.0 and 9.0.1 cli/cmd/iexec-app.js run,
 * getWorkerpoolorder): the pool's orders whose tag holds every bit of the run's tag, for this app and
 * requester, category 0 first, then the next while the hub has one; the first with volume left wins.
 */
import { tagText } from '../sdk/tags.js';
import { fail, pass, reason, type CheckLine } from './check.js';
import { doctorAgain, iexecRun, npmRun, type AppProfile, type DoctorContext } from './context.js';
import { formatRlc } from './units.js';

export async function checkWorkerpool(ctx: DoctorContext): Promise<CheckLine[]> {
  const id = 'workerpool';
  const chain = ctx.target.name;
  const given = ctx.workerpool;
  const withFlag = `${npmRun(ctx, 'doctor', '--workerpool', '<address>')} (and app:run -- --workerpool <address>)`;
  if (given === undefined) {
    return [
      fail(
        id,
        `the kit knows no public ${ctx.framework.toUpperCase()} workerpool on ${chain}, so app:run has none to add`,
        `name one: ${withFlag}`,
      ),
    ];
  }
  const address = await ctx.reads.resolveAddress(given);
  if (address === undefined)
    return [fail(id, `the workerpool ${given} resolves to no address on ${chain}`, `name a workerpool of ${chain}: ${withFlag}`)];
  const pool = await ctx.reads.workerpool(address);
  if (pool === undefined) {
    const fix = ctx.target.local
      ? 'restart the local network (Ctrl-C in its terminal, then npm run chain:local): it deploys its workerpool at every start'
      : `name a workerpool of ${chain}: ${withFlag}`;
    return [fail(id, `no workerpool is deployed at ${address} on ${chain}`, fix)];
  }
  ctx.workerpoolAddress = address;
  const name = given === address ? address : `${given} (${address})`;
  return [pass(id, `workerpool ${name} "${pool.description}" is on ${chain}`)];
}

/** The categories' work time, read once per doctor run. */
async function categories(ctx: DoctorContext): Promise<number[]> {
  const times: number[] = [];
  for (let category = 0; ; category += 1) {
    const time = await ctx.reads.categoryTime(category);
    if (time === undefined) return times;
    times.push(time);
  }
}

export async function checkOrder(ctx: DoctorContext, app: AppProfile, times: number[]): Promise<CheckLine> {
  const id = `workerpool-order:${app.profile}`;
  const pool = ctx.workerpoolAddress!;
  const deployed = ctx.deployed.get(app.profile);
  const requester = ctx.wallet?.address;
  for (const [category, seconds] of times.entries()) {
    let orders;
    try {
      orders = await ctx.reads.workerpoolOrders({
        workerpool: pool,
        app: deployed?.address,
        dataset: ctx.dataset,
        requester,
        minTag: app.tag,
        category,
      });
    } catch (error) {
      return fail(
        id,
        `cannot ask the market for the ${app.label}'s workerpool orders: ${reason(error)}`,
        `retry once the market answers: ${doctorAgain(ctx)}`,
      );
    }
    const order = orders.find((candidate) => candidate.remaining > 0);
    if (!order) continue;
    ctx.orders.set(app.profile, order);
    return pass(
      id,
      `${app.label}: workerpool order ${order.orderHash.slice(0, 10)}… for tag ${tagText(order.tag)}, category ${category} (${seconds / 60} min per task), ${formatRlc(order.price)}, ${order.remaining} left`,
    );
  }
  const required = app.tagNames.length > 0 ? ` --require-tag ${app.tagNames.join(',')}` : '';
  return fail(
    id,
    `no order of workerpool ${pool} on the market now for a ${app.label} run (tag ${app.tagNames.join(',') || 'none'}, categories 0 to ${times.length - 1}): app:run would stop at "No workerpoolorder matching your conditions currently available"`,
    `see what it publishes: ${iexecRun(ctx, 'standard', 'orderbook', 'workerpool', pool + required)}; then wait for an order, or name another workerpool: ${npmRun(ctx, 'doctor', '--workerpool', '<address>')}`,
  );
}

export async function checkOrders(ctx: DoctorContext): Promise<CheckLine[]> {
  const times = await categories(ctx);
  const lines: CheckLine[] = [];
  for (const app of ctx.apps) lines.push(await checkOrder(ctx, app, times));
  return lines;
}
