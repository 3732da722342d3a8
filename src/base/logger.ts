/**
 * The process logger: pino with redaction. Credentials never reach a log
 * line: authorization headers, tokens, keys and message content are censored
 * wherever they appear in a logged object.
 */
import { pino, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.masterKey',
  '*.content',
  'token',
  'password',
  'content',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
