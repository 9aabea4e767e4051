import type { PromptObject } from 'prompts';
import type { Answers, Question } from './answers.js';
import { CancelledError } from './errors.js';

async function one(prompt: PromptObject<'value'>): Promise<unknown> {
  const { default: prompts } = await import('prompts');
  const { value } = await prompts(prompt, {
    onCancel: () => {
      throw new CancelledError();
    },
  });
  return value;
}

/** Asks one question of the answers table at the terminal; its own `parse` validates as you type. */
export function ask(q: Question, fallback: unknown, answers: Partial<Answers>): Promise<unknown> {
  const choices = q.choices?.(answers);
  if (choices && q.multiple) {
    const selected = Array.isArray(fallback) ? fallback : [];
    return one({
      type: 'multiselect',
      name: 'value',
      message: q.message,
      choices: choices.map((c) => ({ title: c.title, value: c.value, description: c.hint, selected: selected.includes(c.value) })),
      hint: 'space toggles, enter confirms',
      instructions: false,
    });
  }
  if (choices) {
    return one({
      type: 'select',
      name: 'value',
      message: q.message,
      choices: choices.map((c) => ({ title: c.title, value: c.value, description: c.hint })),
      initial: Math.max(
        0,
        choices.findIndex((c) => c.value === fallback),
      ),
    });
  }
  return one({
    type: 'text',
    name: 'value',
    message: q.message,
    initial: String(fallback),
    validate: (value: string) => {
      try {
        q.parse(value, answers);
        return true;
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
}

export async function askDirectory(): Promise<string> {
  const value = await one({
    type: 'text',
    name: 'value',
    message: 'Directory to create the module in',
    initial: 'iexec-module',
    validate: (v: string) => (v.trim() ? true : 'Type a path, or . for the current directory'),
  });
  return String(value).trim();
}

/** A yes/no question at the terminal; Ctrl-C cancels like at any other prompt. */
export async function confirm(message: string): Promise<boolean> {
  return (await one({ type: 'confirm', name: 'value', message, initial: true })) === true;
}
