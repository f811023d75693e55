/**
 * Issue 13, item 9: `certs stunnel lint` reads a configuration exactly as stunnel 5.68 does.
 * stunnel deletes every CR, ends lines at LF only, cuts lines at 16,383 bytes, stops at a NUL,
 * skips a leading BOM, trims C whitespace, keeps section names as written. The table pins the
 * parser; the differential tests run the real /usr/bin/stunnel on the same bytes and compare
 * what it initialises and verifies with what lint says.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import {
  lintStunnelConfigFile,
  lintStunnelConfigInMemory,
  parseStunnelConfig,
} from '@certkit/core';
import { runCli } from '../helpers/cli.js';
import { makeCert } from '../helpers/pki.js';
import { freePort, startBackground, stopProcess, waitForPort } from '../helpers/process.js';
import { startRedisTls } from '../helpers/redis.js';
import { NO_REPLY, plainPing, waitForOutput } from '../helpers/stunnel.js';
import { tempDir } from '../helpers/tmp.js';

const MAX = 16_383;
const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(
    parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))),
  );

/** Sections as `name: option=value, …`, and the problems as `code@line`. */
function summary(input: string | Uint8Array): { sections: string[]; problems: string[] } {
  const parsed = parseStunnelConfig(input);
  return {
    sections: parsed.sections.map(
      (s) => `${s.name ?? '(global)'}: ${s.options.map((o) => `${o.name}=${o.value}`).join(', ')}`,
    ),
    problems: parsed.problems.map((p) => `${p.code}@${String(p.line)}`),
  };
}

test('issue 13 item 9: the parser reads bytes as stunnel 5.68 does', () => {
  const rows: {
    name: string;
    input: string | Uint8Array;
    sections: string[];
    problems?: string[];
  }[] = [
    {
      name: 'CRLF line ends are plain line ends',
      input: '[s]\r\nclient = yes\r\nverifyChain = yes\r\n',
      sections: ['(global): ', 's: client=yes, verifyChain=yes'],
    },
    {
      name: 'a lone CR joins what follows to a comment',
      input: '[s]\nclient = yes\n; the chain is checked\rverifyChain = yes\n',
      sections: ['(global): ', 's: client=yes'],
      problems: ['STUNNEL_LONE_CR@3'],
    },
    {
      name: 'a CR inside a value is deleted',
      input: '[s]\nverifyChain = y\res\n',
      sections: ['(global): ', 's: verifyChain=yes'],
      problems: ['STUNNEL_LONE_CR@2'],
    },
    {
      name: 'CR CR LF is a line end, not a lone CR',
      input: '[s]\nclient = yes\r\r\n',
      sections: ['(global): ', 's: client=yes'],
    },
    {
      name: 'a NUL ends what stunnel sees of the line',
      input: bytes('[s]\nverifyChain = yes', [0], 'no\n'),
      sections: ['(global): ', 's: verifyChain=yes'],
      problems: ['STUNNEL_SYNTAX@2'],
    },
    {
      name: 'a BOM is skipped on the first line only',
      input: bytes([0xef, 0xbb, 0xbf], '[s]\n', [0xef, 0xbb, 0xbf], 'client = yes\n'),
      sections: ['(global): ', 's: \ufeffclient=yes'],
    },
    {
      name: 'a BOM after an empty first line is text',
      input: bytes('\n', [0xef, 0xbb, 0xbf], '[s]\n'),
      sections: ['(global): '],
      problems: ['STUNNEL_SYNTAX@2'],
    },
    {
      name: 'C whitespace is trimmed (space, \\t, \\v, \\f), other spaces are not',
      input: '\t\v\f[s] \t\n \u00a0client = yes\nverify\t=\t2\f\n',
      sections: ['(global): ', 's: \u00a0client=yes, verify=2'],
    },
    {
      name: 'section names are kept as written; the line must start with [ and end with ]',
      input: '[ spaced ]\n[]\n[a]b]\n[x] = y\n',
      sections: ['(global): ', ' spaced : ', ': ', 'a]b: [x]=y'],
    },
    {
      name: 'comments with ; and #, = inside a value, option names as written',
      input: '# one\n  ; two\n[s]\nexecArgs = a=b c\nCLIENT=yes\n',
      sections: ['(global): ', 's: execArgs=a=b c, CLIENT=yes'],
    },
    {
      name: 'a line without = is a problem, never quoted',
      input: '[s]\nMIIBVwIBADANBgkqhkiG9w0BAQEFAASCAUEwggE9AgEAAkEA\n',
      sections: ['(global): ', 's: '],
      problems: ['STUNNEL_SYNTAX@2'],
    },
    {
      name: 'include is read as an option (lint reports it)',
      input: 'include = /etc/stunnel/conf.d\n[s]\n',
      sections: ['(global): include=/etc/stunnel/conf.d', 's: '],
    },
    {
      name: `a line of ${String(MAX)} bytes is read whole`,
      input: `[s]\n; ${'x'.repeat(MAX - 7)}[cut]\nclient = yes\n`,
      sections: ['(global): ', 's: client=yes'],
    },
    {
      name: `a line of ${String(MAX + 1)} bytes is cut: the rest is a line of its own`,
      input: `[s]\n; ${'x'.repeat(MAX - 2)}[cut]\nclient = yes\n`,
      sections: ['(global): ', 's: ', 'cut: client=yes'],
      problems: ['STUNNEL_LINE_TOO_LONG@2'],
    },
    {
      name: 'CRs do not count towards the line length',
      input: `[s]\n; ${'x'.repeat(MAX - 7)}\r\r\r[cut]\r\n`,
      sections: ['(global): ', 's: '],
      problems: ['STUNNEL_LONE_CR@2'],
    },
    {
      name: 'a long value cut twice smuggles a section and an exec',
      input: `[s]\ncheckHost = ${'a'.repeat(MAX - 12)}${'[evil]'.padEnd(MAX)}exec = /bin/sh\n`,
      sections: ['(global): ', `s: checkHost=${'a'.repeat(MAX - 12)}`, 'evil: exec=/bin/sh'],
      problems: ['STUNNEL_LINE_TOO_LONG@2'],
    },
    { name: 'empty input', input: '', sections: ['(global): '] },
    { name: 'only CRs', input: '\r\r\r', sections: ['(global): '] },
  ];
  for (const row of rows) {
    const got = summary(row.input);
    assert.deepEqual(got.sections, row.sections, row.name);
    assert.deepEqual(got.problems, row.problems ?? [], row.name);
  }
});

test('issue 13 item 9: lint reports lone CRs, cut lines, NUL bytes and include as errors', () => {
  const good =
    '[s]\nclient = yes\naccept = 127.0.0.1:7000\nconnect = redis.example:7000\nverifyChain = yes\nCAfile = /c/ca.pem\ncheckHost = redis.example\nsslVersionMin = TLSv1.2\ndelay = yes\n';
  const codes = (text: string): string[] =>
    lintStunnelConfigInMemory(text, 'x.conf', { checkFiles: false })
      .findings.map((f) => f.code)
      .sort();
  assert.deepEqual(codes(good), []);
  assert.deepEqual(codes(good.replace(/\n/g, '\r\n')), []);
  assert.deepEqual(codes(good.replace('\nverifyChain', '\n; verified\rverifyChain')), [
    'STUNNEL_LONE_CR',
    'STUNNEL_NO_VERIFY',
  ]);
  assert.deepEqual(codes(`${good}; ${'x'.repeat(MAX)}\n`), [
    'STUNNEL_LINE_TOO_LONG',
    'STUNNEL_SYNTAX',
  ]);
  assert.deepEqual(codes(`${good}; a\0b\n`), ['STUNNEL_SYNTAX']);
  assert.deepEqual(codes(`include = /etc/stunnel/conf.d\n${good}`), ['STUNNEL_INCLUDE']);
  // Option names match by ASCII case only, as strcasecmp does: the Kelvin sign is not a K.
  assert.deepEqual(codes(good.replace('checkHost', 'chec\u212Ahost')), ['STUNNEL_NO_NAME_CHECK']);
});

test('issue 13 item 9: a hostile configuration gets a bounded report', () => {
  const problems = parseStunnelConfig('junk\n'.repeat(5_000)).problems;
  assert.equal(problems.length, 101);
  assert.match(problems[100]?.message ?? '', /^and 4900 more lines stunnel would not read/);
  const entries = parseStunnelConfig('a=b\n'.repeat(100_005));
  assert.equal(entries.sections[0]?.options.length, 100_000);
  assert.match(
    entries.problems[0]?.message ?? '',
    /holds 100005 sections and options; lint read the first 100000/,
  );
  const many = lintStunnelConfigInMemory('[s]\n'.repeat(150), 'x.conf', { checkFiles: false });
  assert.equal(many.services.length, 100);
  assert.ok(many.findings.length <= 1_001);
  assert.equal(many.findings.at(-1)?.code, 'STUNNEL_TOO_MANY_SERVICES');
  const includes = lintStunnelConfigInMemory('include = /x\n'.repeat(5_000), 'x.conf', {
    checkFiles: false,
  });
  assert.equal(includes.findings.length, 1_001);
  assert.equal(includes.findings.at(-1)?.code, 'STUNNEL_TOO_MANY_FINDINGS');
});

/** Runs the real stunnel on `config` and reports the services it set up and which verify nothing. */
async function stunnelReads(
  t: TestContext,
  dir: string,
  name: string,
  config: Uint8Array,
): Promise<{ ok: boolean; services: string[]; unverified: string[] }> {
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, config);
  const stunnel = startBackground(t, 'stunnel', [path]);
  try {
    await waitForOutput(stunnel, /Configuration (successful|failed)/, 15_000);
  } finally {
    await stopProcess(stunnel.child);
  }
  const output = stunnel.output();
  const all = (pattern: RegExp): string[] => [...output.matchAll(pattern)].map((m) => m[1] ?? '');
  return {
    ok: output.includes('Configuration successful'),
    services: all(/Initializing service \[(.*)\]$/gm),
    unverified: all(/Service \[(.*)\] needs authentication/gm),
  };
}

test('issue 13 item 9 differential: real stunnel 5.68 and lint read the same services and verification', async (t) => {
  const dir = tempDir(t);
  const ca = await makeCert(dir, { name: 'ca', subject: '/CN=Differential CA', ca: true });
  const service = async (name: string, extra = ''): Promise<string> =>
    `[${name}]\nclient = yes\naccept = 127.0.0.1:${String(await freePort())}\nconnect = 127.0.0.1:1\nCAfile = ${ca.cert}\n${extra}`;
  const header = 'foreground = yes\npid =\ndebug = 6\n';
  const rows: { name: string; config: Uint8Array; problems: string[] }[] = [
    {
      name: 'lone-cr-hides-verifychain',
      config: bytes(header, await service('s', '; the chain is checked\rverifyChain = yes\n')),
      problems: ['STUNNEL_LONE_CR'],
    },
    {
      name: 'crlf',
      config: bytes((header + (await service('s', 'verifyChain = yes\n'))).replace(/\n/g, '\r\n')),
      problems: [],
    },
    {
      name: 'cr-inside-a-value',
      config: bytes(header, await service('s', 'verifyChain = y\res\n')),
      problems: ['STUNNEL_LONE_CR'],
    },
    {
      name: 'nul-ends-the-line',
      config: bytes(header, await service('s', 'verifyChain = yes'), [0], 'no\n'),
      problems: ['STUNNEL_SYNTAX'],
    },
    {
      name: 'line-of-16384-bytes-is-cut',
      config: bytes(
        header,
        await service('s', 'verifyChain = yes\n'),
        `; ${'x'.repeat(MAX - 2)}`,
        await service('cut'),
      ),
      problems: ['STUNNEL_LINE_TOO_LONG'],
    },
    {
      name: 'line-of-16383-bytes-is-whole',
      config: bytes(
        header,
        await service('s', 'verifyChain = yes\n'),
        `; ${'x'.repeat(MAX - 7)}`,
        await service('cut'),
      ),
      problems: [],
    },
    {
      name: 'bom-whitespace-section-names',
      config: bytes(
        [0xef, 0xbb, 0xbf],
        header,
        '\t\v\f',
        await service(' spaced ', 'verifyChain\t=\tyes\f\n# comment\n'),
        await service('a]b'),
      ),
      problems: [],
    },
  ];
  for (const row of rows) {
    const real = await stunnelReads(t, dir, row.name, row.config);
    assert.equal(real.ok, true, `${row.name}: stunnel accepted the configuration`);
    // The file stunnel read, read by lint as the CLI does.
    const lint = await lintStunnelConfigFile(join(dir, `${row.name}.conf`), { checkFiles: false });
    assert.deepEqual(lint.services, real.services, `${row.name}: services`);
    const lintUnverified = lint.findings
      .filter((f) => f.code === 'STUNNEL_NO_VERIFY')
      .map((f) => f.service ?? '');
    assert.deepEqual(lintUnverified, real.unverified, `${row.name}: services without verification`);
    const parseProblems = lint.findings
      .filter((f) =>
        ['STUNNEL_LONE_CR', 'STUNNEL_LINE_TOO_LONG', 'STUNNEL_SYNTAX'].includes(f.code),
      )
      .map((f) => f.code);
    assert.deepEqual(parseProblems, row.problems, `${row.name}: parse problems`);
  }
});

test('issue 13 item 9 differential: a lone CR hides verifyChain and checkHost from stunnel, which then talks to an untrusted server; lint says so', async (t) => {
  const dir = tempDir(t);
  const trusted = await makeCert(dir, { name: 'trusted', subject: '/CN=Trusted CA', ca: true });
  const rogueCa = await makeCert(dir, { name: 'rogue-ca', subject: '/CN=Rogue CA', ca: true });
  const rogue = await makeCert(dir, {
    name: 'rogue',
    subject: '/CN=rogue',
    issuer: rogueCa,
    ca: false,
    eku: 'serverAuth',
    san: ['DNS:rogue.example'],
  });
  const client = await makeCert(dir, {
    name: 'client',
    subject: '/CN=app',
    ca: false,
    eku: 'clientAuth',
  });
  const redis = await startRedisTls(t, {
    dir,
    certFile: rogue.cert,
    keyFile: rogue.key,
    caFile: client.cert,
  });
  const accept = await freePort();
  const config = (end: '\r' | '\n'): string =>
    [
      'foreground = yes',
      'pid =',
      '[redislabs]',
      'client = yes',
      `accept = 127.0.0.1:${String(accept)}`,
      `connect = 127.0.0.1:${String(redis.port)}`,
      `cert = ${client.cert}`,
      `key = ${client.key}`,
      `CAfile = ${trusted.cert}`,
      `; the server must present a chain from the trusted CA${end}verifyChain = yes`,
      `; and the database's name${end}checkHost = redis-12000.cluster.example`,
      'sslVersionMin = TLSv1.2',
      'delay = yes',
      '',
    ].join('\n');
  const hidden = join(dir, 'hidden.conf');
  writeFileSync(hidden, config('\r'));
  const stunnel = startBackground(t, 'stunnel', [hidden]);
  await waitForPort(accept, stunnel.child, stunnel.output);
  // stunnel read both lines as comments: it verifies nothing and reaches the rogue server.
  await waitForOutput(stunnel, /Service \[redislabs\] needs authentication/);
  assert.equal(await plainPing(accept), '+PONG');
  await stopProcess(stunnel.child);

  const lint = await runCli(['stunnel', 'lint', hidden, '--no-probe', '--json']);
  assert.equal(lint.code, 1, lint.stdout);
  const report = JSON.parse(lint.stdout) as { ok: boolean; findings: { code: string }[] };
  assert.equal(report.ok, false);
  assert.deepEqual(report.findings.map((f) => f.code).sort(), [
    'STUNNEL_LONE_CR',
    'STUNNEL_LONE_CR',
    'STUNNEL_NO_VERIFY',
  ]);

  // Control: with line feeds the same options are read, and stunnel refuses the rogue server.
  const visible = join(dir, 'visible.conf');
  writeFileSync(visible, config('\n'));
  const checked = startBackground(t, 'stunnel', [visible]);
  await waitForPort(accept, checked.child, checked.output);
  assert.match(await plainPing(accept), NO_REPLY);
  const lintVisible = await runCli(['stunnel', 'lint', visible, '--no-probe', '--json']);
  assert.equal(lintVisible.code, 0, lintVisible.stdout);
});
