/**
 * `certs stunnel test CONF`: run stunnel on the user's configuration for a moment and send RESP
 * `PING` through its first service, as an application would. stunnel runs in the foreground from
 * a temporary copy that changes only where it logs and that it writes no pid file
 * (make/stunnel-run-config.ts); nothing of the user's is changed. stunnel is stopped by its pid
 * whatever happens, and its log lines explain a refusal (judge/stunnel-run.ts).
 */
import { dirname, resolve } from 'node:path';
import { CertkitError } from '../errors.js';
import { readInputFile } from '../io/read.js';
import { makeRunFolder } from '../io/folders.js';
import { isListening, plainPing } from '../io/plain.js';
import { startProgram } from '../io/process.js';
import { readStunnelConfig } from '../judge/stunnel-service.js';
import { explainStunnelLog, stunnelTestTarget } from '../judge/stunnel-run.js';
import { stunnelRunConfig } from '../make/stunnel-run-config.js';
import { readLimit } from './common.js';

/** Default time for stunnel to start and for the reply to `PING`, each: 15 seconds. */
export const STUNNEL_TEST_TIMEOUT_MS = 15_000;
/** Time given to stunnel to log why a connection ended, after it ended. */
const LOG_SETTLE_MS = 2_000;

/** Options of {@link testStunnelConfig}. */
export interface StunnelTestOptions {
  /** For stunnel to start listening, and for the reply; default {@link STUNNEL_TEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Largest configuration read; default `DEFAULT_MAX_INPUT_BYTES`. */
  readonly maxInputBytes?: number;
  /** The stunnel program; default `stunnel` from PATH. */
  readonly program?: string;
}

/** What {@link testStunnelConfig} saw. */
export interface StunnelTestResult {
  /** A reply came back through the tunnel. */
  readonly ok: boolean;
  /** The reply was `+PONG`. */
  readonly pong: boolean;
  readonly source: string;
  readonly service: string;
  readonly accept: string;
  /** The first reply line (`+PONG`, `-NOAUTH …`), when one came. */
  readonly reply?: string;
  /** Why no reply came: stunnel did not start, or the connection ended without one. */
  readonly error?: string;
  /** True when stunnel listened on the accept address. */
  readonly started: boolean;
  /** stunnel's lines that explain the outcome (errors and warnings first). */
  readonly log: readonly string[];
  /** The pid stunnel ran as: stopped before this result was returned. */
  readonly pid: number;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs stunnel on a configuration and sends `PING` through its first service's accept address.
 *
 * @throws {@link CertkitError} when the test cannot run: an unreadable file or no configuration
 * (`NOT_A_CONFIGURATION`), no service with an accept address or an accept address already in
 * use (`INVALID_OPTION`), stunnel not installed (`PROGRAM_NOT_FOUND`)
 *
 * @example
 * ```ts
 * const result = await testStunnelConfig('/etc/stunnel/redislabs.conf');
 * console.log(result.pong ? 'PONG' : result.log.join('\n'));
 * ```
 */
export async function testStunnelConfig(
  path: string,
  options: StunnelTestOptions = {},
): Promise<StunnelTestResult> {
  const timeoutMs = options.timeoutMs ?? STUNNEL_TEST_TIMEOUT_MS;
  const bytes = await readInputFile(path, readLimit(options.maxInputBytes));
  const parsed = readStunnelConfig(bytes, path);
  const target = stunnelTestTarget(parsed, path);
  const where = `${target.host}:${String(target.port)}`;
  if (await isListening(target.host, target.port, 2_000)) {
    throw new CertkitError(
      'INVALID_OPTION',
      `${where} (accept of [${target.service}]) is in use already: is this stunnel running? Stop it first, or test a copy with another accept address`,
    );
  }
  const run = await makeRunFolder('certs-stunnel-test-');
  try {
    const logPath = resolve(run.path, 'stunnel.log');
    const config = stunnelRunConfig(bytes, parsed, { logPath });
    const runPath = await run.write('stunnel.conf', config.bytes);
    const mapping = { runPath, userPath: path, addedLines: config.addedLines };
    // Relative paths in the configuration resolve from its folder, as lint reads them.
    const stunnel = await startProgram(options.program ?? 'stunnel', [runPath], {
      cwd: dirname(resolve(path)),
    });
    try {
      const deadline = Date.now() + timeoutMs;
      let listening = false;
      while (!stunnel.ended() && Date.now() < deadline) {
        if (await isListening(target.host, target.port, 500)) {
          listening = true;
          break;
        }
        await sleep(50);
      }
      const base = {
        source: path,
        service: target.service,
        accept: target.accept,
        pid: stunnel.pid,
      };
      if (!listening) {
        await stunnel.stop();
        return {
          ...base,
          ok: false,
          pong: false,
          started: false,
          error: stunnel.ended()
            ? `stunnel stopped before listening on ${where} (exit ${String(stunnel.exitCode())})`
            : `stunnel did not listen on ${where} within ${String(Math.round(timeoutMs / 1000))} s`,
          log: explainStunnelLog(stunnel.output(), mapping),
        };
      }
      const ping = await plainPing(
        target.host,
        target.port,
        Math.max(deadline - Date.now(), 1_000),
      );
      if (ping.reply === undefined) {
        // stunnel logs why after the connection ends: give it a moment.
        const settle = Date.now() + LOG_SETTLE_MS;
        while (Date.now() < settle && !/Connection (closed|reset)/.test(stunnel.output())) {
          await sleep(25);
        }
      }
      await stunnel.stop();
      return {
        ...base,
        ok: ping.reply !== undefined,
        pong: ping.reply === '+PONG',
        started: true,
        ...(ping.reply === undefined ? {} : { reply: ping.reply }),
        ...(ping.error === undefined ? {} : { error: ping.error }),
        log: explainStunnelLog(stunnel.output(), mapping, { errorsOnly: ping.reply !== undefined }),
      };
    } finally {
      await stunnel.stop();
    }
  } finally {
    await run.remove();
  }
}
