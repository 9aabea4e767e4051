/*
 * Each app is deployed on this chain where deployed.json says (app run reads the address there, iexec
 * cli/cmd/iexec-app.js run), and is the kind of app its run's tag asks for: a tee,scone task runs the
 * enclave the app's mrenclave names (iexec-sms and iexec-worker read it from the app on chain), so a
 * SCONE TEE app deployed without it, or with another fingerprint, cannot run as iexec.tee.json says.
 */
import { fail, pass, warn, type CheckLine } from './check.js';
import { deployedAddress, npmRun, type AppProfile, type DoctorContext } from './context.js';

function parseMrenclave(text: string): { framework?: string; fingerprint?: string } | undefined {
  try {
    const parsed = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * No address in deployed.json: not deployed, or deployed and not recorded (a lost or reset file), which
 * app deploy refuses to deploy again at the same CREATE2 address (iexec common/protocol/registries.js
 * deployObj: "App already deployed at address").
 */
async function notRecorded(ctx: DoctorContext, app: AppProfile, deploy: string): Promise<CheckLine> {
  const id = `app:${app.profile}`;
  const predicted = await ctx.reads.predictAppAddress(app.fields).catch(() => undefined);
  if (predicted && (await ctx.reads.app(predicted))) {
    return fail(
      id,
      `${app.deployedFile} has no address for chain id ${ctx.chainId}, but the app ${app.file} describes is deployed at ${predicted}, where app deploy will not deploy it again`,
      `record it: add "${ctx.chainId}": "${predicted}" under "app" in ${app.deployedFile}`,
    );
  }
  return fail(
    id,
    `the ${app.label} is not deployed on ${ctx.target.name}: ${app.deployedFile} has no address for chain id ${ctx.chainId}`,
    deploy,
  );
}

export async function checkApp(ctx: DoctorContext, app: AppProfile): Promise<CheckLine[]> {
  const id = `app:${app.profile}`;
  const chain = ctx.target.name;
  const deploy = npmRun(ctx, app.deployScript);
  const address = deployedAddress(ctx.root, app, ctx.chainId!);
  if (!address) return [await notRecorded(ctx, app, deploy)];
  const onChain = await ctx.reads.app(address);
  if (!onChain) {
    const why = ctx.target.local ? ' (the local network keeps nothing from one start to the next)' : '';
    return [fail(id, `${app.deployedFile} names ${address} for chain id ${ctx.chainId}, but there is no app there${why}`, deploy)];
  }
  ctx.deployed.set(app.profile, { address, app: onChain });
  const lines: CheckLine[] = [];
  const tags = app.tagNames.join(',') || 'none';
  if (app.mrenclave?.framework?.toLowerCase() === 'scone') {
    const deployed = parseMrenclave(onChain.mrenclave);
    if (deployed?.framework?.toLowerCase() !== 'scone') {
      lines.push(
        fail(id, `the ${app.label} ${address} has no SCONE mrenclave on chain: a ${tags} task starts the enclave it names`, deploy),
      );
    } else if (String(deployed.fingerprint ?? '').toLowerCase() !== String(app.mrenclave.fingerprint ?? '').toLowerCase()) {
      lines.push(
        fail(
          id,
          `the ${app.label} ${address} was deployed with the enclave fingerprint ${deployed.fingerprint}, ${app.file} has ${app.mrenclave.fingerprint}: deploy what sconify.sh recorded`,
          deploy,
        ),
      );
    }
  }
  const wallet = ctx.wallet?.address;
  if (wallet && onChain.owner.toLowerCase() !== wallet.toLowerCase()) {
    lines.push(
      warn(
        `${id}:owner`,
        `the ${app.label} belongs to ${onChain.owner}, not your wallet ${wallet}: app:run then needs an app order its owner published on the market`,
      ),
    );
  }
  if (!lines.some((line) => line.level === 'fail'))
    lines.unshift(pass(id, `${app.label} ${address} is deployed on ${chain}; its runs carry the tag ${tags}`));
  return lines;
}
