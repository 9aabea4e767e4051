// iexec-module mock-protected-data <out.zip> '<json object>' [--file <key>=<path>]...: a protected data
// file (worker/protected-data.ts) to run the app with, e.g. `iexec-module local --protected-data <out.zip>`.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { mockProtectedData, type ProtectedValue } from '../worker/protected-data.js';

const USAGE = `Usage: iexec-module mock-protected-data <out.zip> '<json object>' [--file <key>=<path>]...
Writes a protected data file as @iexec/dataprotector makes them, decrypted as the worker hands it to the app:
strings, numbers, booleans and nested objects from the JSON, raw bytes from each --file (key: name or a.b.c).
  e.g. iexec-module mock-protected-data mock.zip '{"name": "Alice"}'
then: npm run local -- --protected-data mock.zip`;

export async function main(argv: string[]): Promise<number> {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: { file: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [out, json = '{}', ...extra] = positionals;
    if (!out || extra.length > 0) throw new Error('expected an output file and at most one JSON object');
    const data: unknown = JSON.parse(json);
    if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`${json} is not a JSON object`);
    const files: Record<string, string> = {};
    for (const pair of values.file ?? []) {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`--file takes <key>=<path>, got ${pair}`);
      files[pair.slice(0, at)] = pair.slice(at + 1);
    }
    writeFileSync(out, await mockProtectedData(data as Record<string, ProtectedValue>, files));
    const keys = new Set([...Object.keys(data), ...Object.keys(files).map((dotted) => dotted.split('.')[0])]);
    console.log(`wrote ${out}: ${[...keys].join(', ') || 'no values'}`);
    return 0;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
}
