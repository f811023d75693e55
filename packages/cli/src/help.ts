/**
 * Help text that can be copied: yargs lays examples out in two columns and wraps them inside
 * the command at the terminal's width; certs prints each example's command on a line of its
 * own, never wrapped, and its description on the next. The help of `certs completion` too,
 * which yargs answers with the script itself.
 */
import { EXIT_CODES_HELP } from './exit-codes.js';

/** One example: a whole command line, and what it does. */
export type Example = readonly [command: string, description: string];

/** The line yargs lays out in the epilogue, where the examples of `command` go. */
export function examplesMark(command: string): string {
  return `@@certs-examples:${command}@@`;
}

/** The examples section: each command line whole, its description indented below. */
export function renderExamples(examples: readonly Example[]): string {
  if (examples.length === 0) return '';
  return [
    'Examples:',
    ...examples.flatMap(([command, what]) => [`  ${command}`, `      ${what}`]),
  ].join('\n');
}

/** yargs' rendered help with each examples mark replaced by its examples. */
export function withExamples(
  help: string,
  examplesOf: (command: string) => readonly Example[],
): string {
  return help.replace(/^@@certs-examples:([a-z0-9-]*)@@$/gm, (_mark, command: string) =>
    renderExamples(examplesOf(command)),
  );
}

/**
 * Columns for the help layout: the terminal's, else `COLUMNS` (shells export it; tests set it),
 * else 80; at most 110, which keeps descriptions readable on wide terminals.
 */
export function helpWidth(): number {
  const columns = process.stdout.columns || Number(process.env.COLUMNS) || 80;
  return Math.max(40, Math.min(110, columns));
}

/** `certs completion --help`. */
export const COMPLETION_HELP = `certs completion

Prints a bash/zsh completion script for certs. Add it to your shell's start-up file once, then
open a new shell: certs <Tab> lists the commands, certs gen-client --<Tab> their options.

Options:
  -h, --help  Show help

${renderExamples([
  ['certs completion >> ~/.bashrc', 'bash'],
  ['certs completion >> ~/.zshrc', 'zsh'],
])}

${EXIT_CODES_HELP}
`;
