/*
 * How the published bundle renders its templates. scripts/bundle-plugins.mjs parses each template
 * with Handlebars at build time (whitespace control applied, as Handlebars renders it) and keeps the
 * little of its language our templates use as a Program: JSON, parsed in well under a millisecond,
 * where Handlebars' precompiled JavaScript weighed 70 kB more than the text and its runtime 17 kB.
 * A construct outside it fails the build. test/bundle.test.ts checks this renders what Handlebars
 * renders, for every kind of module.
 */

/** A value a helper or a block gets: a field of the context (`feature.args`; `this` is []), a literal, or `(helper …)`. */
export type Expression = { path: string[] } | { literal: string | number | boolean | null } | { call: string; params: Expression[] };

/** Template text, `{{helper …}}`, or `{{#helper …}}fn{{else}}inverse{{/helper}}`. */
export type Statement = string | { print: string; params: Expression[] } | { block: string; params: Expression[]; fn: Program; inverse?: Program };

export type Program = Statement[];

/** What a helper returns to be printed: text Handlebars does not escape for HTML (src/escape.ts). */
interface Printable {
  toHTML(): string;
}

/** Helpers as Handlebars calls them: the block's own content comes as `options.fn`. */
export type Helpers = Readonly<Record<string, (this: unknown, ...args: never[]) => unknown>>;

function lookup(context: unknown, path: string[]): unknown {
  let value = context;
  for (const key of path) {
    if (value === null || value === undefined) return value;
    // Handlebars reads own properties only: nothing from a prototype reaches a template.
    value = Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function helper(helpers: Helpers, name: string): (this: unknown, ...args: unknown[]) => unknown {
  const found = helpers[name];
  if (!found) throw new Error(`{{${name}}} is not a helper: interpolate through json, sh, text or id`);
  return found as (this: unknown, ...args: unknown[]) => unknown;
}

function evaluate(expression: Expression, context: unknown, helpers: Helpers): unknown {
  if ('path' in expression) return lookup(context, expression.path);
  if ('literal' in expression) return expression.literal;
  return helper(helpers, expression.call).call(context, ...expression.params.map((p) => evaluate(p, context, helpers)), {});
}

/** Handlebars' `if`: false, empty and zero-like values and empty lists take the `else` branch. */
function truthy(value: unknown): boolean {
  return Boolean(value) && !(Array.isArray(value) && value.length === 0);
}

function block(statement: Extract<Statement, { block: string }>, context: unknown, helpers: Helpers): string {
  const params = statement.params.map((p) => evaluate(p, context, helpers));
  const [first] = params;
  const inverse = () => (statement.inverse ? renderProgram(statement.inverse, context, helpers) : '');
  if (statement.block === 'if') return truthy(first) ? renderProgram(statement.fn, context, helpers) : inverse();
  if (statement.block === 'each') {
    if (first === null || first === undefined || (Array.isArray(first) && first.length === 0)) return inverse();
    if (!Array.isArray(first)) throw new Error(`{{#each}} takes a list, got ${JSON.stringify(first)}`);
    return first.map((item) => renderProgram(statement.fn, item, helpers)).join('');
  }
  return String(helper(helpers, statement.block).call(context, ...params, { fn: (self: unknown) => renderProgram(statement.fn, self, helpers) }));
}

/** The text of one template for this context. */
export function renderProgram(program: Program, context: unknown, helpers: Helpers): string {
  let text = '';
  for (const statement of program) {
    if (typeof statement === 'string') text += statement;
    else if ('print' in statement) {
      const value = helper(helpers, statement.print).call(context, ...statement.params.map((p) => evaluate(p, context, helpers)), {});
      if (typeof (value as Printable | undefined)?.toHTML !== 'function') throw new Error(`{{${statement.print}}} printed unescaped text`);
      text += (value as Printable).toHTML();
    } else text += block(statement, context, helpers);
  }
  return text;
}
