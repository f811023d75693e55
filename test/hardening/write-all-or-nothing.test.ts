/**
 * Issue 13 (12): `--force` is all-or-nothing. Each file replaced is kept (a hard link under a
 * temporary name) until every new file is in place; when a later step fails, the files already
 * replaced get their old content back (the very inode) and new ones are removed.
 *
 * The failure is made with atomic-write.ts' test seam (not public API): just before the second file
 * takes its name, a folder appears there, as a concurrent change could make it, and the rename
 * then fails for real (EISDIR).
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { writeClientIdentity } from '../../packages/core/src/workflows/client-identity.js';
import { isCertkitError } from '../../packages/core/src/errors.js';
import { PRIVATE_KEY_MODE, PUBLIC_FILE_MODE } from '../../packages/core/src/io/write-plan.js';
import { writeFilesAtomically, writeTestHooks } from '../../packages/core/src/io/atomic-write.js';

const EC = ['--key-type', 'ec'];

/** Two files written with --force, where a folder appears at the second path just before it is replaced. */
void test('issue 13 (12): --force is all-or-nothing: when replacing the second file fails, the first is given back', async (t) => {
  const rows = [
    { name: 'both files existed', secondExisted: true },
    { name: 'the second file is new', secondExisted: false },
  ];
  for (const row of rows) {
    await t.test(row.name, async (tt) => {
      const dir = tempDir(tt);
      const key = join(dir, 'keyclient.pem');
      const cert = join(dir, 'cert.pem');
      writeFileSync(key, 'old key\n', { mode: 0o600 });
      if (row.secondExisted) writeFileSync(cert, 'old cert\n');
      const keyInode = statSync(key).ino;
      writeTestHooks.beforeReplace = (path) => {
        if (path === cert) {
          // What a concurrent change could do: the rename over it then fails (EISDIR).
          if (existsSync(cert)) unlinkSync(cert);
          mkdirSync(cert);
        }
        return Promise.resolve();
      };
      tt.after(() => {
        writeTestHooks.beforeReplace = undefined;
      });
      await assert.rejects(
        writeFilesAtomically(
          [
            { path: key, content: 'new key\n', mode: PRIVATE_KEY_MODE },
            { path: cert, content: 'new cert\n', mode: PUBLIC_FILE_MODE },
          ],
          { force: true },
        ),
        (error: unknown) =>
          isCertkitError(error) &&
          error.code === 'WRITE_FAILED' &&
          /nothing was replaced/.test(error.message),
      );
      assert.equal(readFileSync(key, 'utf8'), 'old key\n');
      assert.equal(statSync(key).ino, keyInode, 'the very file, not a copy');
      assert.equal(statSync(key).mode & 0o777, 0o600);
      // Only what was there: no temporary file, no kept copy.
      assert.deepEqual(readdirSync(dir).sort(), ['cert.pem', 'keyclient.pem']);
    });
  }
});

void test('issue 13 (12): a writer (writeClientIdentity) gives the old key back when the certificate cannot be replaced', async (t) => {
  const dir = tempDir(t);
  const made = await runCli(['gen-client', '--cn', 'app', ...EC, '--out', dir]);
  assert.equal(made.code, 0, made.stderr);
  const key = join(dir, 'keyclient.pem');
  const cert = join(dir, 'cert.pem');
  const oldKey = readFileSync(key);
  writeTestHooks.beforeReplace = (path) => {
    if (path === cert) {
      unlinkSync(cert);
      mkdirSync(cert);
    }
    return Promise.resolve();
  };
  t.after(() => {
    writeTestHooks.beforeReplace = undefined;
  });
  await assert.rejects(
    writeClientIdentity({
      subject: { commonName: 'app' },
      keyType: 'ec',
      outDir: dir,
      force: true,
    }),
    (error: unknown) => isCertkitError(error) && error.code === 'WRITE_FAILED',
  );
  assert.ok(readFileSync(key).equals(oldKey), 'the old key is back');
  assert.deepEqual(readdirSync(dir).sort(), ['cert.pem', 'keyclient.pem']);
});
