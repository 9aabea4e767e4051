import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readContext } from '../src/iexec.js';
import { run, SECRETS } from './task.js';

describe('requester secrets', () => {
  it('signs the greeting with requester secret 1 and never prints it', async () => {
    const { verdict, result } = await run();
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(verdict.checks.map((c) => c.message)).toContain('no secret value in the app output (our lint)');
    const expected = createHmac('sha256', SECRETS.requesterSecrets[1]).update('Hello, world!').digest('hex');
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!', requesterSignature: expected } });
  });

  it('records which secret is missing and how to provide it', async () => {
    const { verdict, result } = await run({ requesterSecrets: { 2: 'not-the-one' } });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringMatching(/requester secret 1 is missing: .*--secret 1=<name>/) });
    expect(JSON.stringify(result())).not.toContain('not-the-one');
  });

  it('keeps the values out of anything that prints the context', () => {
    const ctx = readContext({ IEXEC_REQUESTER_SECRET_2: 'value-two', IEXEC_REQUESTER_SECRET_1: 'value-one', IEXEC_REQUESTER_SECRET_0: 'x', IEXEC_REQUESTER_SECRET_A: 'y' }, []);
    expect(ctx.requesterSecrets.keys).toEqual([1, 2]);
    expect(ctx.requesterSecrets.get(2)).toBe('value-two');
    expect(`${inspect(ctx, { depth: null })}${JSON.stringify(ctx)}`).not.toMatch(/value-one|value-two/);
  });
});
