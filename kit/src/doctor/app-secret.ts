/*
 * The app developer secret, for a module made with the app-secret feature: the SMS keeps it per app
 * address (iexec-sms AppComputeSecretController), so each deployed app that runs in a TEE needs its own
 * push; a task of an app without one gets no IEXEC_APP_DEVELOPER_SECRET and the module's app fails.
 */
import { fail, pass, reason, skipped, type CheckLine } from './check.js';
import { doctorAgain, iexecRun, type DoctorContext } from './context.js';

export const APP_SECRET_FEATURE = 'app-secret';

export async function checkAppSecrets(ctx: DoctorContext): Promise<CheckLine[]> {
  if (!ctx.features.includes(APP_SECRET_FEATURE)) return [];
  const lines: CheckLine[] = [];
  for (const app of ctx.apps.filter((candidate) => candidate.tee)) {
    const id = `app-secret:${app.profile}`;
    const deployed = ctx.deployed.get(app.profile);
    if (!deployed) {
      lines.push(skipped(id, `the ${app.label} is not deployed on ${ctx.target.name}`));
      continue;
    }
    try {
      if (await ctx.reads.appSecretExists(deployed.address))
        lines.push(pass(id, `the SMS has the app secret of the ${app.label} ${deployed.address}`));
      else
        lines.push(
          fail(
            id,
            `the SMS has no app secret for the ${app.label} ${deployed.address}: its tasks get no IEXEC_APP_DEVELOPER_SECRET`,
            iexecRun(ctx, app.profile, 'app', 'push-secret'),
          ),
        );
    } catch (error) {
      lines.push(
        fail(
          id,
          `cannot ask the SMS for the ${app.label}'s app secret: ${reason(error)}`,
          `retry once the SMS answers: ${doctorAgain(ctx)}`,
        ),
      );
    }
  }
  return lines;
}
