/**
 * Issue 9: the packages as strangers get them. `pnpm pack` both packages, install the tarballs
 * with plain npm into an empty folder outside the repository (the CLI's dependency on core
 * resolved from the core tarball), then run `npx certs`, type-check two ESM TypeScript consumers
 * (moduleResolution nodenext and bundler) and load core from CommonJS with `require`.
 *
 * Needs the npm registry for the third-party dependencies (npm's cache serves repeat runs).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, run } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** What each tarball may hold: built files, README, LICENSE, package.json; no maps or sources. */
const ALLOWED =
  /^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts|json|LEGAL\.txt))$/;

interface Installed {
  readonly app: string;
  readonly tarballs: { core: string; cli: string };
}

let installed: Installed | undefined;
let packDir: string | undefined;

after(() => {
  if (packDir !== undefined) rmSync(packDir, { recursive: true, force: true });
});

before(async () => {
  // Outside the repository: no workspace node_modules above it to hide a missing dependency.
  const dir = join(tmpdir(), `certkit-pack-${String(process.pid)}-${String(Date.now())}`);
  mkdirSync(dir);
  packDir = dir;
  const tarballs = { core: '', cli: '' };
  for (const pkg of ['core', 'cli'] as const) {
    const packed = await run('pnpm', ['pack', '--pack-destination', dir], {
      cwd: join(ROOT, 'packages', pkg),
      timeoutMs: 120_000,
    });
    assert.equal(packed.code, 0, packed.stderr);
    const file = readdirSync(dir).find((f) => f.startsWith(`certkit-${pkg}-`));
    assert.ok(file !== undefined, `no ${pkg} tarball`);
    tarballs[pkg] = join(dir, file);
  }
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), '{ "name": "consumer", "private": true }\n');
  const install = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', tarballs.core, tarballs.cli],
    { cwd: app, timeoutMs: 300_000 },
  );
  assert.equal(install.code, 0, install.stderr);
  installed = { app, tarballs };
});

function setUp(): Installed {
  if (installed === undefined) throw new Error('before() did not run');
  return installed;
}

void test('issue 9: the tarballs hold only built files, README, LICENSE and package.json', async () => {
  const { tarballs } = setUp();
  for (const [pkg, tarball] of Object.entries(tarballs)) {
    const listing = await run('tar', ['tzf', tarball]);
    assert.equal(listing.code, 0, listing.stderr);
    const files = listing.stdout.trim().split('\n');
    for (const needed of ['package/package.json', 'package/README.md', 'package/LICENSE']) {
      assert.ok(files.includes(needed), `${pkg}: ${needed} missing`);
    }
    const stray = files.filter((f) => !ALLOWED.test(f));
    assert.deepEqual(stray, [], `${pkg}: files that should not ship`);
  }
});

void test('issue 9: the CLI dependency on core resolves to the core tarball, not the registry', async () => {
  const { app } = setUp();
  const list = await run('npm', ['ls', '@certkit/core', '--json', '--all'], { cwd: app });
  assert.equal(list.code, 0, list.stderr);
  const tree = JSON.parse(list.stdout) as {
    dependencies: Record<string, { resolved?: string }>;
  };
  assert.match(tree.dependencies['@certkit/core']?.resolved ?? '', /^file:.*certkit-core-.*\.tgz$/);
  // Deduplicated: the CLI uses that top-level copy; npm made no nested one from the registry.
  assert.equal(
    existsSync(join(app, 'node_modules', '@certkit', 'cli', 'node_modules', '@certkit')),
    false,
  );
});

void test('issue 9: npx certs --help and npx certs gen-client work in the empty project', async () => {
  const { app } = setUp();
  const help = await run('npx', ['--no-install', 'certs', '--help'], { cwd: app });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /certs gen-client/);
  assert.match(help.stdout, /EXIT CODES/);
  const made = await run(
    'npx',
    ['--no-install', 'certs', 'gen-client', '--out', 'x', '--cn', 'app'],
    {
      cwd: app,
      timeoutMs: 120_000,
    },
  );
  assert.equal(made.code, 0, made.stderr);
  assert.equal(statSync(join(app, 'x', 'keyclient.pem')).mode & 0o777, 0o600);
  const verify = await run('openssl', [
    'x509',
    '-in',
    join(app, 'x', 'cert.pem'),
    '-noout',
    '-subject',
  ]);
  assert.match(verify.stdout, /CN\s*=\s*app/);
  const completion = await run('npx', ['--no-install', 'certs', 'completion'], { cwd: app });
  assert.equal(completion.code, 0, completion.stderr);
  assert.match(completion.stdout, /###-begin-certs-completions-###/);
});

const CONSUMER_TS = `import {
  assembleParsedCertificates,
  checkEndpointCertificate,
  generateClientIdentity,
  isCertkitError,
  parseCertificates,
} from '@certkit/core';
import type { CheckReport, ClientIdentity } from '@certkit/core';
import { generateClientIdentity as generateLight } from '@certkit/core/identity';
import { CLIENT_CERT_VALIDITY_DAYS } from '@certkit/core/defaults';

const identity: ClientIdentity = await generateClientIdentity({
  subject: { commonName: 'consumer' },
  keyType: 'ec',
});
const certificates = parseCertificates(new TextEncoder().encode(identity.certificatePem), 'cert.pem');
const { chain } = assembleParsedCertificates(certificates, { mode: 'chain' });
const report: CheckReport = checkEndpointCertificate({ cluster: 'example.com', certificates });
try {
  await generateClientIdentity({ subject: { commonName: 'x' }, bits: 1024 });
} catch (error) {
  if (isCertkitError(error)) console.log(error.code);
}
console.log(identity.info.subject, chain.ok, report.ok, report.findings.length);
// The identity entry: the same function without the schema libraries (issue 7).
const light: ClientIdentity = await generateLight({ subject: { commonName: 'light' }, keyType: 'ec' });
console.log(light.info.subject);
// The defaults entry: documented values without loading the library.
console.log('defaults', CLIENT_CERT_VALIDITY_DAYS);
`;

const RESOLUTIONS = [
  { name: 'nodenext', module: 'nodenext', moduleResolution: 'nodenext' },
  { name: 'bundler', module: 'esnext', moduleResolution: 'bundler' },
];

for (const row of RESOLUTIONS) {
  void test(`issue 9: an ESM TypeScript consumer (moduleResolution ${row.name}) type-checks and runs`, async (t) => {
    const { app } = setUp();
    const dir = tempDir(t, `certkit-consumer-${row.name}-`);
    // The consumer sees the installed packages through a symlinked node_modules.
    await run('ln', ['-s', join(app, 'node_modules'), join(dir, 'node_modules')]);
    writeFileSync(
      join(dir, 'package.json'),
      '{ "name": "c", "private": true, "type": "module" }\n',
    );
    writeFileSync(join(dir, 'index.ts'), CONSUMER_TS);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: row.module,
          moduleResolution: row.moduleResolution,
          strict: true,
          skipLibCheck: false,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          outDir: 'out',
        },
        files: ['index.ts'],
      }),
    );
    const checked = await run(process.execPath, [TSC, '-p', 'tsconfig.json', '--noEmit'], {
      cwd: dir,
    });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    if (row.name === 'nodenext') {
      const built = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir });
      assert.equal(built.code, 0, built.stdout + built.stderr);
      const ran = await run(process.execPath, [join(dir, 'out', 'index.js')], {
        cwd: dir,
        timeoutMs: 60_000,
      });
      assert.equal(ran.code, 0, ran.stderr);
      assert.match(
        ran.stdout,
        /^INVALID_OPTION\nCN=consumer (true|false) (true|false) \d+\nCN=light\ndefaults 1826\n$/,
      );
    }
  });
}

void test('issue 9: CommonJS loads core with require (Node >= 20.19 requires ES modules)', async () => {
  const { app } = setUp();
  writeFileSync(
    join(app, 'consumer.cjs'),
    `const core = require('@certkit/core');
core.generateClientIdentity({ subject: { commonName: 'cjs' }, keyType: 'ec' }).then((id) => {
  console.log(typeof core.assembleParsedCertificates, typeof core.checkEndpointCertificate, id.info.subject);
});
`,
  );
  const ran = await run(process.execPath, ['consumer.cjs'], { cwd: app, timeoutMs: 60_000 });
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stdout, 'function function CN=cjs\n');
});

// Pinned: a new lint rule must not turn the suite red on its own.
const LINTERS = [
  { name: 'publint', args: ['dlx', 'publint@0.3.25'] },
  // ESM-only by design: Node >= 20.19 require()s it (test above), so the esm-only profile.
  { name: 'attw', args: ['dlx', '@arethetypeswrong/cli@0.18.5', '--profile', 'esm-only'] },
];

for (const linter of LINTERS) {
  void test(`issue 9: ${linter.name} reports no problem in either tarball`, async () => {
    const { tarballs } = setUp();
    for (const tarball of [tarballs.core, tarballs.cli]) {
      const result = await run('pnpm', [...linter.args, tarball], { timeoutMs: 300_000 });
      assert.equal(result.code, 0, `${linter.name} ${tarball}\n${result.stdout}${result.stderr}`);
      if (linter.name === 'publint') assert.match(result.stdout, /All good!/);
    }
  });
}
