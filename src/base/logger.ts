/**
 * The process logger: pino with redaction. Credentials never reach a log
 * line: authorization headers, tokens, keys and message content are censored
 * wherever they appear in a logged object, and a logged request's URL loses
 * every API token (`wr_…`) and the values of query parameters named like a
 * credential, since a token pasted into a URL would otherwise be logged with
 * every request.
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

const CENSOR = '[redacted]';
/** An API token anywhere in a URL (the prefix and its base64url body). */
const API_TOKEN = /wr_[A-Za-z0-9_-]+/g;
/**
 * A query parameter whose name says it holds a credential (a download
 * link's `signature` is one: with it the link works) or an email address
 * (`GET …/contacts?email=`: personal data), and its value.
 */
const CREDENTIAL_PARAM =
  /([?&][^=&#]*(?:token|password|secret|api_?key|signature|email)[^=&#]*=)[^&#]*/gi;

/** A URL or query string with every API token, credential and email parameter value censored. */
export function redactUrl(url: string): string {
  return url.replace(API_TOKEN, CENSOR).replace(CREDENTIAL_PARAM, `$1${CENSOR}`);
}

/** The parts of a request that are logged (Fastify's own serializer, the URL censored). */
interface LoggedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly host?: string;
  readonly ip?: string;
  readonly headers?: Record<string, unknown>;
  readonly socket?: { readonly remotePort?: number };
}

function requestSerializer(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    version: req.headers?.['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: CENSOR },
    serializers: { req: requestSerializer, err: pino.stdSerializers.err },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
