/**
 * One HTTP exchange with Vault, over node:http(s) rather than fetch so that
 * a private CA (VAULT_CACERT) can be trusted for this connection alone.
 * Certificates are always verified (Node's default, never turned off), over
 * TLS 1.2 or later; plain http is reached only on loopback, which
 * vault-transit.ts checks before any request.
 */
import http from 'node:http';
import https from 'node:https';

export interface VaultExchange {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** PEM of the CA certificates to trust instead of Node's bundled ones. */
  readonly ca?: string | undefined;
  readonly timeoutMs: number;
}

export interface VaultAnswer {
  readonly ok: boolean;
  readonly status: number;
  readonly text: string;
}

export function exchange(url: string, options: VaultExchange): Promise<VaultAnswer> {
  const target = new URL(url);
  const tls = target.protocol === 'https:';
  const request = tls ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method,
        headers: options.headers,
        timeout: options.timeoutMs,
        ...(tls
          ? {
              minVersion: 'TLSv1.2' as const,
              ...(options.ca === undefined ? {} : { ca: options.ca }),
            }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          resolve({
            ok: status >= 200 && status < 300,
            status,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(options.body);
  });
}
