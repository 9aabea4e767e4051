/*
 * node-plop imports inquirer for plop's own prompts. We ask through `prompts` from the answers
 * table and give node-plop generators without questions, so the bundle swaps inquirer (and its
 * dependency tree) for this stand-in. Reaching it means a generator grew plop prompts by mistake.
 */
function refuse(): never {
  throw new Error('create-iexec-module asks its questions through src/answers.ts, not plop prompts');
}

export default { registerPrompt: refuse, prompt: refuse };
