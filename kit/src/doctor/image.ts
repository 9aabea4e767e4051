/*
 * Each app's image, as a worker will pull it: pushed (anonymously readable), built for linux/amd64 (the
 * workers' platform: anything else is `exec format error`), its registry digest the checksum the app
 * file records and the deployed app carries (workers pull by tag and never compare: iexec-worker
 * ComputeManagerService, so a tag pushed again runs silently), and small next to the TEE's memory.
 */
import { localEntry } from '../chain/config.js';
import { localAppBundle } from '../chain/local-apps.js';
import { TEE_MEMORY } from '../platform.js';
import { imageFacts, RegistryError, type ImageFacts } from '../registry.js';
import { fail, pass, reason, warn, type CheckLine } from './check.js';
import { npmRun, type AppProfile, type DoctorContext } from './context.js';

const PLACEHOLDER = /^0x0{64}$/;
const MIB = 1024 * 1024;
const size = (bytes: number) => (bytes >= 1024 * MIB ? `${(bytes / (1024 * MIB)).toFixed(1)} GiB` : `${(bytes / MIB).toFixed(0)} MiB`);

/** The version after the image's tag (1.0.0 → 1.0.1; a sconified 1.0.0-sconify-… → 1.0.1), 1.0.0 when the tag is none. */
export function nextVersion(image: string): string {
  const tag = image.slice(image.lastIndexOf(':') + 1);
  const semver = tag.match(/^(\d+)\.(\d+)\.(\d+)/);
  return semver ? `${semver[1]}.${semver[2]}.${Number(semver[3]) + 1}` : '1.0.0';
}

const isScone = (app: AppProfile) => app.mrenclave?.framework?.toLowerCase() === 'scone';

/** Publishing a new version and deploying it again: the fix for an image that is not the right one. */
function republish(ctx: DoctorContext, apps: AppProfile[]): string {
  const version = nextVersion(apps[0]!.multiaddr);
  const publish = apps.some(isScone) ? `./publish.sh ${version} && ./sconify.sh ${version}` : `./publish.sh ${version}`;
  return `${publish}, then ${apps.map((app) => npmRun(ctx, app.deployScript)).join(' and ')}`;
}

/** Apps that register the same image and checksum (a TDX module's two apps) are checked once. */
function byImage(apps: AppProfile[]): AppProfile[][] {
  const groups = new Map<string, AppProfile[]>();
  for (const app of apps) {
    const key = `${app.multiaddr}\0${app.checksum.toLowerCase()}`;
    groups.set(key, [...(groups.get(key) ?? []), app]);
  }
  return [...groups.values()];
}

const labels = (apps: AppProfile[]) => apps.map((app) => app.label).join(' and ');
const idOf = (apps: AppProfile[]) => apps.map((app) => app.profile).join('+');

export async function checkImages(ctx: DoctorContext): Promise<CheckLine[]> {
  const lines: CheckLine[] = [];
  for (const apps of byImage(ctx.apps)) lines.push(...(await checkImage(ctx, apps)));
  return lines;
}

function placeholder(ctx: DoctorContext, apps: AppProfile[]): CheckLine[] {
  const id = `image:${idOf(apps)}`;
  const first = apps[0]!;
  const publish = `${isScone(first) ? './publish.sh 1.0.0 && ./sconify.sh 1.0.0' : './publish.sh 1.0.0'}, then ${apps.map((app) => npmRun(ctx, app.deployScript)).join(' and ')}`;
  const unpublished = (app: AppProfile) => `${app.file} still has the placeholder checksum: the image ${app.multiaddr} is not published`;
  if (!ctx.target.local) return [fail(id, `${labels(apps)}: ${unpublished(first)}`, publish)];
  // The local network runs an app deployed before its image was published with the bundle of the
  // module that deployed it (chain/local-apps.ts), if one recorded it.
  const port = localEntry(ctx.root).port;
  return apps.flatMap((app) => {
    const deployed = ctx.deployed.get(app.profile);
    if (!deployed) return [];
    const bundle = localAppBundle(port, deployed.address);
    if (bundle)
      return [
        warn(
          `image:${app.profile}`,
          `${app.label}: ${unpublished(app)}; the local worker runs ${bundle} for it, a real worker would fail to pull the image`,
          publish,
        ),
      ];
    return [
      fail(
        `image:${app.profile}`,
        `${app.label}: ${unpublished(app)}, and no module recorded its code on the local network: its tasks fail with APP_IMAGE_DOWNLOAD_FAILED`,
        publish,
      ),
    ];
  });
}

async function checkImage(ctx: DoctorContext, apps: AppProfile[]): Promise<CheckLine[]> {
  const first = apps[0]!;
  const id = `image:${idOf(apps)}`;
  const image = first.multiaddr;
  if (PLACEHOLDER.test(first.checksum)) return placeholder(ctx, apps);
  let facts: ImageFacts;
  try {
    facts = await imageFacts(image);
  } catch (error) {
    const status = error instanceof RegistryError ? error.status : undefined;
    if (status === 404)
      return [fail(id, `${labels(apps)}: ${image} is not on its registry (HTTP 404): never pushed, or deleted`, republish(ctx, apps))];
    if (status === 401 || status === 403) {
      return [
        fail(
          id,
          `${labels(apps)}: the registry refuses an anonymous pull of ${image} (HTTP ${status}): workers pull it as anyone would`,
          `make the repository public on its registry, then ${npmRun(ctx, 'doctor')}`,
        ),
      ];
    }
    return [
      fail(
        id,
        `${labels(apps)}: cannot read ${image} from its registry: ${reason(error)}`,
        `check app.multiaddr in ${first.file} and your connection, then ${npmRun(ctx, 'doctor')}`,
      ),
    ];
  }
  const lines: CheckLine[] = [];
  const platforms = facts.platforms.map(
    (platform) => `${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`,
  );
  if (facts.amd64Bytes === undefined) {
    lines.push(
      fail(
        id,
        `${labels(apps)}: ${image} is built for ${platforms.join(', ') || 'no platform'}, not linux/amd64, the workers' platform: its tasks fail with "exec format error"`,
        `${republish(ctx, apps)} (tests/build.sh builds for linux/amd64)`,
      ),
    );
  } else {
    lines.push(pass(id, `${labels(apps)}: ${image} is pushed, for ${platforms.join(', ')}`));
  }
  const recorded = `sha256:${first.checksum.slice(2).toLowerCase()}`;
  if (facts.digest !== recorded) {
    lines.push(
      fail(
        `${id}:digest`,
        `${image} is ${facts.digest} on its registry, ${first.file} records ${recorded}: the tag was pushed again after publish.sh recorded it, and workers pull by tag without checking (tasks of an app deployed with it run the new image silently)`,
        republish(ctx, apps),
      ),
    );
  } else {
    lines.push(pass(`${id}:digest`, `its registry digest is the checksum ${first.file} records`));
  }
  for (const app of apps) {
    const deployed = ctx.deployed.get(app.profile);
    if (!deployed) continue;
    const { multiaddr, checksum } = deployed.app;
    if (multiaddr !== app.multiaddr || checksum.toLowerCase() !== app.checksum.toLowerCase()) {
      lines.push(
        fail(
          `image:${app.profile}:deployed`,
          `the deployed ${app.label} ${deployed.address} registers ${multiaddr} (${checksum}), ${app.file} has ${app.multiaddr} (${app.checksum}): deploy what the file holds`,
          npmRun(ctx, app.deployScript),
        ),
      );
    } else {
      lines.push(pass(`image:${app.profile}:deployed`, `the deployed ${app.label} registers this image and checksum`));
    }
  }
  lines.push(...memory(ctx, apps, facts));
  return lines;
}

/** The image next to the memory its task gets in a TEE: the kit's own rule, warning past half of it. */
function memory(ctx: DoctorContext, apps: AppProfile[], facts: ImageFacts): CheckLine[] {
  return apps
    .filter((app) => app.tee)
    .map((app) => {
      const id = `image:${app.profile}:memory`;
      const heap = isScone(app) ? Number(app.mrenclave?.heapSize ?? 0) : undefined;
      if (heap !== undefined && heap > TEE_MEMORY.sconeMaxHeapBytes) {
        return fail(
          id,
          `${app.label}: its enclave heap (mrenclave.heapSize ${size(heap)}) is over the ${size(TEE_MEMORY.sconeMaxHeapBytes)} workers accept by default: they refuse the task`,
          `./sconify.sh ${nextVersion(app.multiaddr)} --heap 8G (or less), then ${npmRun(ctx, app.deployScript)}`,
        );
      }
      const limit = heap ?? TEE_MEMORY.tdxBytes;
      const what = heap !== undefined ? `its enclave heap (${size(limit)})` : `the TDX worker's ${size(limit)}`;
      const bytes = facts.amd64Bytes ?? 0;
      const line = `${app.label}: the image is ${size(bytes)} compressed, next to ${what}`;
      const fix =
        heap !== undefined
          ? `./sconify.sh ${nextVersion(app.multiaddr)} --heap 8G, then ${npmRun(ctx, app.deployScript)}`
          : `make the image smaller (only dist/app.cjs belongs in it), then ${republish(ctx, [app])}`;
      if (bytes >= limit) return fail(id, `${line}: it cannot fit, and the task runs out of memory`, fix);
      if (bytes * 2 >= limit)
        return warn(id, `${line}: over half of it (the kit's own threshold), leaving little for the app's own memory`);
      return pass(id, line);
    });
}
