import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readContext } from '../src/iexec.js';
import { run, SECRETS } from './task.js';

describe('the app developer secret', () => {
  it('signs the greeting with the app secret and never prints it', async () => {
    const { task, verdict, result } = await run();
    expect(verdict.checks.filter((c) => c.level !== 'pass')).toEqual([]);
    expect(task.env.IEXEC_APP_DEVELOPER_SECRET_1).toBe(SECRETS.appSecret);
    const expected = createHmac('sha256', SECRETS.appSecret).update('Hello, world!').digest('hex');
    expect(result()).toMatchObject({ ok: true, result: { greeting: 'Hello, world!', appSignature: expected } });
  });

  it('records that the secret is missing and how to set it', async () => {
    const { verdict, result } = await run({ appSecret: undefined });
    expect(verdict.ok).toBe(true);
    expect(result()).toEqual({ ok: false, error: expect.stringMatching(/app developer secret is missing: .*iexec app push-secret/) });
  });

  it('keeps the value out of anything that prints the context', () => {
    const ctx = readContext({ IEXEC_APP_DEVELOPER_SECRET_1: 'dev-value' }, []);
    expect(ctx.appSecret()).toBe('dev-value');
    expect(`${inspect(ctx, { depth: null })}${JSON.stringify(ctx)}`).not.toContain('dev-value');
  });
});
