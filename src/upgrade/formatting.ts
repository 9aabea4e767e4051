/*
 * What counts as the same line when only formatting differs. An owner who re-indents a file, runs
 * prettier on it or lets an editor trim it has changed no line of content: those lines still line up
 * with the pristine copy, and a generator change to them applies instead of conflicting.
 */

/** Files prettier and editors reformat as code: quotes, semicolons and trailing commas are style there. */
const CODE = /\.(?:[cm]?[jt]sx?|json)$/;
const MARKDOWN = /\.(?:md|markdown)$/;

/** Code without the whitespace outside string literals, with one quote style, without `;`. */
function codeShape(text: string): string {
  let shape = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      const body = text.slice(i + 1, j);
      // In a template literal only the code of its placeholders is reformatted.
      shape +=
        c === '`'
          ? `\`${body.replace(/\$\{([^}]*)\}/g, (_, code: string) => `\${${codeShape(code)}}`)}\``
          : `"${body.replaceAll("\\'", "'").replaceAll('\\"', '"')}"`;
      i = j;
    } else if (c !== ';' && !/\s/.test(c)) {
      shape += c;
    }
  }
  // A trailing comma before a closing bracket is prettier's choice, not a change.
  return shape.replace(/,(?=[)\]}])/g, '');
}

/** Markdown lines without padding: prettier aligns table cells and widens their separators. */
function markdownShape(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/ ?\| ?/g, '|')
    .replace(/:?-{3,}:?/g, (cell) => cell.replace(/-+/, '---'));
}

export interface Formatting {
  /** The line as the diff compares it. */
  key: (line: string) => string;
  /** Whether two runs of lines hold the same content, however they are wrapped and indented. */
  sameContent: (a: readonly string[], b: readonly string[]) => boolean;
}

/** Keys by line: a file's lines are keyed again for every diff and every check of a run of them. */
function remembered(shape: (line: string) => string): (line: string) => string {
  const known = new Map<string, string>();
  return (line) => {
    let key = known.get(line);
    if (key === undefined) known.set(line, (key = shape(line)));
    return key;
  };
}

const CODE_FORMATTING: Formatting = {
  key: remembered((line) => codeShape(line).replace(/,$/, '')),
  sameContent: (a, b) => codeShape(a.join('\n')) === codeShape(b.join('\n')),
};
const markdownKey = remembered(markdownShape);
const MARKDOWN_FORMATTING: Formatting = {
  key: markdownKey,
  sameContent: (a, b) => a.map(markdownKey).join(' ').trim() === b.map(markdownKey).join(' ').trim(),
};
// Shell scripts, Dockerfiles, YAML: only indentation and trailing blanks are style.
const trimmed = (line: string) => line.trim();
const TEXT_FORMATTING: Formatting = {
  key: trimmed,
  sameContent: (a, b) => a.map(trimmed).filter(Boolean).join('\n') === b.map(trimmed).filter(Boolean).join('\n'),
};

export function formattingOf(path: string): Formatting {
  return CODE.test(path) ? CODE_FORMATTING : MARKDOWN.test(path) ? MARKDOWN_FORMATTING : TEXT_FORMATTING;
}

const indentOf = (line: string) => line.match(/^[ \t]*/)![0];

/**
 * The owner's indentation, learnt from the lines they kept: each pristine indent -> the one the
 * owner's copy uses most for it. Undefined when the owner kept the generator's indentation.
 */
export function indentationMap(pairs: Iterable<[string, string]>): Map<string, string> | undefined {
  const votes = new Map<string, Map<string, number>>();
  for (const [base, ours] of pairs) {
    if (base.trim() === '' || base.trim() !== ours.trim()) continue;
    const [from, to] = [indentOf(base), indentOf(ours)];
    const counts = votes.get(from) ?? new Map<string, number>();
    counts.set(to, (counts.get(to) ?? 0) + 1);
    votes.set(from, counts);
  }
  const map = new Map<string, string>();
  for (const [from, counts] of votes) map.set(from, [...counts].sort((x, y) => y[1] - x[1])[0]![0]);
  return [...map].some(([from, to]) => from !== to) ? map : undefined;
}

/**
 * A generator line in the owner's indentation: an indent seen in the map is replaced; a deeper one
 * is converted level by level when the owner's style is a consistent re-indent (2 to 4 spaces, to tabs).
 */
export function reindent(line: string, map: Map<string, string> | undefined): string {
  if (!map || line.trim() === '') return line;
  const indent = indentOf(line);
  const known = map.get(indent);
  if (known !== undefined) return known + line.slice(indent.length);
  const unit = [...map.keys()].filter((k) => /^ +$/.test(k)).sort((x, y) => x.length - y.length)[0];
  const target = unit && map.get(unit);
  if (!unit || target === undefined || !/^ +$/.test(indent) || indent.length % unit.length !== 0) return line;
  const consistent = [...map].every(
    ([from, to]) => !/^ +$/.test(from) || from.length % unit.length !== 0 || to === target.repeat(from.length / unit.length),
  );
  return consistent ? target.repeat(indent.length / unit.length) + line.slice(indent.length) : line;
}
