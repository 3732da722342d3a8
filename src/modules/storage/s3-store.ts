/**
 * The S3-compatible object store (AWS S3, Cloudflare R2, Supabase Storage,
 * MinIO, …) through the AWS SDK. Uploads stream as multipart uploads
 * (`@aws-sdk/lib-storage`), one part in flight, so memory stays at about two
 * parts whatever the size. The bucket is expected to be private; nothing
 * here makes an object public, and objects are sealed before they get here
 * (sealed-objects.ts). `presignedGetUrl` is for operator tooling: the
 * object it fetches is still sealed.
 */
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError, isAppError } from '../../base/errors.js';
import type { Secret } from '../../base/config.js';
import { workspacePrefix, type ObjectKey } from './object-key.js';
import type { ObjectBody, ObjectInfo, ObjectStore } from './object-store.js';
import { MAX_LINK_SECONDS } from './links.js';

export interface S3StoreConfig {
  readonly bucket: string;
  readonly region: string;
  /** Another endpoint than AWS's (R2, Supabase, MinIO, a local test server). */
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  /** Static credentials; undefined uses the AWS SDK's default chain. */
  readonly credentials:
    { readonly accessKeyId: string; readonly secretAccessKey: Secret<string> } | undefined;
}

export interface S3ObjectStore extends ObjectStore {
  readonly kind: 's3';
  /** A presigned GET of the stored (sealed) bytes, for operator tooling; at most 7 days. */
  presignedGetUrl(key: ObjectKey, expiresInSeconds: number): Promise<string>;
}

/** Part size of multipart uploads: S3's minimum is 5 MiB. */
const PART_BYTES = 8 * 1024 * 1024;

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' ||
      error.name === 'NotFound' ||
      error.$metadata.httpStatusCode === 404)
  );
}

/** Any other failure of the store is `storage_unavailable`; the SDK's message stays in the cause. */
function unavailable(error: unknown, what: string): AppError {
  if (isAppError(error)) return error;
  const name = error instanceof Error ? error.name : 'error';
  return new AppError('storage_unavailable', `Object store ${what} failed (${name})`, {
    cause: error,
  });
}

function clientOf(config: S3StoreConfig): S3Client {
  return new S3Client({
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(config.credentials === undefined
      ? {}
      : {
          credentials: {
            accessKeyId: config.credentials.accessKeyId,
            secretAccessKey: config.credentials.secretAccessKey.reveal(),
          },
        }),
  });
}

async function headObject(
  client: S3Client,
  Bucket: string,
  key: ObjectKey,
): Promise<ObjectInfo | undefined> {
  try {
    const res = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
    return { size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw unavailable(error, 'head');
  }
}

async function putObject(
  client: S3Client,
  Bucket: string,
  key: ObjectKey,
  body: ObjectBody,
): Promise<ObjectInfo> {
  const upload = new Upload({
    client,
    params: {
      Bucket,
      Key: key,
      Body: Readable.from(body),
      ContentType: 'application/octet-stream',
    },
    partSize: PART_BYTES,
    queueSize: 1,
    leavePartsOnError: false,
  });
  try {
    await upload.done();
  } catch (error) {
    throw unavailable(error, 'upload');
  }
  const stored = await headObject(client, Bucket, key);
  if (stored === undefined) throw new AppError('storage_unavailable', 'Uploaded object is missing');
  return stored;
}

async function getObject(client: S3Client, Bucket: string, key: ObjectKey): Promise<Readable> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket, Key: key }));
    if (!(res.Body instanceof Readable)) throw new AppError('internal', 'S3 body is not a stream');
    return res.Body;
  } catch (error) {
    if (isNotFound(error)) throw new AppError('not_found', 'No such object');
    throw unavailable(error, 'download');
  }
}

/** Deletes everything under `Prefix`, a page of up to 1000 keys at a time; returns how many. */
async function deleteAll(client: S3Client, Bucket: string, Prefix: string): Promise<number> {
  let deleted = 0;
  try {
    // Deleting changes the listing, so each round lists from the start again.
    for (;;) {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix, MaxKeys: 1000 }));
      const keys = (page.Contents ?? []).flatMap((o) =>
        o.Key === undefined ? [] : [{ Key: o.Key }],
      );
      if (keys.length === 0) return deleted;
      const res = await client.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }),
      );
      const errors = res.Errors ?? [];
      if (errors.length > 0) {
        throw new AppError(
          'storage_unavailable',
          `Object store refused to delete ${errors.length} objects`,
        );
      }
      deleted += keys.length;
    }
  } catch (error) {
    throw unavailable(error, 'delete');
  }
}

export function s3Store(config: S3StoreConfig): S3ObjectStore {
  const client = clientOf(config);
  const Bucket = config.bucket;
  const endpoint = config.endpoint === undefined ? '' : ` at ${new URL(config.endpoint).origin}`;
  return {
    kind: 's3',
    description: `s3://${Bucket}${endpoint}`,
    put: (key, body) => putObject(client, Bucket, key, body),
    get: (key) => getObject(client, Bucket, key),
    head: (key) => headObject(client, Bucket, key),
    async exists(key) {
      return (await headObject(client, Bucket, key)) !== undefined;
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket, Key: key }));
      } catch (error) {
        if (!isNotFound(error)) throw unavailable(error, 'delete');
      }
    },
    deletePrefix: (workspaceId) => deleteAll(client, Bucket, workspacePrefix(workspaceId)),
    async presignedGetUrl(key, expiresInSeconds) {
      const ok = Number.isInteger(expiresInSeconds) && expiresInSeconds >= 1;
      if (!ok || expiresInSeconds > MAX_LINK_SECONDS) {
        throw new AppError('validation_failed', 'A presigned URL lasts from 1 second to 7 days');
      }
      const command = new GetObjectCommand({ Bucket, Key: key });
      return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
    },
    close() {
      client.destroy();
    },
  };
}
