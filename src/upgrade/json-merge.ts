import { isDeepStrictEqual } from 'node:util';
import { type MergeLabels, type Merged, mergeText, normalizeEol, usesCrlf } from './merge.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseObject(text: string): JsonObject | undefined {
  try {
    const value = JSON.parse(text) as Json;
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const same = (a: Json | undefined, b: Json | undefined) => isDeepStrictEqual(a, b);

interface Conflict {
  ours: Json | undefined;
  theirs: Json | undefined;
}

/**
 * Merges one value: whichever side changed it from the base wins; both objects merge key by key;
 * anything else both changed differently is a conflict, recorded as a placeholder string to be
 * replaced by conflict markers once the whole document is laid out.
 */
function mergeValue(ours: Json | undefined, base: Json | undefined, theirs: Json | undefined, conflicts: Conflict[]): Json | undefined {
  if (same(ours, theirs) || same(theirs, base)) return ours;
  if (same(ours, base)) return theirs;
  if (isObject(ours) && isObject(theirs)) return mergeObject(ours, isObject(base) ? base : {}, theirs, conflicts);
  conflicts.push({ ours, theirs });
  return placeholder(conflicts.length - 1);
}

/** The owner's key order; a key only the generator added goes after the key it follows there. */
function mergeObject(ours: JsonObject, base: JsonObject, theirs: JsonObject, conflicts: Conflict[]): JsonObject {
  const order = Object.keys(ours);
  let after = -1;
  for (const key of Object.keys(theirs)) {
    const at = order.indexOf(key);
    if (at === -1) order.splice(++after, 0, key);
    else after = at;
  }
  const merged: JsonObject = {};
  for (const key of order) {
    const value = mergeValue(ours[key], base[key], theirs[key], conflicts);
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

const PLACEHOLDER = '\u0000conflict ';
const placeholder = (index: number) => `${PLACEHOLDER}${index}`;

/** The indentation the owner's file uses, so a rewritten file keeps its look. */
function indentOf(text: string): string {
  return text.match(/^\{\r?\n([ \t]+)\S/)?.[1] ?? '  ';
}

function member(key: string, value: Json, indent: string, depth: string, comma: string): string {
  const body = JSON.stringify(value, null, indent).replaceAll('\n', `\n${depth}`);
  return `${depth}${JSON.stringify(key)}: ${body}${comma}\n`;
}

/**
 * Lays the merged document out, turning each placeholder line back into the two versions of that
 * member between the same conflict markers a text merge writes.
 */
function layout(merged: JsonObject, conflicts: Conflict[], indent: string, labels: MergeLabels): string {
  const text = `${JSON.stringify(merged, null, indent)}\n`;
  if (conflicts.length === 0) return text;
  const escaped = JSON.stringify(PLACEHOLDER).slice(1, -1);
  const line = new RegExp(`^([ \\t]*)("(?:[^"\\\\]|\\\\.)*"): "${escaped.replaceAll('\\', '\\\\')}(\\d+)"(,?)$`);
  return text
    .split('\n')
    .map((row) => {
      const found = row.match(line);
      if (!found) return row;
      const [, depth = '', key = '', index = '', comma = ''] = found;
      const { ours, theirs } = conflicts[Number(index)]!;
      const side = (value: Json | undefined) => (value === undefined ? '' : member(JSON.parse(key) as string, value, indent, depth, comma));
      return `${'<'.repeat(7)} ${labels.ours}\n${side(ours)}${'='.repeat(7)}\n${side(theirs)}${'>'.repeat(7)} ${labels.theirs}`;
    })
    .join('\n');
}

/**
 * Merges JSON files (package.json above all) by key instead of by line, so the owner's dependencies
 * and scripts survive beside the generator's new ones whatever lines they sit on. When the plain
 * text merge is clean and means the same, its text is kept: it leaves the owner's formatting alone.
 * Returns undefined when a side is not a JSON object (a broken or commented file): merge it as text.
 */
export function mergeJson(ours: string, base: string, theirs: string, labels: MergeLabels, path = 'file.json'): Merged | undefined {
  const [o, b, t] = [ours, base, theirs].map(parseObject);
  if (!o || !b || !t) return undefined;
  const conflicts: Conflict[] = [];
  const merged = mergeObject(o, b, t, conflicts);
  if (conflicts.length === 0) {
    const byLine = mergeText(ours, base, theirs, labels, path);
    if (byLine.conflicts === 0 && same(parseObject(byLine.text), merged)) return byLine;
  }
  const text = layout(merged, conflicts, indentOf(normalizeEol(ours)), labels);
  return { text: usesCrlf(ours) ? text.replaceAll('\n', '\r\n') : text, conflicts: conflicts.length };
}
