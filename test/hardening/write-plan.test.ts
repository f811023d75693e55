/**
 * Issue 13: writing files safely, for every writer, through the built CLI (one subtest per row):
 *
 * - 6: a device node or a FIFO at an output path is never replaced, not even with --force;
 * - 7: a private key (and the files written with it) goes only into folders owned by the caller
 *   or root and writable by their owner only (ssh StrictModes), parents included;
 * - 11: no output may be one of the command's inputs: same path, hard link, symbolic link to it,
 *   or reached through a symbolically linked folder;
 * - 12: --force is all-or-nothing: in write-all-or-nothing.test.ts (it needs a test seam);
 * - 14: a folder named like a stale temporary file, or another user's, never blocks a write;
 *   absolute --key-file/--cert-file are honoured, not re-rooted under --out.
 *
 * Device nodes and FIFOs are made in temporary folders only (mknod needs root, as these tests
 * run); the folder owned by someone else is made by `nobody` with setpriv.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { createServer } from 'node:tls';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';
import { isCertkitError } from '../../packages/core/src/errors.js';
import { writeClientIdentity } from '../../packages/core/src/workflows/client-identity.js';
import { writeCa, writeServerCertificate } from '../../packages/core/src/workflows/issue.js';

const EC = ['--key-type', 'ec'];

/** Inputs every writer can read: a root CA, a self-signed client identity, a password file. */
interface Inputs {
  readonly dir: string;
  readonly ca: string;
  readonly caKey: string;
  readonly cert: string;
  readonly key: string;
  readonly pass: string;
  /** A loopback TLS server presenting the client certificate, for `fetch`. */
  readonly port: number;
}

async function makeInputs(t: TestContext, base: string): Promise<Inputs> {
  const dir = join(base, 'in');
  mkdirSync(dir, { mode: 0o700 });
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Test Root', ca: true, days: 3650 });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const pass = join(dir, 'p12.pass');
  writeFileSync(pass, 'store password\n');
  const server = createServer(
    { key: readFileSync(client.key), cert: readFileSync(client.cert) },
    (socket) => {
      socket.end();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  );
  const port = (server.address() as AddressInfo).port;
  return { dir, ca: ca.cert, caKey: ca.key, cert: client.cert, key: client.key, pass, port };
}

/** Every command that writes files, writing into `out`; `outputs` are the names it writes there. */
interface Writer {
  readonly name: string;
  readonly writesKey: boolean;
  readonly outputs: readonly string[];
  readonly args: (inputs: Inputs, out: string) => string[];
}

const WRITERS: readonly Writer[] = [
  {
    name: 'gen-client',
    writesKey: true,
    outputs: ['keyclient.pem', 'cert.pem'],
    args: (_, out) => ['gen-client', '--cn', 'app', ...EC, '--out', out],
  },
  {
    name: 'gen-ca',
    writesKey: true,
    outputs: ['ca-key.pem', 'ca.pem'],
    args: (_, out) => ['gen-ca', '--cn', 'Root', ...EC, '--out', out],
  },
  {
    name: 'gen-intermediate',
    writesKey: true,
    outputs: ['intermediate-key.pem', 'intermediate.pem'],
    args: (i, out) => [
      'gen-intermediate',
      '--ca',
      i.ca,
      '--ca-key',
      i.caKey,
      '--cn',
      'Issuing',
      ...EC,
      '--out',
      out,
    ],
  },
  {
    name: 'issue',
    writesKey: true,
    outputs: ['proxy_key.pem', 'proxy_cert.pem'],
    args: (i, out) => [
      'issue',
      '--ca',
      i.ca,
      '--ca-key',
      i.caKey,
      '--cluster',
      'cluster.test',
      ...EC,
      '--out',
      out,
    ],
  },
  {
    name: 'csr',
    writesKey: true,
    outputs: ['proxy_key.pem', 'proxy.csr'],
    args: (_, out) => ['csr', '--cluster', 'cluster.test', ...EC, '--out', out],
  },
  {
    name: 'renew-client',
    writesKey: true,
    outputs: ['keyclient.pem', 'cert.pem'],
    args: (i, out) => ['renew-client', '--cert', i.cert, '--key', i.key, '--out', out],
  },
  {
    name: 'export-p12',
    writesKey: true,
    outputs: ['client.p12'],
    args: (i, out) => [
      'export-p12',
      '--cert',
      i.cert,
      '--key',
      i.key,
      '--password-file',
      i.pass,
      '-o',
      join(out, 'client.p12'),
    ],
  },
  {
    name: 'stunnel',
    writesKey: false,
    outputs: ['redislabs.conf'],
    args: (i, out) => [
      'stunnel',
      '--cert',
      i.cert,
      '--key',
      i.key,
      '--cafile',
      i.ca,
      '--connect',
      'redis.test:12000',
      '-o',
      join(out, 'redislabs.conf'),
    ],
  },
  {
    name: 'fetch',
    writesKey: false,
    outputs: ['chain.pem'],
    args: (i, out) => ['fetch', `127.0.0.1:${String(i.port)}`, '-o', join(out, 'chain.pem')],
  },
  {
    name: 'chain',
    writesKey: false,
    outputs: ['bundle.pem'],
    args: (i, out) => ['chain', i.ca, '-o', join(out, 'bundle.pem')],
  },
];

function must(command: string, args: readonly string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}: ${result.stderr}`);
}

/** Runs a command as `nobody`, with no supplementary groups. */
function asNobody(args: readonly string[]): void {
  must('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...args]);
}

const NOBODY_UID = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim();

/** The one line a refused command prints. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  return lines[0] ?? '';
}

/** Sanity: every writer works into a fresh private folder, so a refusal below is the rule's. */
void test('issue 13: every writer of the table writes into a private folder', async (t) => {
  const base = tempDir(t);
  const inputs = await makeInputs(t, base);
  for (const writer of WRITERS) {
    await t.test(writer.name, async () => {
      const out = join(base, `ok-${writer.name}`);
      mkdirSync(out, { mode: 0o700 });
      const result = await runCli(writer.args(inputs, out));
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(readdirSync(out).sort(), [...writer.outputs].sort());
    });
  }
});

const SPECIAL_FILES = [
  {
    name: 'a character device (a copy of /dev/null)',
    kind: 'a character device',
    make: (path: string) => {
      must('mknod', [path, 'c', '1', '3']);
    },
    still: (path: string) => lstatSync(path).isCharacterDevice(),
  },
  {
    name: 'a FIFO',
    kind: 'a FIFO \\(named pipe\\)',
    make: (path: string) => {
      must('mkfifo', [path]);
    },
    still: (path: string) => lstatSync(path).isFIFO(),
  },
];

for (const special of SPECIAL_FILES) {
  void test(`issue 13 (6): --force never replaces ${special.name} at an output path`, async (t) => {
    const base = tempDir(t);
    const inputs = await makeInputs(t, base);
    for (const writer of WRITERS) {
      await t.test(writer.name, async () => {
        const out = join(base, writer.name);
        mkdirSync(out, { mode: 0o700 });
        // The last output: for pairs, the key comes first and must not be written either.
        const name = writer.outputs[writer.outputs.length - 1] ?? '';
        const target = join(out, name);
        special.make(target);
        const result = await runCli([...writer.args(inputs, out), '--force']);
        assert.equal(result.code, 2, result.stderr);
        assert.match(
          oneLine(result.stderr),
          new RegExp(
            `^certs: refusing to write .*${name.replace('.', '\\.')}: it is ${special.kind}, and only a regular file or a symbolic link is ever replaced`,
          ),
        );
        assert.ok(special.still(target), 'the special file is still there');
        assert.deepEqual(readdirSync(out), [name], 'nothing else written');
      });
    }
  });
}

void test('issue 13 (6): --json reports a refused device as one document, code NOT_A_FILE', async (t) => {
  const base = tempDir(t);
  const inputs = await makeInputs(t, base);
  const device = join(base, 'null');
  must('mknod', [device, 'c', '1', '3']);
  const result = await runCli(['chain', inputs.ca, '-o', device, '--force', '--json']);
  assert.equal(result.code, 2);
  const doc = JSON.parse(result.stdout) as { ok: boolean; error: { code: string } };
  assert.deepEqual([doc.ok, doc.error.code], [false, 'NOT_A_FILE']);
  assert.ok(lstatSync(device).isCharacterDevice());
});

/**
 * Folders for the ownership rule: `base` (0755, root) holds `shared`, sticky and world-writable
 * like /tmp, where `nobody` makes its own folder. A 0700 parent would keep nobody out.
 */
function sharedFolders(t: TestContext): { base: string; shared: string; theirs: string } {
  const base = tempDir(t);
  chmodSync(base, 0o755);
  const shared = join(base, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o1777);
  const theirs = join(shared, 'theirs');
  asNobody(['mkdir', theirs]);
  assert.equal(String(statSync(theirs).uid), NOBODY_UID);
  return { base, shared, theirs };
}

const KEY_WRITERS = WRITERS.filter((w) => w.writesKey);

const UNSAFE_FOLDERS = [
  {
    name: 'a folder made by nobody',
    folder: (f: { base: string; theirs: string }) => f.theirs,
    message: `its folder .*/theirs belongs to user ${NOBODY_UID}, who could replace the files in it`,
  },
  {
    name: 'a group-writable folder (0770)',
    folder: (f: { base: string }) => {
      const out = join(f.base, 'group');
      mkdirSync(out);
      chmodSync(out, 0o770);
      return out;
    },
    message: `its folder .*/group is writable by its group \\(mode 0770\\)`,
  },
  {
    name: 'a private folder inside a folder made by nobody',
    folder: (f: { theirs: string }) => {
      const out = join(f.theirs, 'mine');
      mkdirSync(out, { mode: 0o700 });
      return out;
    },
    message: `.*/theirs belongs to user ${NOBODY_UID}, who could move .*/mine away`,
  },
];

for (const row of UNSAFE_FOLDERS) {
  void test(`issue 13 (7): no private key is written into ${row.name}, with or without --force`, async (t) => {
    for (const writer of KEY_WRITERS) {
      await t.test(writer.name, async (tt) => {
        const folders = sharedFolders(tt);
        const inputs = await makeInputs(tt, folders.base);
        const out = row.folder(folders);
        for (const force of [[], ['--force']]) {
          const result = await runCli([...writer.args(inputs, out), ...force]);
          assert.equal(result.code, 2, result.stderr);
          assert.match(
            oneLine(result.stderr),
            new RegExp(`^certs: refusing to write .*${row.message}`),
          );
          assert.deepEqual(readdirSync(out), [], 'nothing written');
        }
      });
    }
  });
}

void test('issue 13 (7): a private folder of root under a sticky shared folder (like mktemp -d in /tmp) is accepted', async (t) => {
  const folders = sharedFolders(t);
  const inputs = await makeInputs(t, folders.base);
  for (const writer of KEY_WRITERS) {
    await t.test(writer.name, async () => {
      const out = join(folders.shared, `mine-${writer.name}`);
      mkdirSync(out, { mode: 0o700 });
      const result = await runCli(writer.args(inputs, out));
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(readdirSync(out).sort(), [...writer.outputs].sort());
    });
  }
});

/**
 * Writers that read files, each with one output aimed at one input. `fixed` is the output's
 * name where the command does not let it be chosen. gen-ca, csr and fetch read no file.
 */
interface Collision {
  readonly name: string;
  readonly input: (inputs: Inputs) => string;
  readonly fixed?: string;
  readonly args: (inputs: Inputs, input: string, out: string, name: string) => string[];
}

const COLLISIONS: readonly Collision[] = [
  {
    name: 'gen-client: the certificate over the --key it certifies',
    input: (i) => i.key,
    args: (_, input, out, name) => [
      'gen-client',
      '--cn',
      'app',
      '--key',
      input,
      '--out',
      out,
      '--cert-file',
      name,
    ],
  },
  {
    name: 'gen-intermediate: the new key over --ca-key',
    input: (i) => i.caKey,
    fixed: 'intermediate-key.pem',
    args: (i, input, out) => [
      'gen-intermediate',
      '--ca',
      i.ca,
      '--ca-key',
      input,
      '--cn',
      'Issuing',
      ...EC,
      '--out',
      out,
    ],
  },
  {
    name: 'issue: the new key over --ca-key',
    input: (i) => i.caKey,
    args: (i, input, out, name) => [
      'issue',
      '--ca',
      i.ca,
      '--ca-key',
      input,
      '--cluster',
      'cluster.test',
      ...EC,
      '--out',
      out,
      '--key-file',
      name,
    ],
  },
  {
    name: 'renew-client --reuse-key: the certificate over --key',
    input: (i) => i.key,
    args: (i, input, out, name) => [
      'renew-client',
      '--cert',
      i.cert,
      '--key',
      input,
      '--reuse-key',
      '--out',
      out,
      '--cert-file',
      name,
    ],
  },
  {
    name: 'renew-client: the new key over --cert',
    input: (i) => i.cert,
    args: (i, input, out, name) => [
      'renew-client',
      '--cert',
      input,
      '--key',
      i.key,
      '--out',
      out,
      '--key-file',
      name,
      '--cert-file',
      'renewed.pem',
    ],
  },
  {
    name: 'export-p12: the store over --key',
    input: (i) => i.key,
    args: (i, input, out, name) => [
      'export-p12',
      '--cert',
      i.cert,
      '--key',
      input,
      '--password-file',
      i.pass,
      '-o',
      join(out, name),
    ],
  },
  {
    name: 'stunnel: the configuration over --cafile',
    input: (i) => i.ca,
    args: (i, input, out, name) => [
      'stunnel',
      '--cert',
      i.cert,
      '--key',
      i.key,
      '--cafile',
      input,
      '--connect',
      'redis.test:12000',
      '-o',
      join(out, name),
    ],
  },
  {
    name: 'chain: the bundle over its input',
    input: (i) => i.ca,
    args: (_, input, out, name) => ['chain', input, '-o', join(out, name)],
  },
];

/** Ways an output path can be an input: each returns the input to read and where to write. */
const ALIASES = [
  {
    name: 'the same path',
    aim: (base: string, input: string, fixed: string | undefined) => {
      if (fixed === undefined) return { input, out: dirname(input), name: basename(input) };
      const copy = join(base, 'same', fixed);
      mkdirSync(dirname(copy), { mode: 0o700 });
      copyFileSync(input, copy);
      return { input: copy, out: dirname(copy), name: fixed };
    },
  },
  {
    name: 'a hard link to the input',
    aim: (base: string, input: string, fixed: string | undefined) => {
      const out = join(base, 'out');
      mkdirSync(out, { mode: 0o700 });
      const name = fixed ?? 'hard.pem';
      linkSync(input, join(out, name));
      return { input, out, name };
    },
  },
  {
    name: 'a symbolic link to the input',
    aim: (base: string, input: string, fixed: string | undefined) => {
      const out = join(base, 'out');
      mkdirSync(out, { mode: 0o700 });
      const name = fixed ?? 'link.pem';
      symlinkSync(input, join(out, name));
      return { input, out, name };
    },
  },
  {
    name: 'the input reached through a symbolically linked --out folder',
    aim: (base: string, input: string, fixed: string | undefined) => {
      let real = input;
      if (fixed !== undefined) {
        real = join(base, 'real', fixed);
        mkdirSync(dirname(real), { mode: 0o700 });
        copyFileSync(input, real);
      }
      const out = join(base, 'via');
      symlinkSync(dirname(real), out);
      return { input: real, out, name: basename(real) };
    },
  },
];

for (const alias of ALIASES) {
  void test(`issue 13 (11): no writer replaces its own input given as ${alias.name}, even with --force`, async (t) => {
    for (const row of COLLISIONS) {
      await t.test(row.name, async (tt) => {
        const base = tempDir(tt);
        const inputs = await makeInputs(tt, base);
        const aimed = alias.aim(base, row.input(inputs), row.fixed);
        const before = readFileSync(aimed.input);
        const inode = statSync(aimed.input).ino;
        const listing = readdirSync(aimed.out).sort();
        const result = await runCli([
          ...row.args(inputs, aimed.input, aimed.out, aimed.name),
          '--force',
        ]);
        assert.equal(result.code, 2, result.stderr);
        assert.match(
          oneLine(result.stderr),
          new RegExp(
            `^certs: refusing to write .*${aimed.name.replace('.', '\\.')}: it is the input .*, which would be lost`,
          ),
        );
        assert.ok(readFileSync(aimed.input).equals(before), 'the input is byte-identical');
        assert.equal(statSync(aimed.input).ino, inode, 'the input is the same file');
        assert.deepEqual(readdirSync(aimed.out).sort(), listing, 'nothing written');
      });
    }
  });
}

void test('issue 13 (11): renew-client --force still renews in place, each file by its own new version', async (t) => {
  const base = tempDir(t);
  const inputs = await makeInputs(t, base);
  const oldKey = readFileSync(inputs.key);
  const oldCert = readFileSync(inputs.cert);
  const result = await runCli([
    'renew-client',
    '--cert',
    inputs.cert,
    '--key',
    inputs.key,
    '--out',
    inputs.dir,
    '--cert-file',
    basename(inputs.cert),
    '--key-file',
    basename(inputs.key),
    '--force',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(!readFileSync(inputs.key).equals(oldKey));
  assert.ok(!readFileSync(inputs.cert).equals(oldCert));
});

void test('issue 13 (11): a refusal comes before any key is generated', async (t) => {
  const base = tempDir(t);
  const inputs = await makeInputs(t, base);
  must('mknod', [join(base, 'null'), 'c', '1', '3']);
  const caDir = join(base, 'ca');
  mkdirSync(caDir, { mode: 0o700 });
  must('mkfifo', [join(caDir, 'ca.pem')]);
  const stages: string[] = [];
  const onProgress = (stage: string) => {
    stages.push(stage);
  };
  const rows = [
    {
      code: 'NOT_A_FILE',
      run: () =>
        writeClientIdentity({
          subject: { commonName: 'app' },
          outDir: base,
          certFileName: 'null',
          force: true,
          onProgress,
        }),
    },
    {
      code: 'NOT_A_FILE',
      run: () =>
        writeCa({ subject: { commonName: 'Root' }, outDir: caDir, force: true, onProgress }),
    },
    {
      code: 'OUTPUT_IS_INPUT',
      run: () =>
        writeServerCertificate({
          caCertPath: inputs.ca,
          caKeyPath: inputs.caKey,
          cluster: 'cluster.test',
          outDir: inputs.dir,
          keyFileName: basename(inputs.caKey),
          force: true,
          onProgress,
        }),
    },
  ];
  for (const row of rows) {
    await assert.rejects(
      row.run(),
      (error: unknown) => isCertkitError(error) && error.code === row.code,
    );
  }
  assert.deepEqual(stages, [], 'no key generation started');
});

/** A pid that no longer runs: a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

void test('issue 13 (14): a folder named like a stale temporary file does not block a write, and is left alone', async (t) => {
  const dir = tempDir(t);
  const stale = join(dir, `.keyclient.pem.${String(deadPid())}.0123456789ab.tmp`);
  mkdirSync(stale);
  const result = await runCli(['gen-client', '--cn', 'app', ...EC, '--out', dir]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(statSync(stale).isDirectory());
  assert.deepEqual(readdirSync(dir).sort(), [basename(stale), 'cert.pem', 'keyclient.pem'].sort());
});

void test("issue 13 (14): another user's file named like a stale temporary file is left alone in a shared folder", async (t) => {
  const folders = sharedFolders(t);
  const inputs = await makeInputs(t, folders.base);
  const theirs = join(folders.shared, `.bundle.pem.${String(deadPid())}.0123456789ab.tmp`);
  asNobody(['touch', theirs]);
  const out = join(folders.shared, 'bundle.pem');
  const result = await runCli(['chain', inputs.ca, '-o', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.ok(existsSync(theirs), "nobody's file is still there");
  assert.ok(existsSync(out));
});

const ABSOLUTE = [
  {
    name: 'gen-client',
    args: (_: Inputs, out: string, key: string, cert: string) => [
      'gen-client',
      '--cn',
      'app',
      ...EC,
      '--out',
      out,
      '--key-file',
      key,
      '--cert-file',
      cert,
    ],
  },
  {
    name: 'issue',
    args: (i: Inputs, out: string, key: string, cert: string) => [
      'issue',
      '--ca',
      i.ca,
      '--ca-key',
      i.caKey,
      '--cluster',
      'cluster.test',
      ...EC,
      '--out',
      out,
      '--key-file',
      key,
      '--cert-file',
      cert,
    ],
  },
  {
    name: 'renew-client',
    args: (i: Inputs, out: string, key: string, cert: string) => [
      'renew-client',
      '--cert',
      i.cert,
      '--key',
      i.key,
      '--out',
      out,
      '--key-file',
      key,
      '--cert-file',
      cert,
    ],
  },
];

void test('issue 13 (14): absolute --key-file and --cert-file are used as given; relative ones go into --out', async (t) => {
  const base = tempDir(t);
  const inputs = await makeInputs(t, base);
  for (const row of ABSOLUTE) {
    await t.test(row.name, async () => {
      const out = join(base, `out-${row.name}`);
      const elsewhere = join(base, `elsewhere-${row.name}`);
      mkdirSync(elsewhere, { mode: 0o700 });
      const absolute = await runCli(
        row.args(inputs, out, join(elsewhere, 'k.pem'), join(elsewhere, 'c.pem')),
      );
      assert.equal(absolute.code, 0, absolute.stderr);
      assert.deepEqual(readdirSync(elsewhere).sort(), ['c.pem', 'k.pem']);
      assert.equal(existsSync(out), false, '--out is not used (nor created)');
      const relative = await runCli(row.args(inputs, out, 'k.pem', 'c.pem'));
      assert.equal(relative.code, 0, relative.stderr);
      assert.deepEqual(readdirSync(out).sort(), ['c.pem', 'k.pem']);
    });
  }
});
