import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../src/errors.js';
import { writing } from '../src/session.js';

/* The one Ctrl-C policy of create and upgrade while they write, with the signal sent in-process. */
describe('Ctrl-C while writing', () => {
  afterEach(() => vi.restoreAllMocks());

  it('cuts the write: stop cleans up, its line is printed, and the process exits 130', async () => {
    const exited = new Promise<number | undefined>((resolve) => {
      vi.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code)) as typeof process.exit);
    });
    const printed = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stop = vi.fn(() => 'Cancelled: nothing was written.');
    await writing(stop, async () => {
      process.emit('SIGINT', 'SIGINT');
    });
    expect(await exited).toBe(130);
    expect(stop).toHaveBeenCalledOnce();
    expect(printed.mock.calls.map(([text]) => String(text)).join('')).toContain('Cancelled: nothing was written.');
  });

  it('lets an uncut step finish, even when the signal came while it ran synchronously, then fails with exit 130', async () => {
    const stop = vi.fn(() => 'cut');
    let placed = false;
    const error = await writing(stop, (uncut) =>
      uncut(() => {
        // A real signal: Node delivers it on the event loop's next turn, after this synchronous step.
        process.kill(process.pid, 'SIGINT');
        placed = true;
      }, 'Interrupted: the module is in place, nothing installed.'),
    ).catch((e: unknown) => e);
    expect(placed).toBe(true);
    expect(stop).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ message: 'Interrupted: the module is in place, nothing installed.', exitCode: 130 });
  });

  it('leaves Ctrl-C to its default once the write is over', async () => {
    const before = process.listenerCount('SIGINT');
    await writing(
      () => 'cut',
      async () => undefined,
    );
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
