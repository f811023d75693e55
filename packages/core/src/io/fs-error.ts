/**
 * How a failed file call is reported: one wording per errno for every read, check and write of
 * io/, naming the path and what was being done to it.
 */
import { CertkitError } from '../errors.js';
import { looksLikeEndpoint } from '../x509/input-hints.js';

/** The {@link CertkitError} for a failed file call: `action` is `read`, `check`, `write into`... */
export function fsError(error: unknown, path: string, action: string): CertkitError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      // A missing input named HOST:PORT: the user meant the certificates that endpoint presents.
      return action === 'read' && looksLikeEndpoint(path)
        ? new CertkitError(
            'FILE_NOT_FOUND',
            `cannot read ${path}: no such file; ${path} looks like an endpoint HOST:PORT, not a file`,
            { cause: error, remedy: { kind: 'fetch', endpoint: path } },
          )
        : new CertkitError('FILE_NOT_FOUND', `cannot ${action} ${path}: no such file`, {
            cause: error,
          });
    case 'EACCES':
    case 'EPERM':
      return new CertkitError('FILE_UNREADABLE', `cannot ${action} ${path}: permission denied`, {
        cause: error,
      });
    case 'EISDIR':
      return new CertkitError('NOT_A_FILE', `cannot ${action} ${path}: it is a directory`, {
        cause: error,
      });
    case 'ENXIO':
      return new CertkitError(
        'NOT_A_FILE',
        `cannot ${action} ${path}: it is a socket, not a file`,
        {
          cause: error,
        },
      );
    case 'ELOOP':
      return new CertkitError(
        'FILE_UNREADABLE',
        `cannot ${action} ${path}: too many symbolic links (a loop?)`,
        { cause: error },
      );
    case 'ENOTDIR':
      return new CertkitError(
        'FILE_NOT_FOUND',
        `cannot ${action} ${path}: a parent is not a directory`,
        { cause: error },
      );
    default:
      return new CertkitError(
        'FILE_UNREADABLE',
        `cannot ${action} ${path}: ${code ?? 'I/O error'}`,
        { cause: error },
      );
  }
}
