/* A task result is a zip: unzipped with jszip, so no system unzip is needed. */
import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { Failure } from './failure.js';

export const TASK_ID = /^0x[0-9a-fA-F]{64}$/;

/** Unzips results/<taskid>.zip into results/<taskid>/, then names the files and prints computed.json. */
export async function extractResult(root: string, zipPath: string, taskid: string): Promise<void> {
  const target = path.join(root, 'results', taskid);
  const zip = await JSZip.loadAsync(fs.readFileSync(zipPath));
  const files = Object.values(zip.files).filter((entry) => !entry.dir);
  // Check every entry before writing any: a hostile zip leaves nothing behind.
  for (const entry of files) {
    if (!path.resolve(target, entry.name).startsWith(`${target}${path.sep}`)) {
      throw new Failure(`refusing the zip entry ${entry.name}: it points outside ${target}`);
    }
  }
  for (const entry of files) {
    const dest = path.resolve(target, entry.name);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, await entry.async('nodebuffer'));
  }
  console.error(`result: ${path.relative(root, target)}/ (${files.map((entry) => entry.name).join(', ')})`);
  const computed = path.join(target, 'computed.json');
  if (fs.existsSync(computed)) console.error(`computed.json: ${fs.readFileSync(computed, 'utf8').trim()}`);
}
