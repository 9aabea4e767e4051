import { CancelledError } from './errors.js';

/** A yes/no question at the terminal; Ctrl-C cancels like at any other prompt. */
export async function confirm(message: string): Promise<boolean> {
  const { default: prompts } = await import('prompts');
  const { value } = await prompts(
    { type: 'confirm', name: 'value', message, initial: true },
    {
      onCancel: () => {
        throw new CancelledError();
      },
    },
  );
  return value === true;
}
