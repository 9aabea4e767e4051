// The bundle carries other people's code, whose licences ask that their notice travels with it:
// build.mjs writes one file listing every bundled package with its licence text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function packageDirOf(input) {
  return input.match(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//)?.[1];
}

function licenceText(dir) {
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : undefined;
}

/** The notices of every package an esbuild metafile (paths relative to `root`) says went into the output. */
export function thirdPartyLicenses(metafile, root, bundle) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageDirOf(input) && join(root, packageDirOf(input));
    if (!dir || packages.has(dir)) continue;
    const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    packages.set(dir, { name, version, license, text: licenceText(dir) });
  }
  const notices = [...packages.values()]
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
    .map(
      (p) =>
        `${p.name}@${p.version} (${p.license})\n\n${p.text ?? `The package ships no licence file; its package.json says ${p.license}.`}`,
    );
  return `${bundle} bundles the following packages, under these licences.\n\n${notices.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}
