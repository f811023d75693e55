/**
 * Runs a connection snippet exactly as `certs snippet` printed it, with the real client: node
 * (ESM from standard input, from the repository root so that ioredis and node-redis resolve),
 * /usr/bin/python3 (Debian's python3-redis), bash (after `bash -n`), `java File.java`, or a real
 * stunnel in the foreground with a PING through its accept port. Every process is bounded and
 * stopped by its pid.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ROOT, run } from './cli.js';
import { startBackground, stopProcess, waitForPort } from './process.js';
import { plainPing, waitForOutput } from './stunnel.js';

/** What `certs snippet --json` prints, in the parts a run needs. */
export interface PrintedSnippet {
  readonly client: string;
  readonly language: 'javascript' | 'python' | 'bash' | 'stunnel' | 'java';
  readonly text: string;
}

/** How a run ended: the exit code (null for stunnel) and everything it printed. */
export interface SnippetRun {
  readonly code: number | null;
  /** stdout, then stderr (stunnel: the PING reply, then its log). */
  readonly output: string;
  /** The first line of stdout: what the snippet printed for PING. */
  readonly reply: string;
}

/** Longest a snippet may run: a refused handshake ends it long before (never a test verdict). */
const RUN_BOUND_MS = 60_000;

/**
 * Runs `snippet` once. `dir` holds the files written for it (the snippet, stunnel's log);
 * stunnel listens on the port the snippet's `accept` line names.
 */
export async function runSnippet(
  t: TestContext,
  snippet: PrintedSnippet,
  dir: string,
  name = 'snippet',
): Promise<SnippetRun> {
  const done = (code: number | null, stdout: string, stderr: string): SnippetRun => ({
    code,
    output: `${stdout}\n${stderr}`,
    reply: stdout.split('\n')[0]?.trim() ?? '',
  });
  switch (snippet.language) {
    case 'javascript': {
      const result = await run(process.execPath, ['--input-type=module'], {
        cwd: ROOT,
        input: snippet.text,
        timeoutMs: RUN_BOUND_MS,
      });
      return done(result.code, result.stdout, result.stderr);
    }
    case 'python': {
      const file = join(dir, `${name}.py`);
      writeFileSync(file, snippet.text);
      const result = await run('/usr/bin/python3', [file], { timeoutMs: RUN_BOUND_MS });
      return done(result.code, result.stdout, result.stderr);
    }
    case 'bash': {
      const file = join(dir, `${name}.sh`);
      writeFileSync(file, snippet.text);
      const syntax = await run('bash', ['-n', file]);
      assert.equal(syntax.code, 0, `bash -n ${file}: ${syntax.stderr}`);
      const result = await run('bash', [file], { timeoutMs: RUN_BOUND_MS });
      return done(result.code, result.stdout, result.stderr);
    }
    case 'java': {
      const file = join(dir, `${name}.java`);
      writeFileSync(file, snippet.text);
      const result = await run('java', [file], { timeoutMs: RUN_BOUND_MS });
      return done(result.code, result.stdout, result.stderr);
    }
    case 'stunnel': {
      const file = join(dir, `${name}.conf`);
      writeFileSync(file, snippet.text);
      const accept = /^accept = 127\.0\.0\.1:(\d+)$/m.exec(snippet.text)?.[1];
      assert.ok(accept !== undefined, 'the stunnel snippet accepts on 127.0.0.1');
      const stunnel = startBackground(t, 'stunnel', [file]);
      await waitForPort(Number(accept), stunnel.child, stunnel.output);
      const reply = await plainPing(Number(accept));
      // stunnel logs why it refused after the connection closed: wait for that line (its
      // absence shows in the output the test asserts on), then stop stunnel by its pid.
      if (!reply.startsWith('+')) {
        await waitForOutput(stunnel, /Rejected by CERT|SSL_connect/).catch(() => undefined);
      }
      await stopProcess(stunnel.child);
      return { code: null, output: `${reply}\n${stunnel.output()}`, reply };
    }
  }
}
