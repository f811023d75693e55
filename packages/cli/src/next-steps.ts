/**
 * The next step of the Redis TLS workflow, printed after every command that writes something:
 * the command to run next, with the file names just written, ready to copy. Text for people
 * (stdout, after the result); `--json` documents carry the files, not this advice.
 */
import { line } from './output.js';
import type { Io, TerminalText } from './output.js';
import { printLines } from './output.js';

/**
 * A path as one shell word: as it is when it holds only characters no shell treats specially,
 * else in single quotes (a quote inside written as '\''), so that a suggested command can be
 * pasted as printed. Control characters are escaped later, by {@link line}.
 *
 * @example
 * ```ts
 * shellWord('pki/ca.pem'); // pki/ca.pem
 * shellWord('my certs/ca.pem'); // 'my certs/ca.pem'
 * ```
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * Prints "Next steps:" and the lines after a blank line: on stdout after a human result, on
 * stderr for a command whose stdout carries data (`chain`).
 */
export function printNextSteps(
  io: Io,
  steps: readonly TerminalText[],
  stream: 'stdout' | 'stderr' = 'stdout',
): void {
  if (steps.length === 0) return;
  printLines(io, stream, [line``, line`Next steps:`, ...steps]);
}

/** After `gen-ca`: an intermediate that signs day to day, or a proxy certificate straight away. */
export function afterGenCa(cert: string, key: string, outDir: string): TerminalText[] {
  const [c, k, o] = [shellWord(cert), shellWord(key), shellWord(outDir)];
  return [
    line`  1. Keep ${k} offline; make an intermediate CA that signs day to day:`,
    line`     certs gen-intermediate --ca ${c} --ca-key ${k} --cn "Issuing CA" --out ${o}`,
    line`  2. Issue the proxy certificate with it (or with this CA directly):`,
    line`     certs issue --ca ${shellWord(joinPath(outDir, 'intermediate.pem'))} --ca-key ${shellWord(joinPath(outDir, 'intermediate-key.pem'))} --cluster <cluster FQDN> --out proxy`,
    line`  3. Clients trust ${c}: redis-cli --tls --cacert ${c} …, or stunnel CAfile = ${c}`,
  ];
}

/** After `gen-intermediate`: issue the proxy certificate. */
export function afterGenIntermediate(cert: string, key: string): TerminalText[] {
  return [
    line`  1. Issue the proxy certificate (or a client certificate with --usage client):`,
    line`     certs issue --ca ${shellWord(cert)} --ca-key ${shellWord(key)} --cluster <cluster FQDN> --out proxy`,
    line`  2. Clients trust the root CA (ca.pem), not the intermediate: redis-cli --tls --cacert ca.pem …`,
  ];
}

/** What `issue` wrote, as the next steps need it. */
export interface IssuedFiles {
  readonly certificatePath: string;
  /** Absent when a request was signed: the key stays with whoever made the request. */
  readonly privateKeyPath?: string;
  readonly selfSigned: boolean;
  readonly usage: 'server' | 'client' | 'both';
}

/** After `issue`: install the proxy certificate (rladmin), or hand a client certificate out. */
export function afterIssue(files: IssuedFiles): TerminalText[] {
  const cert = shellWord(files.certificatePath);
  const key =
    files.privateKeyPath === undefined ? '<key of the request>' : shellWord(files.privateKeyPath);
  if (files.usage === 'client') {
    return [
      line`  1. Paste ${cert} into the database's "SSL client authentication" field (Redis Enterprise:`,
      line`     database > Security > TLS), or add it to redis-server's tls-ca-cert-file bundle.`,
      line`  2. Give ${cert} and ${key} to the client:`,
      line`     redis-cli --tls --cert ${cert} --key ${key} --cacert servercerts.pem -h <endpoint> -p <port> PING`,
    ];
  }
  const steps = [
    line`  1. Install it on the cluster:`,
    line`     rladmin cluster certificate set proxy certificate_file ${cert} key_file ${key}`,
    line`     (a plain redis-server: tls-cert-file ${cert}, tls-key-file ${key})`,
  ];
  if (files.selfSigned) {
    steps.push(
      line`  2. Clients trust it as it is. With a certificate of its own on each node, collect them all:`,
      line`     certs fetch <node>:<port> -o node1.pem   (once per node), then`,
      line`     certs chain node1.pem node2.pem node3.pem -o servercerts.pem`,
    );
  } else {
    steps.push(
      line`  2. Clients trust the root CA: redis-cli --tls --cacert ca.pem …, stunnel CAfile = ca.pem`,
      line`     (check the endpoint: certs check --cluster <cluster FQDN> --endpoint <endpoint>:<port> --ca ca.pem)`,
    );
  }
  return steps;
}

/** After `fetch -o FILE`: one trust bundle of every node's certificate. */
export function afterFetch(
  path: string,
  mode: 'bundle' | 'chain',
  endpoints: number,
): TerminalText[] {
  if (endpoints > 1) return afterChain(path, mode);
  const file = shellWord(path);
  return [
    line`  Make one trust bundle of every node: chain this file with the others you fetched,`,
    line`  certs chain ${file} <other nodes' files…> -o servercerts.pem`,
    line`  or fetch every node at once: certs fetch <node1>:<port> <node2>:<port> … -o servercerts.pem`,
  ];
}

/** After `chain`: the bundle is a CA file; a chain is what a server sends. */
export function afterChain(path: string, mode: 'bundle' | 'chain'): TerminalText[] {
  const file = shellWord(path);
  if (mode === 'chain') {
    return [
      line`  Serve ${file} with its key: rladmin cluster certificate set proxy certificate_file ${file} key_file proxy_key.pem`,
      line`  (a plain redis-server: tls-cert-file ${file}); clients trust its root (certs chain --no-root drops it).`,
    ];
  }
  return [
    line`  Trust it in the client:`,
    line`  redis-cli --tls --cacert ${file} --cert cert.pem --key keyclient.pem -h <endpoint> -p <port> PING`,
    line`  or in stunnel: certs stunnel --cafile ${file} --cert cert.pem --key keyclient.pem --connect <endpoint>:<port>`,
  ];
}

/** `dir/file` for the next step's text (the CLI never touches paths otherwise). */
function joinPath(dir: string, file: string): string {
  if (dir === '.' || dir === '') return file;
  return `${dir.replace(/\/+$/, '')}/${file}`;
}
