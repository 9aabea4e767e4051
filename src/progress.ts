import { styleText } from 'node:util';

const out = process.stdout;
const colour = (format: Parameters<typeof styleText>[0], text: string) =>
  out.hasColors?.() && !process.env.NO_COLOR ? styleText(format, text) : text;

export const paint = {
  ok: (t: string) => colour('green', t),
  bad: (t: string) => colour('red', t),
  dim: (t: string) => colour('dim', t),
  bold: (t: string) => colour('bold', t),
  warn: (t: string) => colour('yellow', t),
};

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)}s`;
}

/**
 * Runs one post-generation step with a line of its own: a spinner on a terminal, a start line
 * elsewhere (so a CI log shows what is running if it stalls), and a result line with its time.
 */
export async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let frame = 0;
  const spinner = out.isTTY
    ? setInterval(() => out.write(`\r${FRAMES[frame++ % FRAMES.length]} ${title} ${paint.dim(seconds(started))}`), 80)
    : (out.write(`… ${title}\n`), undefined);
  const finish = (mark: string) => {
    clearInterval(spinner);
    out.write(`${out.isTTY ? '\r\x1b[2K' : ''}${mark} ${title} ${paint.dim(`(${seconds(started)})`)}\n`);
  };
  try {
    const result = await run();
    finish(paint.ok('✔'));
    return result;
  } catch (error) {
    finish(paint.bad('✖'));
    throw error;
  }
}

export function note(text: string): void {
  out.write(`${text}\n`);
}
