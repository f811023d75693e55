/**
 * What every TLS socket of io/ does around its events. A throw inside a socket event is an
 * uncaught exception that ends the process, so each handler runs guarded: whatever it throws
 * ends that connection only. A socket we are done with hears nothing more, and an error it
 * reports late is swallowed rather than thrown.
 */
import type { Socket } from 'node:net';
import { asErrno } from './tls-failure.js';

/** Wraps an event handler so that what it throws goes to the connection's end, not the process. */
export type EventGuard = <A extends unknown[]>(
  handler: (...args: A) => void,
) => (...args: A) => void;

/**
 * The guard of one connection's event handlers: a guarded handler runs as given, and whatever
 * it throws is handed to `end` (as an errno-style error) instead of escaping the event.
 */
export function guardWith(end: (error: NodeJS.ErrnoException) => void): EventGuard {
  return (handler) =>
    (...args) => {
      try {
        handler(...args);
      } catch (error) {
        end(asErrno(error));
      }
    };
}

/** Closes a socket we are discarding: no listener of ours runs again, late errors are ignored. */
export function discardSocket(socket: Socket): void {
  socket.removeAllListeners();
  socket.on('error', () => undefined);
  socket.destroy();
}
