/**
 * A token pasted into a URL does not reach the log: the real server at
 * `trace` logs every request's URL, and any API token (`wr_…`) in it, in
 * the path or the query, and the value of a query parameter named like a
 * credential, are censored there, whatever the route answers.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/logs-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(randomBytes(32));
});
afterAll(() => h.close());

const token = () => `wr_${randomBytes(48).toString('base64url')}`;

describe('request URLs in the log', () => {
  it('lose every API token and credential parameter value', async () => {
    const ws = '00000000-0000-4000-8000-000000000000';
    const tokens = [token(), token(), token(), token()];
    const password = `pw-${randomBytes(12).toString('hex')}`;
    const urls = [
      `/api/v1/workspaces/${ws}/workrooms?token=${tokens[0]}`,
      `/api/v1/workspaces/${ws}/workrooms?limit=2&access_token=${tokens[1]}&cursor=x`,
      `/api/v1/workspaces/${ws}/workrooms/${tokens[2]}`,
      `/api/v1/nowhere?password=${password}&q=${tokens[3]}`,
    ];
    for (const url of urls) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
    }
    const logged = h.logLines.filter((l) => l.includes('incoming request'));
    expect(logged).toHaveLength(urls.length);
    expect(logged.filter((l) => l.includes('[redacted]'))).toHaveLength(urls.length);
    for (const line of h.logLines) {
      for (const secret of [...tokens, password]) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/wr_[A-Za-z0-9_-]{8,}/);
    }
    // A signed download link's signature is a credential too (the link works with it).
    const signature = randomBytes(32).toString('base64url');
    await h.app.inject({
      method: 'GET',
      url: `/api/v1/objects/download?key=tenants%2F${ws}%2Fx&expires=1&signature=${signature}`,
    });
    expect(h.logLines.join('\n')).not.toContain(signature);
    expect(h.logLines.join('\n')).toContain('signature=[redacted]');
    // What is not a credential stays readable.
    expect(logged[1]).toContain('limit=2&access_token=[redacted]&cursor=x');
  });
});
