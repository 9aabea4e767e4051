// Greets the names it is given; generated with the defaults (Intel TDX on Arbitrum Sepolia).
//
// Your compute logic. The worker runs this file with the task args; runApp (src/iexec.ts) records
// the value you return in $IEXEC_OUT/result.json, or the error you throw, and writes computed.json.
// Keep the result deterministic (no clock, no randomness): every worker of a task must produce the
// same result.json.
//
// This example greets names given as args. Replace it with yours.
import { runApp, writeResultFile } from './iexec.js';

void runApp((ctx) => {
  const names: string[] = [];
  const blank = ctx.args.findIndex((arg) => arg.trim() === '');
  if (blank !== -1) {
    throw new Error(`argument ${blank + 1} is blank: pass names, e.g. --args "Alice Bob"`);
  }
  names.push(...ctx.args);
  const greeting = `Hello, ${new Intl.ListFormat('en').format(names.length > 0 ? names : ['world'])}!`;
  const result = {
    greeting,
  };
  // A human-readable copy next to result.json, for whoever unzips the downloaded result.
  writeResultFile(ctx, 'result.txt', `${greeting}\n`);
  return result;
});
