/**
 * The storage settings are checked once, at boot: the folder store under the
 * data directory by default; S3 needs a bucket, takes both halves of a key
 * pair or neither, and plain http only to this machine. The secret key is
 * never printed.
 */
import path from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/base/config.js';

const invalid = { code: 'config_invalid' };

describe('storage configuration', () => {
  it('defaults to a folder under the data directory', () => {
    expect(loadConfig({ WARDROOM_DATA_DIR: '/srv/wardroom' }).storage).toEqual({
      kind: 'folder',
      dir: path.resolve('/srv/wardroom/objects'),
    });
    expect(loadConfig({ WARDROOM_STORAGE_DIR: '/data/objects' }).storage).toEqual({
      kind: 'folder',
      dir: '/data/objects',
    });
  });

  it('reads an S3-compatible store, keeping the secret key secret', () => {
    const config = loadConfig({
      WARDROOM_STORAGE: 's3',
      WARDROOM_S3_BUCKET: 'wardroom-exports',
      WARDROOM_S3_ENDPOINT: 'https://account.r2.cloudflarestorage.com',
      WARDROOM_S3_REGION: 'auto',
      WARDROOM_S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      WARDROOM_S3_SECRET_ACCESS_KEY: 'very-secret-access-key',
      WARDROOM_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config.storage).toMatchObject({
      kind: 's3',
      bucket: 'wardroom-exports',
      region: 'auto',
      endpoint: 'https://account.r2.cloudflarestorage.com',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAEXAMPLE' },
    });
    expect(JSON.stringify(config)).not.toContain('very-secret-access-key');
    expect(inspect(config, { depth: 10 })).not.toContain('very-secret-access-key');
  });

  it('uses the SDK credential chain when no key pair is given', () => {
    const config = loadConfig({ WARDROOM_STORAGE: 's3', WARDROOM_S3_BUCKET: 'bucket' });
    expect(config.storage).toMatchObject({
      kind: 's3',
      region: 'us-east-1',
      credentials: undefined,
    });
  });

  it.each([
    [{ WARDROOM_STORAGE: 's3' }, 'WARDROOM_S3_BUCKET'],
    [{ WARDROOM_STORAGE: 'gcs' }, 'WARDROOM_STORAGE'],
    [{ WARDROOM_STORAGE: 's3', WARDROOM_S3_BUCKET: 'B' }, 'WARDROOM_S3_BUCKET'],
    [
      { WARDROOM_STORAGE: 's3', WARDROOM_S3_BUCKET: 'bucket', WARDROOM_S3_ACCESS_KEY_ID: 'x' },
      'WARDROOM_S3_ACCESS_KEY_ID',
    ],
    [
      {
        WARDROOM_STORAGE: 's3',
        WARDROOM_S3_BUCKET: 'bucket',
        WARDROOM_S3_ENDPOINT: 'http://minio.internal:9000',
      },
      'WARDROOM_S3_ENDPOINT',
    ],
    [{ WARDROOM_S3_ENDPOINT: 'ftp://127.0.0.1' }, 'WARDROOM_S3_ENDPOINT'],
  ])('refuses %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining(invalid));
    expect(() => loadConfig(env)).toThrow(new RegExp(variable));
  });

  it('allows plain http to a loopback S3 endpoint (a local MinIO)', () => {
    const config = loadConfig({
      WARDROOM_STORAGE: 's3',
      WARDROOM_S3_BUCKET: 'bucket',
      WARDROOM_S3_ENDPOINT: 'http://127.0.0.1:9000',
    });
    expect(config.storage).toMatchObject({ endpoint: 'http://127.0.0.1:9000' });
  });
});
