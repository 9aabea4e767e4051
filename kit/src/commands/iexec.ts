// iexec-module iexec <standard|tee> <iexec arguments...>: the module's own iexec CLI on one of its two apps.
import { reportFailure } from '../iexec/failure.js';
import { isProfileName } from '../iexec/module.js';
import { USAGE, runIexec } from '../iexec/run.js';

export async function main(argv: string[], root = process.cwd()): Promise<number> {
  const [profileName, ...args] = argv;
  if (profileName === '--help' || profileName === '-h') {
    console.log(USAGE);
    return 0;
  }
  if (!isProfileName(profileName) || args.length === 0) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await runIexec(root, profileName, args);
  } catch (error) {
    return reportFailure(error);
  }
}
