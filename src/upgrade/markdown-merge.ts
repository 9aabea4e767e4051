import { diffSequences, type Hunk } from './diff.js';
import { joinText, type MergeLabels, type Merged, mergeText, parseText, usesCrlf } from './merge.js';
import { changesOf, clusters, positionsIn, sideOf } from './three-way.js';

/** A heading and the lines up to the next heading (the text before the first one is a section too). */
interface Section {
  key: string;
  lines: string[];
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$/;

/** A heading's text as sections are matched: without its level, its number and its case. */
function headingKey(text: string): string {
  return text
    .replace(/^\d+(?:\.\d+)*[.)]?\s+/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

function sectionsOf(lines: string[]): Section[] {
  const sections: Section[] = [{ key: '', lines: [] }];
  let fence: string | undefined;
  for (const line of lines) {
    const opening = line.match(FENCE)?.[1];
    if (fence === undefined && opening) fence = opening;
    else if (fence !== undefined && opening?.startsWith(fence[0]!) && opening.length >= fence.length) fence = undefined;
    const heading = fence === undefined ? line.match(HEADING) : null;
    if (heading) sections.push({ key: `# ${headingKey(heading[1]!)}`, lines: [line] });
    else sections[sections.length - 1]!.lines.push(line);
  }
  return sections;
}

const same = (a: Section, b: Section) => a.lines.length === b.lines.length && a.lines.every((line, i) => line === b.lines[i]);

/**
 * The sections one side changed: sections are lined up by heading, and a section kept under the same
 * heading but edited is a change of that one section, so two edited neighbours stay two changes.
 */
function sectionHunks(base: Section[], other: Section[]): Hunk[] {
  const byHeading = diffSequences(
    base.map((s) => s.key),
    other.map((s) => s.key),
  );
  const at = positionsIn(byHeading, base.length);
  const edited: Hunk[] = [];
  for (let i = 0; i < base.length; i++) {
    const j = at[i]!;
    if (j >= 0 && !same(base[i]!, other[j]!)) edited.push({ start: i, end: i + 1, otherStart: j, otherEnd: j + 1 });
  }
  return [...byHeading, ...edited].sort((x, y) => x.start - y.start || x.end - y.end);
}

function textOf(sections: readonly Section[]): string {
  const lines = sections.flatMap((s) => s.lines);
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/**
 * Merges Markdown section by section: a README is a list of sections, so the owner's new section and
 * the generator's edit of another one never collide, wherever their lines sit. Where both sides
 * changed the same sections, those are merged line by line (`mergeText`), one section at a time when
 * both kept the same headings.
 */
export function mergeMarkdown(ours: string, base: string, theirs: string, labels: MergeLabels, path: string): Merged {
  const texts = [parseText(ours), parseText(base), parseText(theirs)] as const;
  const [o, b, t] = texts.map((text) => sectionsOf(text.lines)) as [Section[], Section[], Section[]];
  const oursHunks = sectionHunks(b, o);
  const oursAt = positionsIn(oursHunks, b.length);
  const theirsHunks = sectionHunks(b, t);
  const theirsAt = positionsIn(theirsHunks, b.length);
  const mergeLines = (mine: readonly Section[], older: readonly Section[], generated: readonly Section[]): Merged =>
    mergeText(textOf(mine), textOf(older), textOf(generated), labels, path);

  const out: string[] = [];
  let conflicts = 0;
  let at = 0;
  // Formatting is left to the line merge, inside the sections both sides changed.
  const changes = (hunks: Hunk[], side: Section[]) => changesOf(hunks, side, () => false);
  for (const cluster of clusters(changes(oursHunks, o), changes(theirsHunks, t))) {
    for (; at < cluster.start; at++) out.push(...o[oursAt[at]!]!.lines);
    at = cluster.end;
    const mine = sideOf(cluster.ours, cluster.start, cluster.end, (i) => o[oursAt[i]!] ?? b[i]!);
    const generated = sideOf(cluster.theirs, cluster.start, cluster.end, (i) => t[theirsAt[i]!] ?? b[i]!);
    if (cluster.ours.length === 0 || cluster.theirs.length === 0) {
      out.push(...(cluster.ours.length === 0 ? generated : mine).flatMap((s) => s.lines));
      continue;
    }
    const older = b.slice(cluster.start, cluster.end);
    // New sections on both sides at one place, under different headings: both stay, the generator's
    // first. (Not into an empty base: two whole documents would be pasted one after the other.)
    if (older.length === 0 && texts[1].lines.length > 0 && !generated.some((s) => mine.some((m) => m.key === s.key))) {
      out.push(...[...generated, ...mine].flatMap((s) => s.lines));
      continue;
    }
    const keys = (sections: Section[]) => sections.map((s) => s.key).join('\n');
    const pairs =
      keys(mine) === keys(older) && keys(generated) === keys(older)
        ? older.map((s, k) => [[mine[k]!], [s], [generated[k]!]] as const)
        : [[mine, older, generated] as const];
    for (const [m, old, g] of pairs) {
      const merged = mergeLines(m, old, g);
      out.push(...parseText(merged.text).lines);
      conflicts += merged.conflicts;
    }
  }
  for (; at < b.length; at++) out.push(...o[oursAt[at]!]!.lines);
  return { text: joinText(out, [...texts], usesCrlf(ours)), conflicts };
}
