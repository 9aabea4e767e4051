/*
 * The protected data a module made with the protected-data feature runs with (--dataset): it exists,
 * the requester may use it with this app (app run signs the dataset order itself when the wallet owns
 * the dataset, else takes one from the market that the owner's grantAccess published: iexec
 * cli/cmd/iexec-app.js run getDatasetorder), and the SMS holds its key, without which a TEE task's
 * session fails (iexec-sms SecretSessionBaseService: PRE_COMPUTE_GET_DATASET_SECRET_FAILED).
 */
import { fail, pass, reason, skipped, warn, type CheckLine } from './check.js';
import { doctorAgain, npmRun, type DoctorContext } from './context.js';
import { formatRlc } from './units.js';

export const PROTECTED_DATA_FEATURE = 'protected-data';

export async function checkDataset(ctx: DoctorContext): Promise<CheckLine[]> {
  if (!ctx.features.includes(PROTECTED_DATA_FEATURE)) return [];
  const id = 'dataset';
  const dataset = ctx.dataset;
  if (!dataset)
    return [
      warn(
        id,
        'not checked: the module reads protected data; name the one you will run with',
        npmRun(ctx, 'doctor', '--dataset', '<protected data address>'),
      ),
    ];
  const found = await ctx.reads.dataset(dataset);
  if (!found)
    return [
      fail(
        id,
        `no dataset is deployed at ${dataset} on ${ctx.target.name}`,
        `check the address of the protected data on ${ctx.target.name}, then ${npmRun(ctx, 'doctor', '--dataset', '<address>')}`,
      ),
    ];
  const wallet = ctx.wallet?.address;
  const lines: CheckLine[] = [];
  for (const app of ctx.apps.filter((candidate) => candidate.tee)) {
    const deployed = ctx.deployed.get(app.profile);
    if (!deployed || !wallet) {
      lines.push(skipped(`${id}:${app.profile}`, deployed ? 'no wallet' : `the ${app.label} is not deployed`));
      continue;
    }
    if (found.owner.toLowerCase() === wallet.toLowerCase()) {
      lines.push(pass(`${id}:${app.profile}`, `the protected data ${dataset} is yours: app:run signs its order for the ${app.label}`));
      continue;
    }
    const orders = await ctx.reads.datasetOrders({
      dataset,
      app: deployed.address,
      requester: wallet,
      workerpool: ctx.workerpoolAddress,
      tag: app.tag,
    });
    const open = orders.find((order) => order.remaining > 0);
    if (open)
      lines.push(
        pass(
          `${id}:${app.profile}`,
          `a dataset order lets you run the ${app.label} on ${dataset} (${formatRlc(open.price)}, ${open.remaining} left)`,
        ),
      );
    else {
      lines.push(
        fail(
          `${id}:${app.profile}`,
          `no dataset order on the market lets you (${wallet}) run the ${app.label} ${deployed.address} on ${dataset}: app:run would stop at "No order available for dataset"`,
          `its owner ${found.owner} grants access with DataProtector's grantAccess({ protectedData: '${dataset}', authorizedApp: '${deployed.address}', authorizedUser: '${wallet}' }), then ${doctorAgain(ctx)}`,
        ),
      );
    }
  }
  try {
    if (await ctx.reads.datasetSecretExists(dataset)) lines.push(pass(`${id}:key`, `the SMS holds the key of ${dataset}`));
    else
      lines.push(
        fail(
          `${id}:key`,
          `the SMS has no key for ${dataset}: TEE tasks on it fail to start (PRE_COMPUTE_GET_DATASET_SECRET_FAILED)`,
          `its owner pushes it: npm run iexec -- tee dataset push-secret ${dataset} --chain ${ctx.target.name}`,
        ),
      );
  } catch (error) {
    lines.push(
      fail(
        `${id}:key`,
        `cannot ask the SMS for the key of ${dataset}: ${reason(error)}`,
        `retry once the SMS answers: ${doctorAgain(ctx)}`,
      ),
    );
  }
  return lines;
}
