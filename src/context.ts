import { TEE_TAGS, WORKERPOOLS } from 'iexec-module-kit/platform';
import type { Answers } from './answers.js';
import type { Feature } from './features.js';
import { TEE_PROFILES } from './profiles.js';

/** Everything a template sees (templates/README.md documents each entry): the answers plus what follows from them. */
export function templateContext(answers: Answers, generatorVersion: string, kitSpec: string = generatorVersion) {
  const imageName = dockerRepositoryName(answers.name);
  return {
    ...answers,
    imageName,
    image: `${answers.dockerNamespace}/${imageName}`,
    isScone: answers.tee === 'scone',
    isTdx: answers.tee === 'tdx',
    iexecVersion: TEE_PROFILES[answers.tee].iexecVersion,
    baseImage: TEE_PROFILES[answers.tee].baseImage,
    entrypoint: ['/usr/local/bin/node', ...TEE_PROFILES[answers.tee].nodeFlags, '/app/app.cjs'],
    publicChains: TEE_PROFILES[answers.tee].chains,
    // The kit's tables: the module's `app:run` adds the same tag and workerpool the README names.
    teeTag: TEE_TAGS[answers.tee],
    workerpool: WORKERPOOLS[answers.tee][answers.chain],
    generatorVersion,
    kitSpec,
    ...featureFlags(answers.features),
  };
}

/** One boolean per feature for `{{#if}}`, and the unions templates ask about. */
function featureFlags(features: readonly Feature[]) {
  const has = (feature: Feature) => features.includes(feature);
  const feature = {
    args: has('args'),
    inputFiles: has('input-files'),
    requesterSecrets: has('requester-secrets'),
    appSecret: has('app-secret'),
    protectedData: has('protected-data'),
    bulk: has('bulk'),
    callback: has('callback'),
  };
  return {
    feature,
    anyFeature: features.length > 0,
    anySecret: feature.requesterSecrets || feature.appSecret,
    needsTee: feature.requesterSecrets || feature.appSecret || feature.protectedData,
    readsNames: feature.args || feature.inputFiles || feature.protectedData,
    // The callback feature reads its opt-in from the task args, whether or not the app reads args.
    readsArgv: feature.args || feature.callback,
  };
}

export type TemplateContext = ReturnType<typeof templateContext>;

/** Docker repository names forbid what npm names allow at their ends (`-x`, `x.`) and the scope. */
export function dockerRepositoryName(packageName: string): string {
  return (
    packageName
      .replace(/^@[^/]+\//, '')
      .replace(/[^a-z0-9._-]/g, '-')
      .replace(/^[._-]+|[._-]+$/g, '')
      .replace(/[._-]{2,}/g, '-') || 'iexec-module'
  );
}
