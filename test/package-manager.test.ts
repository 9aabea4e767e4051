import { describe, expect, it } from 'vitest';
import { packageManagerFromUserAgent, scriptLine } from '../src/package-manager.js';

describe('scriptLine', () => {
  it('puts -- before the arguments for npm only', () => {
    expect(scriptLine('npm', 'local', '--args "Ada"')).toBe('npm run local -- --args "Ada"');
    expect(scriptLine('pnpm', 'local', '--args "Ada"')).toBe('pnpm local --args "Ada"');
    expect(scriptLine('yarn', 'local')).toBe('yarn local');
  });

  it("says `run` before a script named like one of pnpm's or yarn's own commands, which would run instead", () => {
    expect(scriptLine('pnpm', 'deploy', '--chain local')).toBe('pnpm run deploy --chain local');
    expect(scriptLine('pnpm', 'doctor')).toBe('pnpm run doctor');
    expect(scriptLine('yarn', 'deploy')).toBe('yarn deploy');
    expect(scriptLine('yarn', 'upgrade')).toBe('yarn run upgrade');
  });
});

describe('packageManagerFromUserAgent', () => {
  it('names the package manager that ran `create`, npm by default', () => {
    expect(packageManagerFromUserAgent('pnpm/10.34.9 npm/? node/v20.20.2 linux x64')).toBe('pnpm');
    expect(packageManagerFromUserAgent(undefined)).toBe('npm');
  });
});
