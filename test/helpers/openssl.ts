/** The `openssl` command line, for differential tests. */
import { run } from './cli.js';
import type { RunResult } from './cli.js';

/** Runs `openssl ...args`. */
export function openssl(
  args: readonly string[],
  options: { cwd?: string; input?: string } = {},
): Promise<RunResult> {
  return run('openssl', args, options);
}
