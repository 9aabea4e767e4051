/*
 * The RLC a run locks: the workerpool order's price, plus the app's and the dataset's, from the
 * requester's iExec account (PoCo IexecEscrow lock in matchOrders; the SDK's app run asks the cost with
 * estimateMatchOrders first). app run signs its own app and dataset orders at price 0 when the wallet
 * owns them (iexec cli/cmd/iexec-app.js run), so a module owner pays the workerpool only.
 */
import { fail, pass, skipped, type CheckLine } from './check.js';
import { iexecRun, npmRun, type DoctorContext } from './context.js';
import { formatRlc } from './units.js';

export async function checkStake(ctx: DoctorContext): Promise<CheckLine[]> {
  const id = 'stake';
  const wallet = ctx.wallet?.address;
  if (!wallet) return [skipped(id, 'no wallet')];
  const priced = ctx.apps.filter((app) => ctx.orders.has(app.profile));
  if (priced.length === 0) return [skipped(id, 'no workerpool order to price a run')];
  const costs = priced.map((app) => {
    const deployed = ctx.deployed.get(app.profile);
    const owned = deployed?.app.owner.toLowerCase() === wallet.toLowerCase();
    return { app, price: ctx.orders.get(app.profile)!.price, owned };
  });
  const need = costs.reduce((max, cost) => (cost.price > max ? cost.price : max), 0n);
  const [{ stake }, { nRLC }] = await Promise.all([ctx.reads.account(wallet), ctx.reads.balances(wallet)]);
  const priceList = costs.map((cost) => `${cost.app.label} ${formatRlc(cost.price)}${cost.owned ? '' : ' + its app order'}`).join(', ');
  if (stake >= need) return [pass(id, `your iExec account holds ${formatRlc(stake)}, enough for a run (${priceList})`)];
  const missing = need - stake;
  const deposit = iexecRun(ctx, 'standard', 'account', 'deposit', String(missing));
  const fix =
    nRLC >= missing ? deposit : `get ${formatRlc(missing - nRLC)} more RLC into ${wallet} (it holds ${formatRlc(nRLC)}), then ${deposit}`;
  return [
    fail(
      id,
      `your iExec account holds ${formatRlc(stake)}, a run locks ${formatRlc(need)} (${priceList}): app:run would stop at "Cost per task is greater than requester account stake"`,
      `${fix}; then ${npmRun(ctx, 'doctor')}`,
    ),
  ];
}
