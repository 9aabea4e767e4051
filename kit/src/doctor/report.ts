/* The checklist as a person reads it (one mark per line, the fix under each ✖) or as CI reads it (--json). */
import type { CheckLine } from './check.js';
import { doctorAgain, type DoctorContext } from './context.js';

const MARK = { pass: '✔', warn: '!', fail: '✖' } as const;

export function printChecklist(ctx: DoctorContext, lines: CheckLine[]): void {
  console.log(
    `doctor: chain ${ctx.target.name}${ctx.chainId !== undefined ? ` (chain id ${ctx.chainId})` : ''}, iexec ${ctx.reads.sdkVersion}, ${ctx.apps.map((app) => app.label).join(' and ')}`,
  );
  for (const line of lines) {
    console.log(`${MARK[line.level]} ${line.message}`);
    if (line.fix) console.log(`    ${line.level === 'fail' ? 'fix' : 'note'}: ${line.fix}`);
  }
  const failures = lines.filter((line) => line.level === 'fail').length;
  const warnings = lines.filter((line) => line.level === 'warn').length;
  const tally = `${lines.length - failures - warnings} ✔, ${warnings} !, ${failures} ✖`;
  console.log(
    failures > 0
      ? `${tally}: a run on ${ctx.target.name} would fail. Fix the ✖ lines in order, then ${doctorAgain(ctx)}`
      : `${tally}: nothing stops a run on ${ctx.target.name}`,
  );
}

export function checklistJson(ctx: DoctorContext, lines: CheckLine[]): string {
  return JSON.stringify({
    ok: !lines.some((line) => line.level === 'fail'),
    chain: ctx.target.name,
    chainId: ctx.chainId ?? null,
    sdk: ctx.reads.sdkVersion,
    apps: ctx.apps.map((app) => app.profile),
    checks: lines,
  });
}
