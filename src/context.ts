import type { Answers } from './answers.js';
import { runScriptCommand } from './package-manager.js';
import { CHAIN_PROFILES, TEE_PROFILES } from './profiles.js';

/** Everything a template sees (templates/README.md documents each entry): the answers plus what follows from them. */
export function templateContext(answers: Answers, generatorVersion: string) {
  const imageName = dockerRepositoryName(answers.name);
  return {
    ...answers,
    imageName,
    image: `${answers.dockerNamespace}/${imageName}`,
    isScone: answers.tee === 'scone',
    isTdx: answers.tee === 'tdx',
    iexecVersion: TEE_PROFILES[answers.tee].iexecVersion,
    teeTag: TEE_PROFILES[answers.tee].teeTag,
    workerpool: CHAIN_PROFILES[answers.chain].workerpool,
    runScript: runScriptCommand(answers.packageManager),
    generatorVersion,
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
