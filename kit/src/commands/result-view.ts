// What `local` shows of a result: the files the requester downloads, and result.json when the app
// wrote one, whatever IEXEC_OUT holds (an image, a folder, a link, text that is not JSON).
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { entriesBelow, type Entry } from '../worker/result-files.js';

/** How many entries to list, the largest result.json to show, and how much of one that is not JSON to quote. */
const MAX_ENTRIES = 50;
const MAX_SHOWN = 1024 * 1024;
const QUOTE = 200;

function describeEntry(outDir: string, entry: Entry): string {
  if (entry.kind === 'folder') return `  ${entry.path}/`;
  if (entry.kind === 'link') return `  ${entry.path} -> ${readlinkSync(join(outDir, entry.path))} (a symbolic link)`;
  if (entry.kind === 'other') return `  ${entry.path} (neither a file nor a folder)`;
  return `  ${entry.path} (${entry.size} bytes)`;
}

/** result.json as the module's apps write it, or what stands in its place. */
function describeResultJson(outDir: string): string | undefined {
  const path = join(outDir, 'result.json');
  const stat = lstatSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (stat.isSymbolicLink()) return `result.json is a symbolic link to ${readlinkSync(path)}`;
  if (!stat.isFile()) return `result.json is ${stat.isDirectory() ? 'a folder' : 'not a file'}`;
  if (stat.size > MAX_SHOWN) return `result.json holds ${stat.size} bytes: see ${path}`;
  const text = readFileSync(path, 'utf8');
  try {
    return `result.json: ${JSON.stringify(JSON.parse(text), null, 2)}`;
  } catch (error) {
    const quote = text.length > QUOTE ? `${text.slice(0, QUOTE)}…` : text;
    return `result.json is not JSON (${(error as Error).message}): ${JSON.stringify(quote)}`;
  }
}

/** Lines describing IEXEC_OUT as the requester gets it. */
export function describeResult(outDir: string): string[] {
  const entries = entriesBelow(outDir);
  const lines = [`--- the result: IEXEC_OUT, what the requester downloads (${entries.length} entries) ---`];
  lines.push(...entries.slice(0, MAX_ENTRIES).map((entry) => describeEntry(outDir, entry)));
  if (entries.length > MAX_ENTRIES) lines.push(`  … and ${entries.length - MAX_ENTRIES} more in ${outDir}`);
  const resultJson = describeResultJson(outDir);
  if (resultJson) lines.push(resultJson);
  return lines;
}
