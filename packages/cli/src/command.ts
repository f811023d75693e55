/** The shape of a `certs` command module: yargs wiring (light) and a lazily-loaded runner. */
import type { Argv } from 'yargs';
import type { Example } from './help.js';
import type { OptionRule } from './options.js';
import type { Io } from './output.js';

/** One command. `builder` must not import core: core loads only when a command runs. */
export interface CommandSpec<A> {
  readonly command: string;
  readonly describe: string;
  readonly builder: (yargs: Argv) => Argv<A>;
  /** Shown in its help, each command line whole (help.ts). */
  readonly examples: readonly Example[];
  /**
   * Options that only make sense with another: checked in order before `run`, which then sees
   * what an `implies` rule set (options.ts).
   */
  readonly rules?: readonly OptionRule[];
  /** Runs the command; returns the exit code. Throws for "could not run" (exit 2). */
  readonly run: (args: A, io: Io) => Promise<number>;
}

/** Identity helper that keeps the builder's inferred argument type for `run`. */
export function defineCommand<A>(spec: CommandSpec<A>): CommandSpec<A> {
  return spec;
}
