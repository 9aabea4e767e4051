/**
 * The slow suites' stopwatch: each step's seconds, printed as it ends (a suite that times out still
 * shows how far it got) and as one table at the end, for the figures CONTRIBUTING.md quotes.
 */
export class Timings {
  private readonly steps: { what: string; seconds: number }[] = [];
  private readonly start = performance.now();

  /** `prefix` marks each line printed as a step ends; without it, steps print only in the table. */
  constructor(
    private readonly title: string,
    private readonly prefix?: string,
  ) {}

  record(what: string, seconds: number): void {
    this.steps.push({ what, seconds });
    if (this.prefix) console.log(`${this.prefix}: ${what}: ${seconds} s`);
  }

  async timed<T>(what: string, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.record(what, tenths(performance.now() - start));
    }
  }

  /** The time since this object was made, as a step of its own. */
  recordWholeSuite(): void {
    this.record('the whole suite, in this process', tenths(performance.now() - this.start));
  }

  print(width: number, extra: string[] = []): void {
    console.log([`${this.title} (s):`, ...this.steps.map((step) => `  ${step.what.padEnd(width)} ${step.seconds}`), ...extra].join('\n'));
  }
}

const tenths = (ms: number) => Math.round(ms / 100) / 10;
