/**
 * Issue 19 item 3: the file names in the Python, bash and Java snippets are read back by those
 * languages themselves, for every hostile name (test/helpers/hostile-names.ts): Python's parser
 * and `ast.literal_eval` on each keyword of the redis-py snippets, bash (after `bash -n`) running
 * the redis-cli snippet with a recorder in redis-cli's place (and `$(touch pwned)` touches
 * nothing), javac compiling the Java snippet and reflection reading its constants. (JavaScript
 * is evaluated in test/unit/snippets.test.ts; every client runs its snippet for real in
 * test/e2e/snippets.test.ts.)
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderConnectionSnippet } from '@certkit/core';
import type { SnippetClient } from '@certkit/core';
import { run } from '../helpers/cli.js';
import { HOSTILE_NAMES } from '../helpers/hostile-names.js';
import { tempDir } from '../helpers/tmp.js';

const PROGRAM = fileURLToPath(new URL('programs/SnippetLiterals.java', import.meta.url));

const pathsOf = (name: string) => ({
  ca: `/srv/${name}/ca.pem`,
  cert: `/srv/${name}/cert.pem`,
  key: `/srv/${name}/key.pem`,
});

function render(client: SnippetClient, name: string, cluster = false): string {
  return renderConnectionSnippet({
    client,
    endpoint: { host: 'redis-12000.redislabs.com', port: 12000 },
    ...pathsOf(name),
    cluster,
  }).text;
}

const PYTHON_READER = `
import ast, json, sys
out = []
for text in json.load(open(sys.argv[1], encoding="utf-8")):
    found = {}
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.keyword) and node.arg in ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile"):
            found[node.arg] = ast.literal_eval(node.value)
    out.append(found)
json.dump(out, sys.stdout, ensure_ascii=True)
`;

test('python: every path literal of the redis-py snippets reads back exactly (ast.literal_eval)', async (t) => {
  const dir = tempDir(t);
  const cases = HOSTILE_NAMES.flatMap((name) =>
    [false, true].map((cluster) => ({ name, cluster })),
  );
  const input = join(dir, 'snippets.json');
  writeFileSync(
    input,
    JSON.stringify(cases.map(({ name, cluster }) => render('redis-py', name, cluster))),
  );
  const reader = join(dir, 'reader.py');
  writeFileSync(reader, PYTHON_READER);
  const result = await run('/usr/bin/python3', [reader, input]);
  assert.equal(result.code, 0, result.stderr);
  const read = JSON.parse(result.stdout) as Record<string, string>[];
  cases.forEach(({ name, cluster }, i) => {
    const paths = pathsOf(name);
    assert.deepEqual(
      read[i],
      { ssl_ca_certs: paths.ca, ssl_certfile: paths.cert, ssl_keyfile: paths.key },
      `${JSON.stringify(name)}${cluster ? ' cluster' : ''}`,
    );
  });
});

test('bash: the redis-cli snippet passes every path to redis-cli as one exact argument', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  // A recorder in redis-cli's place: its arguments, each ended by NUL, to a file.
  const record = join(dir, 'args');
  writeFileSync(
    join(bin, 'redis-cli'),
    `#!/bin/bash\nprintf '%s\\0' "$@" > ${JSON.stringify(record)}\n`,
  );
  chmodSync(join(bin, 'redis-cli'), 0o755);
  for (const name of HOSTILE_NAMES) {
    await t.test(JSON.stringify(name), async () => {
      const work = join(dir, `w${String(HOSTILE_NAMES.indexOf(name))}`);
      mkdirSync(work);
      const file = join(work, 'snippet.sh');
      writeFileSync(file, render('redis-cli', name, true));
      const syntax = await run('bash', ['-n', file]);
      assert.equal(syntax.code, 0, syntax.stderr);
      const result = await run('bash', [file], {
        cwd: work,
        env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
      });
      assert.equal(result.code, 0, result.stderr);
      const args = readFileSync(record, 'utf8').split('\0').slice(0, -1);
      const paths = pathsOf(name);
      assert.deepEqual(args, [
        '--tls',
        '-h',
        'redis-12000.redislabs.com',
        '-p',
        '12000',
        '-c',
        '--sni',
        'redis-12000.redislabs.com',
        '--cacert',
        paths.ca,
        '--cert',
        paths.cert,
        '--key',
        paths.key,
        'PING',
      ]);
      assert.equal(existsSync(join(work, 'pwned')), false, 'a command in a name ran');
    });
  }
});

test('java: javac reads every path constant of the Java snippet back exactly', async (t) => {
  const dir = tempDir(t);
  HOSTILE_NAMES.forEach((name, i) => {
    const folder = join(dir, String(i).padStart(2, '0'));
    mkdirSync(folder);
    writeFileSync(join(folder, 'RedisTls.java'), render('java', name));
  });
  const result = await run('java', [PROGRAM, dir], { timeoutMs: 180_000 });
  assert.equal(result.code, 0, result.stderr);
  const read = new Map<string, string>();
  for (const line of result.stdout.split('\n').filter((l) => l.length > 0)) {
    const [folder = '', field = '', units = ''] = line.split(' ');
    assert.notEqual(field, 'javac-failed', `javac refused snippet ${folder}: ${units}`);
    const text = (units.match(/.{4}/g) ?? []).map((u) => String.fromCharCode(parseInt(u, 16)));
    read.set(`${folder} ${field}`, text.join(''));
  }
  HOSTILE_NAMES.forEach((name, i) => {
    const folder = String(i).padStart(2, '0');
    const paths = pathsOf(name);
    assert.deepEqual(
      [
        read.get(`${folder} CA_FILE`),
        read.get(`${folder} CERT_FILE`),
        read.get(`${folder} KEY_FILE`),
      ],
      [paths.ca, paths.cert, paths.key],
      JSON.stringify(name),
    );
    assert.equal(read.get(`${folder} NAME`), 'redis-12000.redislabs.com');
  });
});
