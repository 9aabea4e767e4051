// Greets the names in its args, input files and protected data, signs the greeting with both kinds of secret and returns callback data; generated with every feature (Intel TDX on Arbitrum Sepolia).
//
// Your compute logic. The worker runs this file with the task args; runApp (src/iexec.ts) records
// the value you return in $IEXEC_OUT/result.json, or the error you throw, and writes computed.json.
// Keep the result deterministic (no clock, no randomness): every worker of a task must produce the
// same result.json.
//
// This example greets names given as args, listed in input files (one per line), and held in
// protected data (their `name` value), and signs the greeting with a secret. Replace it with yours.
import { createHash, createHmac } from 'node:crypto';
import { readInputText, runApp, writeResultFile } from './iexec.js';

void runApp(async (ctx) => {
  const names: string[] = [];
  const blank = ctx.args.findIndex((arg) => arg.trim() === '');
  if (blank !== -1) {
    throw new Error(`argument ${blank + 1} is blank: pass names, e.g. --args "Alice Bob"`);
  }
  names.push(...ctx.args);
  for (const file of ctx.inputFiles) {
    names.push(...readInputText(file).split('\n').map((line) => line.trim()).filter((line) => line !== ''));
  }
  if (ctx.protectedData) names.push(await ctx.protectedData.getValue('name', 'string'));
  // One bad protected data in a bulk slice must not cost the others their greeting: record it and go on.
  const failed: { address: string; error: string }[] = [];
  for (const data of ctx.bulk) {
    try {
      names.push(await data.getValue('name', 'string'));
    } catch (error) {
      failed.push({ address: data.address, error: (error as Error).message });
    }
  }
  const greeting = `Hello, ${new Intl.ListFormat('en').format(names.length > 0 ? names : ['world'])}!`;
  const result = {
    greeting,
    // Keyed by the requester's secret 1: they can check this signature, nobody else can forge it.
    requesterSignature: createHmac('sha256', ctx.requesterSecrets.get(1)).update(greeting).digest('hex'),
    // Keyed by your app secret: proves the greeting came from this app.
    appSignature: createHmac('sha256', ctx.appSecret()).update(greeting).digest('hex'),
    failed,
  };
  // A human-readable copy next to result.json, for whoever unzips the downloaded result.
  writeResultFile(ctx, 'result.txt', `${greeting}\n`);
  // The callback contract receives the greeting's SHA-256, ABI-decodable as one bytes32.
  return { result, callbackData: `0x${createHash('sha256').update(greeting).digest('hex')}` };
});
