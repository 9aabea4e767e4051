import { DockerfileParser, type Entrypoint } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { render } from './helpers/module.js';

/*
 * The generated Dockerfile, as a linter and a worker see it: no lint finding at all (warnings
 * included), the linux/amd64 platform pinned on the FROM (workers are amd64; an unpinned image built on
 * Apple silicon fails there with "exec format error"), and an exec-form ENTRYPOINT (the worker passes the
 * task args as the CMD, which would replace a CMD-based command and reach a shell-form one as nothing).
 */
const PROFILES = [
  { tee: 'tdx', chain: 'arbitrum-sepolia-testnet', base: 'node:22-bookworm-slim' },
  { tee: 'scone', chain: 'bellecour', base: 'node:22-bullseye-slim' },
] as const;

describe.each(PROFILES)('the $tee Dockerfile', ({ tee, chain, base }) => {
  let text: string;

  beforeAll(async () => {
    text = (await render({ tee, chain, name: 'lint-me', dockerNamespace: 'alice' }))['Dockerfile']!;
  });

  it('lints clean with dockerfile-utils', () => {
    expect(validate(text).map((d) => `line ${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('starts FROM the profile base image, pinned to linux/amd64', () => {
    const froms = DockerfileParser.parse(text).getFROMs();
    expect(froms).toHaveLength(1);
    const [from] = froms;
    expect(`${from!.getImageName()}:${from!.getImageTag()}`).toBe(base);
    expect(from!.getFlags().map((flag) => [flag.getName(), flag.getValue()])).toEqual([['platform', 'linux/amd64']]);
  });

  it('has exactly one ENTRYPOINT, in exec form, running node on the bundle', () => {
    const instructions = DockerfileParser.parse(text).getInstructions();
    const entrypoints = instructions.filter((i) => i.getKeyword() === 'ENTRYPOINT') as Entrypoint[];
    expect(entrypoints).toHaveLength(1);
    const words = entrypoints[0]!.getJSONStrings().map((s) => s.getJSONValue());
    expect(words[0]).toBe('/usr/local/bin/node');
    expect(words.at(-1)).toBe('/app/app.cjs');
    expect(words.includes('--disable-wasm-trap-handler')).toBe(tee === 'scone');
    expect(instructions.some((i) => i.getKeyword() === 'CMD')).toBe(false);
  });

  it('the lint and the checks can fail: a shell-form, unpinned Dockerfile is caught', () => {
    const bad = 'FROM node:22\nMAINTAINER someone\nENTRYPOINT node /app/app.cjs\n';
    expect(validate(bad).length).toBeGreaterThan(0);
    const parsed = DockerfileParser.parse(bad);
    expect(parsed.getFROMs()[0]!.getFlags()).toEqual([]);
    const entrypoint = parsed.getInstructions().find((i) => i.getKeyword() === 'ENTRYPOINT') as Entrypoint;
    expect(entrypoint.getJSONStrings()).toEqual([]);
  });
});
