/*
 * The CLI runs in a temporary workspace (workspace.ts), so a relative path the user gives would
 * resolve from there (`wallet create --keystoredir ../wallets` wrote the key into the system's
 * temporary folder). Every path the user gives is made to mean what it means in their shell: resolved
 * from the folder npm was run in (INIT_CWD, when inside the module; npm runs scripts from the module's
 * root), then handed to the CLI in a form it resolves to that same place.
 *
 * The path-taking arguments of iexec 8.24.0 and 9.0.1 (the same in both: cli/utils/cli-helper.js
 * `option`, cli/cmd/*.js):
 *   --keystoredir <path|global|local>   path.join(path): from the cwd; `local` is the cwd itself
 *   --dataset-keystoredir, --beneficiary-keystoredir, --original-dataset-dir, --encrypted-dataset-dir
 *                                       createEncFolderPaths: absolute, or joined to the cwd
 *   --secret-path <path>                (dataset push-secret, result push-encryption-key) read as given
 *   result decrypt [encryptedResultsPath]  read as given
 *   task show --download [fileName]     join(process.cwd(), fileName): even an absolute name is put
 *                                       under the cwd, so the kit passes it relative to the workspace
 * Not paths from the cwd: --wallet-file and --beneficiary-key-file name a file inside their keystore
 * folder, which the options above already place.
 */
import fs from 'node:fs';
import path from 'node:path';

const PATH_OPTIONS = new Set([
  '--keystoredir',
  '--dataset-keystoredir',
  '--beneficiary-keystoredir',
  '--original-dataset-dir',
  '--encrypted-dataset-dir',
  '--secret-path',
]);
/** The options of `result decrypt` that take a value, to tell its path argument from their values. */
const DECRYPT_VALUE_OPTIONS = new Set([
  '--password',
  '--wallet-file',
  '--wallet-address',
  '--keystoredir',
  '--beneficiary-keystoredir',
  '--beneficiary-key-file',
]);

/** Where the user typed the command: npm's INIT_CWD when it is the module or inside it, else the module's root. */
export function userCwd(root: string): string {
  const initCwd = process.env.INIT_CWD;
  if (!initCwd) return root;
  const inside = path.relative(root, initCwd);
  return inside === '' || (!inside.startsWith('..') && !path.isAbsolute(inside)) ? initCwd : root;
}

/**
 * The arguments with each path made absolute from `cwd` (a download name relative to the workspace's
 * real path, which is how the CLI joins it).
 */
export function withUserPaths(list: string[], cwd: string, workspace: string): string[] {
  const args = [...list];
  const absolute = (value: string) => path.resolve(cwd, value);
  const fromWorkspace = (value: string) => path.relative(fs.realpathSync(workspace), path.resolve(cwd, value));
  const decrypt = args[0] === 'result' && args[1] === 'decrypt';
  let decryptPath = false;
  for (let i = decrypt ? 2 : 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === '--') break;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq !== -1 ? arg.slice(0, eq) : arg;
    const rewrite = PATH_OPTIONS.has(name)
      ? (value: string) =>
          name === '--keystoredir' && value === 'global' ? value : name === '--keystoredir' && value === 'local' ? cwd : absolute(value)
      : name === '--download'
        ? fromWorkspace
        : undefined;
    if (rewrite && name !== arg) {
      args[i] = `${name}=${rewrite(arg.slice(eq + 1))}`;
    } else if (rewrite) {
      const value = args[i + 1];
      // --download's value is optional: commander takes the next word unless it is an option.
      if (value === undefined || (name === '--download' && value.startsWith('-'))) continue;
      args[(i += 1)] = rewrite(value);
    } else if (decrypt && DECRYPT_VALUE_OPTIONS.has(arg)) {
      i += 1;
    } else if (decrypt && !decryptPath && !arg.startsWith('-')) {
      args[i] = absolute(arg);
      decryptPath = true;
    }
  }
  return args;
}
