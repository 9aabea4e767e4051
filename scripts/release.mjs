// Releases create-iexec-module and iexec-module-kit together at one version:
//
//   npm run release -- <version> --registry <url> [--suites <names>] [--dist-tag <tag>]
//
// Refuses before writing anything when the tree is not clean, the version is not above the last
// release (tag v*) or below package.json's, its tag exists, a CHANGELOG has no entry for it, or the
// registry does not answer or does not know the maintainer. Then: sets the version on both packages
// (and regenerates examples/, which name it) in one commit, runs the suites .ci/run lists on that
// tree, packs both, publishes the kit and only then the generator that names it, and tags.
//
// Safe to run again after any failure: every step is decided from facts (the version in package.json,
// the suites passed and the tarballs packed on this tree, recorded in .git/, what the registry already
// holds), so a rerun skips what is done. A version already on the registry is skipped when it is the same tarball,
// refused otherwise: a published version never changes.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import semver from 'semver';
import { ownNpmSettings, packGenerator, packKit, repoRoot } from './pack.mjs';

const USAGE = 'npm run release -- <version> --registry <url> [--suites <names>] [--dist-tag <tag>]';
const GENERATOR = 'create-iexec-module';
const KIT = 'iexec-module-kit';
/** Files the version is written in; examples/ is regenerated, since every module there names it. */
const VERSION_FILES = ['package.json', 'kit/package.json', 'package-lock.json'];
const CHANGELOGS = ['CHANGELOG.md', 'kit/CHANGELOG.md'];
const NETWORK = ['--fetch-retries=0', '--fetch-timeout=30000'];

class Refusal extends Error {}

const say = (line) => console.log(`release: ${line}`);
const path = (relative) => join(repoRoot, relative);
const readJson = (relative) => JSON.parse(readFileSync(path(relative), 'utf8'));

/** Written beside and renamed over, so an interrupted release never leaves half a file. */
function writeAtomic(file, text) {
  writeFileSync(`${file}.release-tmp`, text);
  renameSync(`${file}.release-tmp`, file);
}

function git(...args) {
  return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/\n$/, '');
}

/** An npm command against the registry, with the caller's credentials but none of npm run's settings. */
function npm(args, { inherit = false } = {}) {
  const result = spawnSync('npm', args, { cwd: repoRoot, encoding: 'utf8', env: ownNpmSettings(), stdio: inherit ? 'inherit' : 'pipe' });
  const tail = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').slice(-6).join('\n');
  return { ok: result.status === 0, stdout: (result.stdout ?? '').trim(), stderr: result.stderr ?? '', tail };
}

function parse(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      registry: { type: 'string' },
      suites: { type: 'string' },
      'dist-tag': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`Usage: ${USAGE}`);
    process.exit(0);
  }
  const [version, ...extra] = positionals;
  if (!version || extra.length > 0 || !values.registry) throw new Refusal(`give one version and the registry: ${USAGE}`);
  if (!semver.valid(version) || version.startsWith('v'))
    throw new Refusal(`"${version}" is not a version: give major.minor.patch, e.g. 1.2.3 or 1.3.0-rc.1.`);
  let registry;
  try {
    registry = new URL(values.registry).href;
  } catch {
    throw new Refusal(`--registry "${values.registry}" is not a URL: give one, e.g. --registry https://registry.npmjs.org/.`);
  }
  // npm's convention: a pre-release never becomes what `npm create iexec-module` installs by default.
  const distTag = values['dist-tag'] ?? (semver.prerelease(version) ? 'next' : 'latest');
  return { version, registry, distTag, suites: values.suites };
}

function checkClean() {
  const changes = git('status', '--porcelain').split('\n').filter(Boolean);
  if (changes.length > 0) {
    const files = changes.map((line) => line.slice(3));
    throw new Refusal(
      `the tree has uncommitted changes (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}): commit them, or put them aside with \`git stash --include-untracked\`, then run the release again.`,
    );
  }
}

function checkVersion(version) {
  const tag = `v${version}`;
  if (git('tag', '--list', tag))
    throw new Refusal(
      `tag ${tag} exists: ${version} is released (${git('rev-list', '-n1', '--abbrev-commit', tag)}); give a greater version.`,
    );
  const released = git('tag', '--list', 'v*')
    .split('\n')
    .map((t) => t.slice(1))
    .filter((v) => semver.valid(v))
    .sort(semver.compare);
  const last = released.at(-1);
  if (last && !semver.gt(version, last))
    throw new Refusal(`${version} is not greater than the last release, ${last} (tag v${last}): give a greater version.`);
  const current = readJson('package.json').version;
  if (semver.lt(version, current))
    throw new Refusal(`${version} is lower than the version package.json already holds, ${current}: give ${current} or greater.`);
  const kit = readJson('kit/package.json').version;
  if (kit !== current)
    throw new Refusal(
      `kit/package.json holds ${kit} and package.json ${current}: they are released together; set both to ${current} and commit.`,
    );
  return current;
}

/** The entry each changelog has for `version`: `## <version>`, or `## Unreleased` to be named so. */
function changelogEntries(version) {
  const heading = new RegExp(`^## \\[?${version.replaceAll('.', '\\.')}\\]?(?:\\s|$)`, 'm');
  return CHANGELOGS.map((file) => {
    const text = existsSync(path(file)) ? readFileSync(path(file), 'utf8') : '';
    if (heading.test(text)) return { file, text, rename: false };
    if (/^## Unreleased\s*$/m.test(text)) return { file, text, rename: true };
    throw new Refusal(
      `${file} has no entry for ${version}: write what it changes for module owners under "## ${version}" (or "## Unreleased"), commit, and run the release again.`,
    );
  });
}

function checkRegistry(registry) {
  const ping = npm(['ping', '--registry', registry, ...NETWORK]);
  if (!ping.ok)
    throw new Refusal(
      `the registry ${registry} does not answer (npm ping: ${lastError(ping)}): check the URL and your network, then run the release again.`,
    );
  const whoami = npm(['whoami', '--registry', registry, ...NETWORK]);
  if (!whoami.ok)
    throw new Refusal(
      `you are not logged in to ${registry} (npm whoami: ${lastError(whoami)}): run \`npm login --registry ${registry}\`, then run the release again.`,
    );
  return whoami.stdout;
}

/** The line of npm's error output that says what went wrong (not its code, not where its log is). */
function lastError(result) {
  const lines = result.stderr
    .split('\n')
    .filter((l) => /^npm error /.test(l) && !/complete log of this run/.test(l))
    .map((l) => l.replace(/^npm error\s*/, '').trim())
    .filter(Boolean);
  return lines.find((l) => !/^(code|errno|syscall) /.test(l)) ?? lines[0] ?? result.tail;
}

/** The integrity of name@version on the registry, or undefined when it does not hold that version. */
function published(name, version, registry) {
  const view = npm(['view', `${name}@${version}`, 'dist.integrity', '--registry', registry, ...NETWORK]);
  if (view.ok) return view.stdout || undefined;
  if (/E404|404 Not Found/.test(view.stderr)) return undefined;
  throw new Refusal(
    `cannot ask ${registry} about ${name}@${version} (npm view: ${lastError(view)}): run the release again once it answers.`,
  );
}

/**
 * Sets `version` everywhere the generator names it, names the changelogs' "Unreleased" entries after
 * it, regenerates examples/, and commits that as the release commit (unless nothing changed).
 */
function bump(version, entries) {
  const set = (file, edit) => {
    const json = readJson(file);
    edit(json);
    writeAtomic(path(file), `${JSON.stringify(json, null, 2)}\n`);
  };
  set('package.json', (pkg) => (pkg.version = version));
  set('kit/package.json', (pkg) => (pkg.version = version));
  set('package-lock.json', (lock) => {
    lock.version = version;
    lock.packages[''].version = version;
    lock.packages.kit.version = version;
  });
  for (const entry of entries.filter((e) => e.rename)) {
    writeAtomic(path(entry.file), entry.text.replace(/^## Unreleased\s*$/m, `## ${version} (${new Date().toISOString().slice(0, 10)})`));
  }
  const examples = npm(['run', 'examples']);
  if (!examples.ok) {
    // The tree was clean when the release began: what differs from HEAD now is the release's own.
    git('checkout', 'HEAD', '--', ...VERSION_FILES, ...CHANGELOGS, 'examples');
    git('clean', '-fdq', '--', 'examples');
    throw new Refusal(`npm run examples failed, so the version was put back to ${readJson('package.json').version}:\n${examples.tail}`);
  }
  git('add', '--', ...VERSION_FILES, ...CHANGELOGS, 'examples');
  if (!git('status', '--porcelain')) return say(`package.json, kit/package.json and the changelogs hold ${version} already`);
  git('commit', '--quiet', '-m', `Release ${version}`);
  say(`set ${version} on ${GENERATOR} and ${KIT}, regenerated examples/ (commit ${git('rev-parse', '--short', 'HEAD')})`);
}

/** The suites .ci/run runs after `npm ci`, as the names `npm run` takes. */
function ciSuites() {
  return readFileSync(path('.ci/run'), 'utf8')
    .split('\n')
    .map((line) => line.trim().match(/^npm (?:run )?(test(?::[\w-]+)?)$/)?.[1])
    .filter(Boolean);
}

function chosenSuites(option) {
  const all = ciSuites();
  if (option === undefined) return all;
  const chosen = option
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = chosen.filter((s) => !all.includes(s));
  if (chosen.length === 0 || unknown.length > 0)
    throw new Refusal(`--suites ${option}: name suites of .ci/run, comma-separated: ${all.join(', ')}.`);
  return chosen;
}

/**
 * What the release did on this tree (suites passed, tarballs packed), kept in .git/ where nothing
 * commits it, keyed by the tree's hash: it never vouches for other content.
 */
function readRecord() {
  const file = resolve(repoRoot, git('rev-parse', '--git-path', 'create-iexec-module-release.json'));
  const tree = git('rev-parse', 'HEAD^{tree}');
  const known = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const record = known.tree === tree ? known : { tree, passed: {} };
  const save = () => {
    mkdirSync(dirname(file), { recursive: true });
    writeAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
  };
  return { record, save };
}

/** Runs each suite not yet recorded as passed on this tree, in .ci/run's order, and records each pass. */
function runSuites(suites, { record, save }) {
  for (const suite of suites) {
    if (record.passed[suite]) {
      say(`npm run ${suite}: passed on this tree at ${record.passed[suite]}`);
      continue;
    }
    say(`npm run ${suite}…`);
    if (!npm(['run', suite], { inherit: true }).ok) {
      throw new Refusal(`npm run ${suite} failed: nothing was published. Fix it, commit, and run the release again.`);
    }
    record.passed[suite] = new Date().toISOString();
    save();
  }
  const skipped = ciSuites().filter((s) => !suites.includes(s));
  if (skipped.length > 0) say(`not run (--suites): ${skipped.join(', ')}`);
}

const integrityOf = (file) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/**
 * Both packages packed into .release/<version>/, checked to be what this release ships. A rerun on the
 * same tree takes the tarballs packed then, if untouched: it publishes exactly what was checked.
 */
function pack(version, { record, save }) {
  const earlier = record.packed?.filter((p) => p.version === version && existsSync(p.tarball) && integrityOf(p.tarball) === p.integrity);
  if (earlier?.length === 2) {
    for (const p of earlier) say(`packed ${p.name}@${p.version} before, from this tree: .release/${version}/${basename(p.tarball)}`);
    return earlier;
  }
  const destination = path(`.release/${version}`);
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  const packed = [packKit(destination), packGenerator(destination)];
  for (const p of packed) {
    if (p.version !== version) throw new Error(`${p.name} packed as ${p.version}, not ${version}`);
    if (!p.files.includes('CHANGELOG.md')) throw new Error(`${p.name}'s tarball lacks CHANGELOG.md: add it to "files"`);
    say(
      `packed ${p.name}@${p.version}: .release/${version}/${basename(p.tarball)}, ${p.files.length} files, ${(p.size / 1024).toFixed(1)} kB`,
    );
  }
  record.packed = packed.map(({ name, version: v, tarball, integrity }) => ({ name, version: v, tarball, integrity }));
  save();
  return packed;
}

/** What to publish: each package the registry lacks; one it holds with other contents stops the release. */
function toPublish(packed, registry) {
  const missing = [];
  for (const p of packed) {
    const integrity = published(p.name, p.version, registry);
    if (integrity === undefined) missing.push(p);
    else if (integrity === p.integrity) say(`${p.name}@${p.version} is on ${registry} already, the same tarball: not published again`);
    else {
      throw new Refusal(
        `${registry} already holds ${p.name}@${p.version} with other contents (${integrity.slice(0, 20)}…, this build ${p.integrity.slice(0, 20)}…): a published version never changes; release a greater version.`,
      );
    }
  }
  return missing;
}

function publish(missing, { registry, distTag, version }) {
  for (const p of missing) {
    const result = npm(['publish', p.tarball, '--registry', registry, '--tag', distTag, ...NETWORK]);
    if (!result.ok) {
      const after = p.name === KIT ? `${GENERATOR} was not published either, since it names the kit` : `${KIT} ${version} is published`;
      throw new Refusal(
        `npm publish of ${p.name}@${p.version} to ${registry} failed (${lastError(result)}); ${after}. Fix the cause and run \`${rerun(version, registry)}\`: it publishes what is missing.`,
      );
    }
    say(`published ${p.name}@${p.version} to ${registry} (dist-tag ${distTag})`);
  }
}

const rerun = (version, registry) => `npm run release -- ${version} --registry ${registry}`;

function release(options) {
  const { version, registry } = options;
  checkClean();
  const current = checkVersion(version);
  const entries = changelogEntries(version);
  const suites = chosenSuites(options.suites);
  say(`publishing as ${checkRegistry(registry)} to ${registry}`);
  // A rerun finds the version set (and committed) by the run before it, and goes on from there.
  if (current !== version || entries.some((e) => e.rename)) bump(version, entries);
  else say(`package.json, kit/package.json and the changelogs hold ${version} already`);
  const record = readRecord();
  runSuites(suites, record);
  const packed = pack(version, record);
  publish(toPublish(packed, registry), options);
  git('tag', '-a', `v${version}`, '-m', `${GENERATOR} and ${KIT} ${version}`);
  say(`done: ${KIT}@${version} and ${GENERATOR}@${version} are on ${registry}; tag v${version} on ${git('rev-parse', '--short', 'HEAD')}.`);
  const remote = git('remote').split('\n')[0];
  if (remote) say(`share it: git push ${remote} HEAD v${version}`);
}

try {
  release(parse(process.argv.slice(2)));
} catch (error) {
  if (error instanceof Refusal || String(error?.code).startsWith('ERR_PARSE_ARGS')) {
    console.error(`release: ${error instanceof Refusal ? error.message : `${error.message.split('. ')[0]}: ${USAGE}`}`);
    process.exit(1);
  }
  throw error;
}
