/**
 * What the CLI prints for a failure: an AppError as it is, and the system
 * errors an operator can fix (a port in use, a database that cannot be
 * reached, a missing file) as an AppError naming the cause and the fix,
 * instead of `error [internal]`.
 */
import { AppError, isAppError } from '../base/errors.js';

interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly address?: string;
  readonly port?: number;
  readonly hostname?: string;
  readonly path?: string;
}

const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/** The AppError to print for `error`. */
export function explainError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const system = systemErrorIn(error);
  const explained = system === undefined ? undefined : explainSystem(system, error);
  if (explained !== undefined) return explained;
  const message = error instanceof Error ? error.message : String(error);
  return new AppError('internal', message, { cause: error });
}

function explainSystem(e: SystemError, cause: unknown): AppError | undefined {
  if (e.code === 'EADDRINUSE') {
    return new AppError(
      'config_invalid',
      `Cannot listen on ${e.address ?? '?'}:${e.port ?? '?'}: the port is already in use ` +
        '(EADDRINUSE). Stop what listens there, or choose another port with PORT (and HOST).',
      { cause },
    );
  }
  const why = UNREACHABLE[e.code];
  if (why !== undefined) {
    const where =
      e.hostname ?? (e.address === undefined ? 'the database' : `${e.address}:${e.port ?? '?'}`);
    return new AppError(
      'database_unavailable',
      `Cannot reach ${where}: ${why} (${e.code}). Check that PostgreSQL is running there and ` +
        'that DATABASE_URL names it.',
      { cause },
    );
  }
  if (e.code === 'ENOENT' && e.path !== undefined) {
    return new AppError('not_found', `No such file: ${e.path}`, { cause });
  }
  if ((e.code === 'EACCES' || e.code === 'EPERM') && e.path !== undefined) {
    return new AppError('forbidden', `Permission denied: ${e.path}`, { cause });
  }
  if (e.code === 'EISDIR' && e.path !== undefined) {
    return new AppError('validation_failed', `${e.path} is a folder, not a file`, { cause });
  }
  return undefined;
}

/** The Node system error in `error`, its causes, or (a connection tried on several addresses) its first inner error. */
function systemErrorIn(error: unknown, depth = 0): SystemError | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const e = error as Partial<SystemError> & { errors?: unknown; cause?: unknown };
  if (Array.isArray(e.errors) && e.errors.length > 0) {
    const inner = systemErrorIn(e.errors[0], depth + 1);
    if (inner !== undefined) return inner;
  }
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e as SystemError;
  return systemErrorIn(e.cause, depth + 1);
}
