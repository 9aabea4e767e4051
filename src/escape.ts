/*
 * Handlebars escapes for HTML, which is wrong for every file we write (JSON, shell, TypeScript,
 * Markdown). Each helper escapes for one kind of file and returns it Verbatim, so Handlebars adds
 * nothing of its own. They all throw on undefined: a misspelt variable fails the render instead of
 * writing an empty string.
 */

function defined(helper: string, value: unknown): unknown {
  if (value === undefined || value === null) {
    throw new Error(`template helper "${helper}" got an undefined value (misspelt variable?)`);
  }
  return value;
}

export function jsonLiteral(value: unknown): string {
  return JSON.stringify(defined('json', value));
}

export function shellWord(value: unknown): string {
  return `'${String(defined('sh', value)).replaceAll("'", `'\\''`)}'`;
}

export function oneLine(value: unknown): string {
  return String(defined('text', value)).replace(/\s+/g, ' ').trim();
}

const IDENTIFIER = /^[A-Za-z0-9@/._:,+-]+$/;

export function identifier(value: unknown): string {
  const text = String(defined('id', value));
  if (!IDENTIFIER.test(text)) {
    throw new Error(`template helper "id" refuses ${JSON.stringify(text)}: use json, sh or text for free text`);
  }
  return text;
}

/**
 * Text a helper has escaped already, or built from our own words: Handlebars prints what toHTML()
 * returns instead of escaping it for HTML, as it does for its own SafeString.
 */
export class Verbatim {
  constructor(private readonly text: string) {}

  toHTML(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }
}

const safe =
  (escape: (value: unknown) => string) =>
  (value: unknown): Verbatim =>
    new Verbatim(escape(value));

/** The escaping helpers templates/README.md documents, by the name templates call them. */
export const escapingHelpers = {
  json: safe(jsonLiteral),
  sh: safe(shellWord),
  text: safe(oneLine),
  id: safe(identifier),
} as const;
