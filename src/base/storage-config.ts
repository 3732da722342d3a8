/**
 * Object storage's configuration (modules/storage): a folder under the data
 * directory, or an S3-compatible bucket, checked once here.
 */
import path from 'node:path';
import type { z } from 'zod';
import type { envFields } from './env-fields.js';
import { isLoopbackHost } from './net.js';
import { Secret } from './secret.js';

/** Where stored objects are kept (modules/storage). */
export type StorageConfig =
  | { readonly kind: 'folder'; readonly dir: string }
  | {
      readonly kind: 's3';
      readonly bucket: string;
      readonly region: string;
      readonly endpoint: string | undefined;
      readonly forcePathStyle: boolean;
      readonly credentials:
        { readonly accessKeyId: string; readonly secretAccessKey: Secret<string> } | undefined;
    };

type Env = z.infer<typeof envFields>;

export function checkStorageConfig(e: Env, ctx: z.RefinementCtx): void {
  if (e.WARDROOM_STORAGE === 's3' && e.WARDROOM_S3_BUCKET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_S3_BUCKET'],
      message: 'required by WARDROOM_STORAGE=s3',
    });
  }
  if (
    (e.WARDROOM_S3_ACCESS_KEY_ID === undefined) !==
    (e.WARDROOM_S3_SECRET_ACCESS_KEY === undefined)
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_S3_ACCESS_KEY_ID'],
      message:
        'WARDROOM_S3_ACCESS_KEY_ID and WARDROOM_S3_SECRET_ACCESS_KEY are set together or not at all',
    });
  }
  const endpoint =
    e.WARDROOM_S3_ENDPOINT === undefined ? undefined : new URL(e.WARDROOM_S3_ENDPOINT);
  if (endpoint?.protocol === 'http:' && !isLoopbackHost(endpoint.hostname)) {
    ctx.addIssue({
      code: 'custom',
      path: ['WARDROOM_S3_ENDPOINT'],
      message: 'plain http:// only to a loopback address: use https://',
    });
  }
}

export function storageConfig(e: Env): StorageConfig {
  if (e.WARDROOM_STORAGE === 'folder') {
    return {
      kind: 'folder',
      dir: path.resolve(e.WARDROOM_STORAGE_DIR ?? path.join(e.WARDROOM_DATA_DIR, 'objects')),
    };
  }
  return {
    kind: 's3',
    // The schema's refinement proved it is set.
    bucket: e.WARDROOM_S3_BUCKET ?? '',
    region: e.WARDROOM_S3_REGION,
    endpoint: e.WARDROOM_S3_ENDPOINT,
    forcePathStyle: e.WARDROOM_S3_FORCE_PATH_STYLE === 'true',
    credentials:
      e.WARDROOM_S3_ACCESS_KEY_ID === undefined || e.WARDROOM_S3_SECRET_ACCESS_KEY === undefined
        ? undefined
        : {
            accessKeyId: e.WARDROOM_S3_ACCESS_KEY_ID,
            secretAccessKey: new Secret(e.WARDROOM_S3_SECRET_ACCESS_KEY),
          },
  };
}
