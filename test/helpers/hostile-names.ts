/**
 * File names a connection snippet must carry through exactly: quotes of every kind, shell
 * expansions, backslashes that look like escapes, line breaks, terminal controls, bidi
 * overrides, U+2028, characters outside the BMP. None holds `/` or NUL, so each is a real file
 * name too.
 */
export const HOSTILE_NAMES: readonly string[] = [
  "it's",
  'say "hi"',
  'back\\slash',
  'back\\\\u0022slash',
  '\\u000a',
  '$HOME',
  '$(touch pwned)',
  '`touch pwned`',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  'esc\u001b[31mred',
  'bidi\u202eevil',
  'line\u2028separator',
  'emoji \u{1f600}',
  "'\\''",
  '%s %n {}',
  '-rf',
  'é',
];
