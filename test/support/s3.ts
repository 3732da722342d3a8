/**
 * An S3-compatible server in the test process (`s3rver`, on loopback, in a
 * temporary folder), so the storage tests drive the real AWS SDK against a
 * real HTTP S3 API. Each call makes a fresh bucket.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Secret } from '../../src/base/config.js';
import type { S3StoreConfig } from '../../src/modules/storage/index.js';

export interface TestS3 {
  readonly endpoint: string;
  readonly config: S3StoreConfig;
  /** The folder s3rver keeps its buckets in (to look at what is stored). */
  readonly directory: string;
  close(): Promise<void>;
}

export async function startS3(): Promise<TestS3> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'wardroom-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const bucket = `test-${randomBytes(6).toString('hex')}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: new Secret('S3RVER') };
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    directory,
    config: { bucket, region: 'us-east-1', endpoint, forcePathStyle: true, credentials },
    async close() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
