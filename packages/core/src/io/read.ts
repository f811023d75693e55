/**
 * Bounded reads of inputs: a regular file refused before reading when it is over the cap; a FIFO,
 * a character device or standard input read to its end and refused at the first byte over it;
 * folders, block devices and sockets refused. Nothing an input holds can make a read unbounded.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { CertkitError } from '../errors.js';
import { fsError } from './fs-error.js';

/** Default cap on one input: 10 MiB, far above any real bundle (5,000 certificates are ~7 MiB). */
export const DEFAULT_MAX_INPUT_BYTES = 10 * 1024 * 1024;
/** Longest passphrase file read: a passphrase is one line, far below this. */
export const MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;

/** The input name that means standard input, as in most Unix tools (`certs chain - other.pem`). */
export const STDIN_PATH = '-';

/** Standard input can be read once: a second reader would find it at its end. */
let stdinRead = false;

/** How a FIFO, a character device or standard input is named in errors. */
function streamName(path: string): string {
  return path === STDIN_PATH ? '- (standard input)' : path;
}

/** The refusal of an input over the cap; `size` is undefined for a stream (FIFO, device, stdin). */
function tooLarge(path: string, size: number | undefined, max: number): CertkitError {
  return new CertkitError(
    'FILE_TOO_LARGE',
    size === undefined
      ? `cannot read ${path}: it goes on past the ${String(max)}-byte limit`
      : `cannot read ${path}: ${String(size)} bytes is over the ${String(max)}-byte limit`,
  );
}

/**
 * Reads a stream (a FIFO, a character device) to its end, at most `max` bytes: one byte more
 * is refused, so `/dev/zero` costs `max` bytes of reading, not forever.
 */
async function readStream(handle: FileHandle, path: string, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buffer = Buffer.alloc(Math.min(64 * 1024, max + 1 - total));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > max) throw tooLarge(path, undefined, max);
    chunks.push(buffer.subarray(0, bytesRead));
  }
  const all = Buffer.concat(chunks, total);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/** Reads standard input to its end, at most `max` bytes, once per process. */
async function readStdin(max: number): Promise<Uint8Array> {
  const name = streamName(STDIN_PATH);
  if (stdinRead) {
    throw new CertkitError(
      'INVALID_OPTION',
      `cannot read ${name} twice: it is read once, so name - for one input only`,
    );
  }
  stdinRead = true;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
      total += chunk.length;
      // Leaving the loop destroys the stream: nothing more is read.
      if (total > max) throw tooLarge(name, undefined, max);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof CertkitError) throw error;
    throw fsError(error, name, 'read');
  }
  const all = Buffer.concat(chunks, total);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * Reads a whole input: a regular file, refused before reading when it is larger than
 * `maxBytes`; a FIFO (`<(certs fetch …)`, `mkfifo`) or a character device (`/dev/stdin`), read
 * to its end and refused at the first byte over `maxBytes`; or standard input for
 * {@link STDIN_PATH} (`-`), likewise, once per process. Directories, block devices and sockets
 * are refused; with `regularFileOnly`, streams too (without waiting for a FIFO's writer), for a
 * read that must not block, such as a hint about a value.
 *
 * @example
 * ```ts
 * const bytes = await readInputFile('servercerts.pem');
 * ```
 */
export async function readInputFile(
  path: string,
  options: { maxBytes?: number; regularFileOnly?: boolean } = {},
): Promise<Uint8Array> {
  const max = options.maxBytes ?? DEFAULT_MAX_INPUT_BYTES;
  const streams = options.regularFileOnly !== true;
  if (path === STDIN_PATH && streams) return readStdin(max);
  let handle: FileHandle;
  try {
    // Blocking, as `cat` opens: a FIFO opens once its writer has. Without streams, at once.
    handle = await open(path, constants.O_RDONLY | (streams ? 0 : constants.O_NONBLOCK));
  } catch (error) {
    throw fsError(error, path, 'read');
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory())
      throw new CertkitError('NOT_A_FILE', `cannot read ${path}: it is a directory`);
    if (streams && (info.isFIFO() || info.isCharacterDevice()))
      return await readStream(handle, path, max);
    if (!info.isFile())
      throw new CertkitError(
        'NOT_A_FILE',
        streams
          ? `cannot read ${path}: not a regular file, a FIFO or a character device`
          : `cannot read ${path}: not a regular file`,
      );
    if (info.size > max) throw tooLarge(path, info.size, max);
    const buffer = Buffer.alloc(info.size);
    let offset = 0;
    while (offset < info.size) {
      const { bytesRead } = await handle.read(buffer, offset, info.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return new Uint8Array(buffer.buffer, buffer.byteOffset, offset);
  } catch (error) {
    if (error instanceof CertkitError) throw error;
    throw fsError(error, path, 'read');
  } finally {
    await handle.close();
  }
}

/**
 * Reads a passphrase from the first line of a file, as `openssl … -passin file:PATH` does
 * (the line end is not part of it). Refuses an empty passphrase: it would encrypt in name only.
 *
 * @throws {@link CertkitError} `INVALID_OPTION` for an empty first line, or a read error
 *
 * @example
 * ```ts
 * const passphrase = await readPassphraseFile('key.pass');
 * await writeClientIdentity({ subject: { commonName: 'app' }, passphrase });
 * ```
 */
export async function readPassphraseFile(path: string): Promise<string> {
  const bytes = await readInputFile(path, { maxBytes: MAX_PASSPHRASE_FILE_BYTES });
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const passphrase = text.split(/\r?\n/, 1)[0] ?? '';
  if (passphrase.length === 0) {
    throw new CertkitError('INVALID_OPTION', `${path} holds an empty passphrase`);
  }
  return passphrase;
}
