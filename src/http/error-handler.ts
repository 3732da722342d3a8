/**
 * The one place errors become HTTP. Every response is
 * `{error: {code, message}}` with a stable snake_case code; a 5xx never
 * carries internals (the detail goes to the log with the correlation id).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, errorStatus } from '../base/errors.js';

const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
};

const PG_CODES: Readonly<Record<string, ErrorCode>> = {
  '23505': 'conflict',
  '23503': 'not_found',
  '23514': 'validation_failed',
  '22001': 'validation_failed',
  // character_not_in_repertoire: text Postgres cannot store (a NUL character).
  '22021': 'validation_failed',
};

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map((v) => {
      const where = `${error.validationContext ?? 'request'}${v.instancePath.replace(/\//g, '.')}`;
      // zod names unknown keys in its message; a key can be a pasted secret, so never echo it.
      const message =
        v.keyword === 'unrecognized_keys'
          ? 'unknown field (its name is not echoed back)'
          : (v.message ?? 'invalid');
      return `${where}: ${message}`;
    });
    return new AppError('validation_failed', problems.join('; '));
  }
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const fastifyCode = FASTIFY_CODES[code];
  if (fastifyCode === 'unsupported_media_type') {
    // Never echo the sent type: a header can carry anything.
    return new AppError(fastifyCode, 'Unsupported media type: send the body as application/json');
  }
  if (fastifyCode !== undefined) return new AppError(fastifyCode, (error as FastifyError).message);
  const pgCode = PG_CODES[code];
  if (pgCode !== undefined) return new AppError(pgCode, defaultMessage(pgCode), { cause: error });
  const status = (error as Partial<FastifyError>).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('bad_request', (error as Error).message);
  }
  return new AppError('internal', 'Internal error', { cause: error });
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const appError = toAppError(error);
  if (!appError.isExposable) {
    request.log.error({ err: error, code: appError.code }, 'request failed');
  }
  void reply.status(appError.status).send({
    error: {
      code: appError.code,
      message: appError.isExposable ? appError.message : defaultMessage(appError.code),
    },
  });
}

function defaultMessage(code: ErrorCode): string {
  switch (code) {
    case 'conflict':
      return 'The resource already exists';
    case 'not_found':
      return 'Not found';
    case 'validation_failed':
      return 'A value is invalid or out of range';
    case 'database_unavailable':
      return 'Service temporarily unavailable';
    default:
      return errorStatus[code] >= 500 ? 'Internal error' : code;
  }
}
