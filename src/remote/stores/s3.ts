import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { objectRelPath } from '../../core/odb/layout.js';
import type { MlpipeError } from '../../errors.js';
import { networkError, remoteError } from '../errors.js';
import { parseBucketUrl } from './bucket-url.js';
import { SMALL_OBJECT_BYTES, readVerified, verifiedObjectStream } from '../verify.js';
import { existsByProbeOrListing, oidOfKey, runOfKey } from './probe.js';
import { DirectPut } from './s3-put.js';
import type { ObjectStore, RunStore, StoreCallOptions } from './types.js';

export interface S3StoreOptions {
  /** `s3://bucket/prefix` */
  url: string;
  /** DVC's `endpointurl`, for S3-compatible servers (MinIO, Ceph radosgw, ...). */
  endpointUrl?: string;
  region?: string;
  /** Explicit keys (DVC's `access_key_id`/`secret_access_key`, usually in config.local); else the AWS chain. */
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Objects at or above this size go up as a multipart upload (default 64 MiB). */
  multipartThreshold?: number;
  /** Part size of multipart uploads (default 16 MiB; S3 needs at least 5 MiB). */
  partSize?: number;
}

/** An S3 bucket or S3-compatible store with DVC's key layout (dvc-format.md §4.3). */
export class S3Store implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes = undefined;
  readonly defaultJobs = 16;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly multipartThreshold: number;
  private readonly partSize: number;
  private bucketChecked: Promise<void> | undefined;
  /** Small PUTs and all GETs without the SDK's middleware, for S3-compatible servers (see s3-put.ts). */
  private readonly direct: DirectPut | undefined;

  constructor(options: S3StoreOptions) {
    ({ bucket: this.bucket, prefix: this.prefix } = parseBucketUrl(options.url, 's3', 'an S3'));
    this.location = options.url;
    this.multipartThreshold = options.multipartThreshold ?? 64 * 2 ** 20;
    this.partSize = options.partSize ?? 16 * 2 ** 20;
    const credentials =
      options.accessKeyId && options.secretAccessKey
        ? {
            accessKeyId: options.accessKeyId,
            secretAccessKey: options.secretAccessKey,
            ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
          }
        : undefined;
    // The SDK warns on every run that future versions will need Node 22; that is not the user's concern.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.client = new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(options.endpointUrl ? { endpoint: options.endpointUrl, forcePathStyle: true } : {}),
      ...(credentials ? { credentials } : {}),
      // Non-AWS servers reject or mangle the SDK's default CRC checksums (machine-notes.md).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
    const config = this.client.config;
    this.direct = options.endpointUrl
      ? new DirectPut({ endpoint: options.endpointUrl, region: config.region, credentials: config.credentials, sockets: 64 })
      : undefined;
  }

  private key(oid: string): string {
    return this.prefix + objectRelPath(oid);
  }

  /** One HeadBucket per session, so a missing bucket or bad key is reported as such, not as "object absent". */
  private checkBucket(signal?: AbortSignal): Promise<void> {
    this.bucketChecked ??= this.client
      .send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal: signal })
      .then(() => undefined)
      .catch((err) => {
        this.bucketChecked = undefined;
        throw this.mapError(err, `bucket ${this.bucket}`);
      });
    return this.bucketChecked;
  }

  async exists(oids: readonly string[], options: StoreCallOptions = {}): Promise<Set<string>> {
    await this.checkBucket(options.signal);
    return existsByProbeOrListing(
      oids,
      this.defaultJobs,
      (oid) => this.head(oid, options.signal),
      (sub, limit) => this.listUnder(`${this.prefix}files/md5/${sub}`, options.signal, limit),
    );
  }

  async list(options: StoreCallOptions = {}): Promise<Set<string>> {
    await this.checkBucket(options.signal);
    return new Set(await this.listUnder(`${this.prefix}files/md5/`, options.signal));
  }

  private async listUnder(
    keyPrefix: string,
    signal?: AbortSignal,
    limit = Number.POSITIVE_INFINITY,
    pick: (key: string) => string | undefined = oidOfKey,
  ): Promise<string[] | undefined> {
    const oids: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client
        .send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: keyPrefix, ContinuationToken: token }), {
          abortSignal: signal,
        })
        .catch((err) => {
          throw this.mapError(err, keyPrefix);
        });
      for (const obj of page.Contents ?? []) {
        const oid = pick(obj.Key ?? '');
        if (oid) oids.push(oid);
      }
      if (oids.length > limit) return undefined;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return oids;
  }

  private async head(oid: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(oid) }), { abortSignal: signal });
      return true;
    } catch (err) {
      if (statusOf(err) === 404) return false;
      throw this.mapError(err, this.key(oid));
    }
  }

  async upload(oid: string, sourcePath: string, size: number, options: StoreCallOptions = {}): Promise<void> {
    await this.checkBucket(options.signal);
    const Key = this.key(oid);
    if (size < SMALL_OBJECT_BYTES) {
      const Body = await readVerified(sourcePath, oid);
      const put = this.direct
        ? this.direct.put(this.bucket, Key, Body, options.signal)
        : this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentLength: Body.length }), { abortSignal: options.signal });
      await put.catch((err) => {
        throw this.mapError(err, Key);
      });
      return;
    }
    // The SDK does not watch its body stream for errors: a corrupt object aborts the request instead.
    const corrupt = new AbortController();
    const body = verifiedObjectStream(sourcePath, oid, () => corrupt.abort());
    const abortSignal = options.signal ? AbortSignal.any([options.signal, corrupt.signal]) : corrupt.signal;
    try {
      if (size >= this.multipartThreshold) {
        // Multipart: parts upload in parallel and the object appears only on CompleteMultipartUpload.
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key, Body: body },
          partSize: this.partSize,
          queueSize: 4,
          leavePartsOnError: false,
        });
        abortSignal.addEventListener('abort', () => void upload.abort(), { once: true });
        await upload.done();
      } else {
        await this.client.send(
          new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: size }),
          { abortSignal },
        );
      }
    } catch (err) {
      throw body.corrupt ?? this.mapError(err, Key);
    }
  }

  async download(oid: string, options: StoreCallOptions = {}): Promise<Readable> {
    try {
      if (this.direct) return await this.direct.get(this.bucket, this.key(oid), options.signal);
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(oid) }), {
        abortSignal: options.signal,
      });
      return res.Body as Readable;
    } catch (err) {
      throw this.mapError(err, this.key(oid));
    }
  }

  async commit(): Promise<void> {}

  /** DVC's run-cache entries under `<prefix>runs/` (small YAML files, one PUT each). */
  readonly runs: RunStore = {
    list: async (options = {}) => {
      await this.checkBucket(options.signal);
      const base = `${this.prefix}runs/`;
      return (await this.listUnder(base, options.signal, undefined, (key) => runOfKey(key, base))) ?? [];
    },
    upload: async (rel, sourcePath, options = {}) => {
      await this.checkBucket(options.signal);
      const Key = `${this.prefix}runs/${rel}`;
      const Body = await readFile(sourcePath);
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body, ContentLength: Body.length }), { abortSignal: options.signal }).catch((err) => {
        throw this.mapError(err, Key);
      });
    },
    read: async (rel, options = {}) => {
      const Key = `${this.prefix}runs/${rel}`;
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }), { abortSignal: options.signal }).catch((err) => {
        throw this.mapError(err, Key);
      });
      return Buffer.from(await (res.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
    },
  };

  async close(): Promise<void> {
    this.direct?.close();
    this.client.destroy();
  }

  private mapError(err: unknown, what: string): MlpipeError {
    const status = statusOf(err);
    const name = err instanceof Error ? err.name : '';
    const detail = err instanceof Error ? err.message : String(err);
    if (name === 'NoSuchBucket' || (status === 404 && what.startsWith('bucket '))) {
      return remoteError('E_REMOTE_NOT_FOUND', this.location, `bucket ${this.bucket} does not exist`, {
        hint: `create it (for example \`aws s3 mb s3://${this.bucket}\`) or fix the URL with \`mlpipe remote modify NAME url s3://...\``,
        cause: err,
      });
    }
    if (name === 'NoSuchKey' || status === 404) {
      return remoteError('E_NOT_FOUND', this.location, `${what} is not on the remote`, { cause: err });
    }
    if (status === 401 || status === 403 || /InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied/.test(name)) {
      return remoteError('E_REMOTE_AUTH', this.location, `the S3 server refused the credentials (${name || status})`, {
        hint: 'set access_key_id and secret_access_key with `mlpipe remote modify --local NAME KEY VALUE`, or the AWS_* environment variables',
        cause: err,
      });
    }
    if (name === 'EntityTooLarge' || name === 'QuotaExceeded') {
      return remoteError('E_REMOTE_TOO_LARGE', this.location, `the S3 server refused ${what} (${name})`, { cause: err });
    }
    if (err instanceof S3ServiceException) {
      return remoteError('E_REMOTE', this.location, `S3 request for ${what} failed: ${name} ${detail}`, {
        transient: status !== undefined && (status >= 500 || status === 429),
        cause: err,
      });
    }
    return networkError(this.location, err);
  }
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}
