// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Core's layers are its folders (docs/architecture.md). Each folder may import only the layers
// below it; these rules keep the arrows from drifting.
const CORE = 'packages/core/src';

/** Disk, network and processes: only core's io/ touches them. */
const NODE_IO = [
  'node:fs',
  'fs',
  'node:fs/promises',
  'fs/promises',
  'node:net',
  'net',
  'node:tls',
  'tls',
  'node:dns',
  'dns',
  'node:dns/promises',
  'dns/promises',
  'node:child_process',
  'child_process',
].map((name) => ({
  name,
  message: 'Only core/src/io/ does I/O; take data, or go through io/ from workflows/.',
}));

/** The ASN.1 and X.509 libraries: only asn1/ and x509/ use them, behind plain data. */
const CRYPTO_LIBRARIES = [
  {
    group: ['pkijs', 'asn1js', '@peculiar/*'],
    message: 'Only core/src/asn1/ and x509/ use the ASN.1 and X.509 libraries; call x509/ instead.',
  },
];

/**
 * Imports out of a folder (`../…`) other than those listed: the layers and leaves it may use.
 * `allowed` holds folder names (`x509`) and leaf modules (`errors.js`).
 */
function onlyImports(folder, allowed) {
  const alternatives = allowed
    .map((name) => (name.endsWith('.js') ? `${name.replace('.', '\\.')}$` : `${name}/`))
    .join('|');
  return {
    regex: `^\\.\\./(?!${alternatives})`,
    message: `core/src/${folder}/ may import only ${allowed.join(', ')} (docs/architecture.md).`,
  };
}

/** The layers, what each may import, and whether it may do I/O or use the crypto libraries. */
const LAYERS = [
  { folder: 'asn1', imports: ['errors.js'], io: false, crypto: true },
  { folder: 'x509', imports: ['asn1', 'errors.js'], io: false, crypto: true },
  {
    folder: 'make',
    imports: ['x509', 'asn1', 'errors.js', 'defaults.js', 'clock.js'],
    io: false,
    crypto: false,
  },
  {
    folder: 'judge',
    imports: ['x509', 'asn1', 'errors.js', 'defaults.js', 'clock.js'],
    io: false,
    crypto: false,
  },
  { folder: 'io', imports: ['x509', 'errors.js', 'defaults.js'], io: true, crypto: false },
  {
    folder: 'workflows',
    imports: ['x509', 'asn1', 'make', 'judge', 'io', 'errors.js', 'defaults.js', 'clock.js'],
    io: false,
    crypto: false,
  },
];

const SELF = { group: ['@certkit/core', '@certkit/core/*'], message: 'Import core by path.' };

const layerRules = [
  ...LAYERS.map((layer) => ({
    files: [`${CORE}/${layer.folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: layer.io ? [] : NODE_IO,
          patterns: [
            onlyImports(layer.folder, layer.imports),
            SELF,
            ...(layer.crypto ? [] : CRYPTO_LIBRARIES),
          ],
        },
      ],
    },
  })),
  {
    // The leaves every layer may read, and the entries that re-export the layers.
    files: [`${CORE}/*.ts`],
    rules: {
      'no-restricted-imports': ['error', { paths: NODE_IO, patterns: [SELF, ...CRYPTO_LIBRARIES] }],
    },
  },
  {
    // judge/ turns plain data into findings: nothing to wait for.
    files: [`${CORE}/judge/**/*.ts`],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...[
          'FunctionDeclaration[async=true]',
          'FunctionExpression[async=true]',
          'ArrowFunctionExpression[async=true]',
          'AwaitExpression',
          'ForOfStatement[await=true]',
          "NewExpression[callee.name='Promise']",
          "TSTypeReference[typeName.name='Promise']",
        ].map((selector) => ({
          selector,
          message:
            'core/src/judge/ is synchronous: it judges data given to it; reading and waiting belong in workflows/.',
        })),
      ],
    },
  },
];

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'node_modules/**', '**/node_modules/**', 'docs/**', 'bench/RESULTS.md'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // node:test's test()/describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    // The CLI stays thin: it never touches certificates or crypto itself (STYLE.md section 4).
    files: ['packages/cli/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'node:crypto',
            'crypto',
            'pkijs',
            'asn1js',
            '@peculiar/x509',
            '@peculiar/webcrypto',
            'node:fs',
            'fs',
            'node:fs/promises',
          ],
          // Core's public entries only: the root, the identity, display and defaults entries (package.json
          // exports).
          patterns: [
            {
              group: [
                '@certkit/core/*',
                '!@certkit/core/identity',
                '!@certkit/core/display',
                '!@certkit/core/defaults',
              ],
            },
          ],
        },
      ],
    },
  },
  ...layerRules,
  {
    files: ['scripts/**/*.mjs', 'eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
