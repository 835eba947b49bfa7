import type { Readable } from 'node:stream';
import { type Bucket, IdempotencyStrategy, Storage } from '@google-cloud/storage';
import { objectRelPath } from '../../core/odb/layout.js';
import type { MlpipeError } from '../../errors.js';
import { networkError, remoteError } from '../errors.js';
import { parseBucketUrl } from './bucket-url.js';
import { checkVerified } from '../verify.js';
import { existsByProbeOrListing, oidOfKey, runOfKey } from './probe.js';
import { whenAnswered } from './stream.js';
import type { ObjectStore, RunStore, StoreCallOptions } from './types.js';

export interface GcsStoreOptions {
  /** `gs://bucket/prefix` */
  url: string;
  /** DVC's `projectname`. */
  projectId?: string;
  /** DVC's `credentialpath`: a service-account JSON key (absolute). Else the Google chain (ADC). */
  keyFilename?: string;
  /** DVC's `endpointurl`: another server speaking the GCS JSON API (an emulator). */
  endpointUrl?: string;
  /** Objects at or above this size go up as a resumable upload (default 8 MiB). */
  resumableThreshold?: number;
}

/**
 * A Google Cloud Storage bucket with DVC's key layout (`<prefix>/files/md5/XX/...`, as gcsfs writes
 * it). Credentials: DVC's `credentialpath`, else Application Default Credentials (the
 * GOOGLE_APPLICATION_CREDENTIALS file, gcloud's user credentials, or the metadata server).
 * Every upload is final on its own: a simple upload is one request, and a resumable upload's object
 * appears only when its last byte is acknowledged, so a killed push never leaves a partial object.
 */
export class GcsStore implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes = undefined;
  /** Small objects are latency-bound: many requests in flight. */
  readonly defaultJobs = 32;
  private readonly storage: Storage;
  private readonly bucket: Bucket;
  private readonly bucketName: string;
  private readonly prefix: string;
  private readonly resumableThreshold: number;
  private bucketChecked: Promise<void> | undefined;

  constructor(options: GcsStoreOptions) {
    ({ bucket: this.bucketName, prefix: this.prefix } = parseBucketUrl(options.url, 'gs', 'a GCS'));
    this.location = options.url;
    this.resumableThreshold = options.resumableThreshold ?? 8 * 2 ** 20;
    this.storage = new Storage({
      ...(options.projectId ? { projectId: options.projectId } : {}),
      ...(options.keyFilename ? { keyFilename: options.keyFilename } : {}),
      // A custom endpoint is usually an emulator without auth; with a key file given, authenticate anyway.
      ...(options.endpointUrl ? { apiEndpoint: options.endpointUrl, useAuthWithCustomEndpoint: Boolean(options.keyFilename) } : {}),
      // Objects are content-addressed: writing one twice writes the same bytes, so every call may be retried.
      retryOptions: { autoRetry: true, maxRetries: 3, idempotencyStrategy: IdempotencyStrategy.RetryAlways },
    });
    this.bucket = this.storage.bucket(this.bucketName);
  }

  private key(oid: string): string {
    return this.prefix + objectRelPath(oid);
  }

  /** One bucket lookup per session, so a missing bucket or refused key is reported as such, not as "object absent". */
  private checkBucket(): Promise<void> {
    this.bucketChecked ??= this.bucket.exists().then(
      ([exists]) => {
        if (!exists) throw this.noBucket();
      },
      (err: unknown) => {
        this.bucketChecked = undefined;
        throw this.mapError(err, `bucket ${this.bucketName}`);
      },
    );
    return this.bucketChecked;
  }

  async exists(oids: readonly string[]): Promise<Set<string>> {
    await this.checkBucket();
    return existsByProbeOrListing(
      oids,
      this.defaultJobs,
      async (oid) => {
        const [exists] = await this.bucket.file(this.key(oid)).exists().catch((err: unknown) => {
          throw this.mapError(err, this.key(oid));
        });
        return exists;
      },
      (sub, limit) => this.listUnder(`${this.prefix}files/md5/${sub}`, limit),
    );
  }

  async list(): Promise<Set<string>> {
    await this.checkBucket();
    return new Set(await this.listUnder(`${this.prefix}files/md5/`));
  }

  private async listUnder(
    keyPrefix: string,
    limit = Number.POSITIVE_INFINITY,
    pick: (key: string) => string | undefined = oidOfKey,
  ): Promise<string[] | undefined> {
    const oids: string[] = [];
    let pageToken: string | undefined;
    do {
      const [files, next] = await this.bucket
        .getFiles({ prefix: keyPrefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) })
        .catch((err: unknown) => {
          throw this.mapError(err, keyPrefix);
        });
      for (const f of files) {
        const oid = pick(f.name);
        if (oid) oids.push(oid);
      }
      if (oids.length > limit) return undefined;
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    return oids;
  }

  async upload(oid: string, sourcePath: string, size: number): Promise<void> {
    await this.checkBucket();
    const destination = this.key(oid);
    // Push verifies what it sends (verify.ts): the library's md5 validation only compares the
    // server's hash with the bytes read, so a corrupt cache object would go up as if it were good.
    checkVerified(sourcePath, oid);
    try {
      // Resumable uploads go in one request (no chunkSize): the server commits the object only
      // when the whole body arrived. md5 validation: the library compares the server's md5Hash with
      // the bytes it sent and deletes the object on a mismatch.
      await this.bucket.upload(sourcePath, {
        destination,
        resumable: size >= this.resumableThreshold,
        validation: 'md5',
        metadata: { contentType: 'application/octet-stream' },
      });
    } catch (err) {
      throw this.mapError(err, destination);
    }
  }

  async download(oid: string, _options: StoreCallOptions = {}): Promise<Readable> {
    const key = this.key(oid);
    // The transfer verifies the md5 itself while writing to the cache; the library's check would hash twice.
    const source = this.bucket.file(key).createReadStream({ validation: false, decompress: false });
    const ok = (res: unknown) => {
      const status = (res as { statusCode?: number }).statusCode ?? 0;
      return status >= 200 && status < 300;
    };
    return whenAnswered(source, ok, (err) => this.mapError(err, key));
  }

  async commit(): Promise<void> {}

  /** DVC's run-cache entries under `<prefix>runs/` (small YAML files, one simple upload each). */
  readonly runs: RunStore = {
    list: async () => {
      await this.checkBucket();
      const base = `${this.prefix}runs/`;
      return (await this.listUnder(base, undefined, (key) => runOfKey(key, base))) ?? [];
    },
    upload: async (rel, sourcePath) => {
      await this.checkBucket();
      const destination = `${this.prefix}runs/${rel}`;
      await this.bucket.upload(sourcePath, { destination, resumable: false, validation: 'md5' }).catch((err: unknown) => {
        throw this.mapError(err, destination);
      });
    },
    read: async (rel) => {
      const key = `${this.prefix}runs/${rel}`;
      const [bytes] = await this.bucket
        .file(key)
        .download({ validation: false })
        .catch((err: unknown) => {
          throw this.mapError(err, key);
        });
      return bytes;
    },
  };

  async close(): Promise<void> {}

  private noBucket(cause?: unknown): MlpipeError {
    return remoteError('E_REMOTE_NOT_FOUND', this.location, `bucket ${this.bucketName} does not exist`, {
      hint: `create it (for example \`gcloud storage buckets create gs://${this.bucketName}\`) or fix the URL with \`mlpipe remote modify NAME url gs://...\``,
      cause,
    });
  }

  private mapError(err: unknown, what: string): MlpipeError {
    const status = typeof (err as { code?: unknown })?.code === 'number' ? (err as { code: number }).code : undefined;
    const detail = err instanceof Error ? err.message : String(err);
    if (status === 404 && what.startsWith('bucket ')) return this.noBucket(err);
    if (status === 404) return remoteError('E_NOT_FOUND', this.location, `${what} is not on the remote`, { cause: err });
    if (status === 401 || status === 403 || /Could not load the default credentials|invalid_grant|ENOENT.*json/i.test(detail)) {
      return remoteError('E_REMOTE_AUTH', this.location, `Google Cloud Storage refused the credentials (${status ?? detail})`, {
        hint: 'run `gcloud auth application-default login`, set GOOGLE_APPLICATION_CREDENTIALS, or `mlpipe remote modify NAME credentialpath KEY.json`',
        cause: err,
      });
    }
    if (status === 413) return remoteError('E_REMOTE_TOO_LARGE', this.location, `the server refused ${what} (413)`, { cause: err });
    if (status !== undefined) {
      return remoteError('E_REMOTE', this.location, `GCS request for ${what} failed: ${status} ${detail}`, {
        transient: status >= 500 || status === 429,
        cause: err,
      });
    }
    if (/md5|checksum|mismatch/i.test(detail)) {
      return remoteError('E_CORRUPT', this.location, `${what} did not arrive intact: ${detail}`, { transient: true, cause: err });
    }
    return networkError(this.location, err);
  }
}
