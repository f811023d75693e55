/** `certs chain`: a clean trust bundle or a verified chain from certificates collected with `cat`. */
import type { AssembledCertificates, Assembly, ChainFinding } from '@certkit/core';
import { defineCommand } from '../command.js';
import { afterChain, printNextSteps } from '../next-steps.js';
import { EXIT_FINDINGS, EXIT_OK } from '../exit-codes.js';
import { maxInputFrom } from '../options.js';
import { line, paint, printJson, printLines } from '../output.js';
import type { Io, TerminalText } from '../output.js';

function findingLine(io: Io, f: ChainFinding): TerminalText {
  const colour = f.severity === 'error' ? 'red' : f.severity === 'warning' ? 'yellow' : 'dim';
  return line`  ${paint(f.severity, colour, io.stderrIsTty)}: ${f.message} [${f.code}]`;
}

/**
 * The members of an assembly, one line each (chain mode: the path with each link's verdict),
 * then its findings: what `certs chain` and `certs fetch` show of the PEM they write.
 */
export function assemblyLines(io: Io, result: Assembly): TerminalText[] {
  const lines: TerminalText[] = [];
  if (result.chain !== null) {
    const last = result.chain.path.length - 1;
    result.chain.path.forEach((member, i) => {
      const link = result.chain?.links.find((l) => l.child === i);
      const verdict =
        link === undefined
          ? 'issuer not verified'
          : link.ok
            ? link.child === link.issuer
              ? 'self-signed'
              : 'signature verified'
            : 'link broken';
      const dropped =
        i === last && member.role === 'root' && !result.certificates.includes(member.certificate)
          ? ', left out (--no-root)'
          : '';
      lines.push(
        line`  ${i + 1}. ${member.role.padEnd(12)} ${member.certificate.info.subject}  (until ${member.certificate.info.notAfter.slice(0, 10)}, ${verdict}${dropped})`,
      );
    });
    const { detached } = result.chain;
    if (detached.length > 0) {
      const top = result.chain.path[last]?.certificate;
      lines.push(line`     (missing: ${top?.info.issuer ?? 'an issuer'})`);
      detached.forEach((c, i) => {
        const dropped = result.certificates.includes(c) ? '' : ', left out (--no-root)';
        lines.push(
          line`  ${last + i + 2}. ${'detached'.padEnd(12)} ${c.info.subject}  (until ${c.info.notAfter.slice(0, 10)}${dropped})`,
        );
      });
    }
  } else if (result.bundle !== null) {
    result.bundle.members.forEach((m, i) => {
      lines.push(
        line`  ${i + 1}. ${m.certificate.info.subject}  (until ${m.certificate.info.notAfter.slice(0, 10)}${m.selfSigned ? ', self-signed' : m.ca ? ', CA' : ''})`,
      );
    });
  }
  for (const f of result.findings) {
    lines.push(findingLine(io, f));
    if (f.code === 'MISSING_ISSUER' || f.code === 'ROOT_MISSING')
      lines.push(line`    (give the file that holds it as one more input of certs chain)`);
  }
  return lines;
}

/** Why this mode: what auto mode saw, or the option that asked for it. */
function reasonOf(result: AssembledCertificates, auto: boolean): string {
  return auto ? result.reason : `--mode ${result.mode}`;
}

/** The human summary, on stderr: stdout carries only the PEM. */
function printSummary(
  io: Io,
  result: AssembledCertificates,
  options: { auto: boolean; outputFileName: string | undefined },
): void {
  const lines: TerminalText[] = [];
  lines.push(
    line`${result.mode} mode${options.auto ? ' (auto)' : ''}: ${reasonOf(result, options.auto)}`,
    line`read ${result.inputs.map((i) => `${i.file} (${String(i.certificates)})`).join(', ')}`,
    ...assemblyLines(io, result),
  );
  const count = `${String(result.certificates.length)} certificate${result.certificates.length === 1 ? '' : 's'}`;
  if (!result.ok && result.written === null) {
    lines.push(
      paint(
        `the ${result.mode} is broken: nothing written (use --allow-broken to write it anyway)`,
        'red',
        io.stderrIsTty,
      ),
    );
  } else if (result.written !== null) {
    lines.push(line`wrote ${count} to ${result.written}`);
  } else if (options.outputFileName === undefined) {
    lines.push(line`wrote ${count} to stdout`);
  }
  printLines(io, 'stderr', lines);
}

export const chain = defineCommand({
  command: 'chain <files..>',
  describe: 'make a clean trust bundle or a verified chain from certificate files',
  builder: (y) =>
    y
      .usage(
        'certs chain FILE… [options]\n\nReads every certificate of every file (PEM with any line ends and text between blocks, or DER), drops duplicates and writes clean PEM. Bundle mode keeps a set of trust anchors in the given order (servercerts.pem for redis-cli --cacert or stunnel cafile). Chain mode orders leaf -> intermediates -> root, verifying every signature. A summary goes to stderr.',
      )
      .positional('files', {
        type: 'string',
        array: true,
        demandOption: true,
        describe: 'certificate files (PEM or DER); - reads standard input',
      })
      .option('output', {
        alias: ['o', 'out'],
        type: 'string',
        describe: 'write the PEM to this file (atomically) instead of stdout',
        requiresArg: true,
      })
      .option('mode', {
        choices: ['auto', 'bundle', 'chain'] as const,
        describe:
          'auto (the default): chain when a certificate issues another or needs an issuer, else bundle',
      })
      .option('root', {
        type: 'boolean',
        describe:
          'keep the self-signed root in a chain (default; --no-root drops it, as servers send)',
      })
      .option('annotate', {
        type: 'boolean',
        default: false,
        describe: 'put # subject / issuer / notAfter / sha256 lines above each block',
      })
      .option('allow-broken', {
        type: 'boolean',
        default: false,
        describe: 'write the output even when the chain is broken (still exits 1)',
      })
      .option('force', { type: 'boolean', describe: 'replace an existing -o file' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'print one JSON document on stdout (the PEM is in its "pem" field)',
      }),
  examples: [
    [
      'certs chain certsvr1.pem certsvr2.pem certsvr3.pem -o servercerts.pem',
      'trust bundle of the nodes’ self-signed certificates',
    ],
    ['certs chain leaf.pem ca-bundle.pem -o fullchain.pem', 'leaf -> intermediates -> root'],
    [
      'certs chain --mode chain --no-root server.pem chain.pem',
      'the chain a server sends, on stdout',
    ],
    [
      'certs fetch redis-12000.redislabs.com:12000 | certs chain - ca.pem -o bundle.pem',
      'what an endpoint presents (read from standard input), with ca.pem',
    ],
    ['certs chain --annotate servercerts.pem', 'see what a bundle holds'],
    ['certs chain --json a.pem b.pem', 'machine-readable result'],
  ],
  rules: [
    {
      when: { option: 'force', value: true },
      needs: [{ option: 'output' }],
      why: 'it replaces an existing -o file, and without -o the PEM goes to stdout',
    },
    {
      when: { option: 'root', value: false },
      excludes: { option: 'mode', value: 'bundle' },
      why: 'it drops the root of a chain, and a bundle keeps every certificate',
    },
    {
      // Else --no-root was silently ignored whenever auto chose a bundle.
      when: { option: 'root', value: false },
      needs: [{ option: 'mode', value: 'chain' }],
      implies: { option: 'mode', value: 'chain' },
      why: 'only a chain has a root to drop',
    },
  ],
  run: async (args, io) => {
    const core = await import('@certkit/core');
    const maxInputBytes = maxInputFrom(args);
    const result = await core.assembleCertificates({
      files: args.files,
      mode: args.mode ?? 'auto',
      keepRoot: args.root ?? true,
      annotate: args.annotate,
      force: args.force ?? false,
      writeBroken: args['allow-broken'],
      ...(args.output === undefined ? {} : { outputFileName: args.output }),
      ...(maxInputBytes === undefined ? {} : { maxInputBytes }),
    });
    const emit = result.ok || args['allow-broken'];
    if (args.json) {
      printJson(io, {
        ok: result.ok,
        mode: result.mode,
        reason: reasonOf(result, (args.mode ?? 'auto') === 'auto'),
        inputs: result.inputs,
        certificates: result.certificates.map((c) => ({
          source: c.source,
          subject: c.info.subject,
          issuer: c.info.issuer,
          serialNumber: c.info.serialNumber,
          notBefore: c.info.notBefore,
          notAfter: c.info.notAfter,
          fingerprintSha256: c.info.fingerprintSha256,
        })),
        links: result.chain?.links ?? null,
        complete: result.chain?.complete ?? null,
        findings: result.findings,
        output: result.written,
        pem: emit && args.output === undefined ? result.pem : null,
      });
    } else {
      printSummary(io, result, {
        auto: (args.mode ?? 'auto') === 'auto',
        outputFileName: args.output,
      });
      if (emit && args.output === undefined) io.stdout(result.pem);
      if (result.ok && result.written !== null) {
        printNextSteps(io, afterChain(result.written, result.mode), 'stderr');
      }
    }
    return result.ok ? EXIT_OK : EXIT_FINDINGS;
  },
});
