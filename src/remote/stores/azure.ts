import type { Readable } from 'node:stream';
import {
  AnonymousCredential,
  BlobServiceClient,
  type ContainerClient,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { objectRelPath } from '../../core/odb/layout.js';
import type { MlpipeError } from '../../errors.js';
import { networkError, remoteError } from '../errors.js';
import { parseBucketUrl } from './bucket-url.js';
import { SMALL_OBJECT_BYTES, checkVerified, readVerified } from '../verify.js';
import { existsByProbeOrListing, oidOfKey, runOfKey } from './probe.js';
import type { ObjectStore, RunStore, StoreCallOptions } from './types.js';

export interface AzureStoreOptions {
  /** `azure://container/prefix` */
  url: string;
  /** DVC's options (adlfs names); the AZURE_STORAGE_* environment variables fill the gaps. */
  accountName?: string;
  accountKey?: string;
  connectionString?: string;
  sasToken?: string;
  allowAnonymousLogin?: boolean;
  /**
   * The blob service URL when it is not `https://<account>.blob.core.windows.net` (Azurite, sovereign
   * clouds). DVC has no option for it: in a config, a connection string's BlobEndpoint says it.
   */
  blobEndpoint?: string;
  /** Block size of uploads above `maxSingleShotSize` (defaults 8 MiB and 32 MiB). */
  blockSize?: number;
  maxSingleShotSize?: number;
}

/**
 * An Azure Blob Storage container with DVC's key layout (`<prefix>/files/md5/XX/...`). A small object
 * is one Put Blob; a large one is staged in blocks and appears only on Put Block List, so a killed
 * push never leaves a partial object (uncommitted blocks are invisible and expire).
 */
export class AzureStore implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes = undefined;
  /** Small objects are latency-bound: many requests in flight (the SDK keeps connections alive). */
  readonly defaultJobs = 32;
  private readonly container: ContainerClient;
  private readonly containerName: string;
  private readonly prefix: string;
  private readonly blockSize: number;
  private readonly maxSingleShotSize: number;
  private containerChecked: Promise<void> | undefined;

  constructor(options: AzureStoreOptions) {
    ({ bucket: this.containerName, prefix: this.prefix } = parseBucketUrl(options.url, 'azure', 'an Azure'));
    this.location = options.url;
    this.blockSize = options.blockSize ?? 8 * 2 ** 20;
    this.maxSingleShotSize = options.maxSingleShotSize ?? 32 * 2 ** 20;
    this.container = serviceClient(options, this.location).getContainerClient(this.containerName);
  }

  private key(oid: string): string {
    return this.prefix + objectRelPath(oid);
  }

  /** One lookup per session, so a missing container or refused key is reported as such, not as "object absent". */
  private checkContainer(): Promise<void> {
    this.containerChecked ??= this.container.exists().then(
      (exists) => {
        if (!exists) throw this.noContainer();
      },
      (err: unknown) => {
        this.containerChecked = undefined;
        throw this.mapError(err, `container ${this.containerName}`);
      },
    );
    return this.containerChecked;
  }

  async exists(oids: readonly string[]): Promise<Set<string>> {
    await this.checkContainer();
    return existsByProbeOrListing(
      oids,
      this.defaultJobs,
      (oid) =>
        this.container
          .getBlobClient(this.key(oid))
          .exists()
          .catch((err: unknown) => {
            throw this.mapError(err, this.key(oid));
          }),
      (sub, limit) => this.listUnder(`${this.prefix}files/md5/${sub}`, limit),
    );
  }

  async list(): Promise<Set<string>> {
    await this.checkContainer();
    return new Set(await this.listUnder(`${this.prefix}files/md5/`));
  }

  private async listUnder(
    keyPrefix: string,
    limit = Number.POSITIVE_INFINITY,
    pick: (key: string) => string | undefined = oidOfKey,
  ): Promise<string[] | undefined> {
    const oids: string[] = [];
    try {
      for await (const page of this.container.listBlobsFlat({ prefix: keyPrefix }).byPage({ maxPageSize: 5000 })) {
        for (const blob of page.segment.blobItems) {
          const oid = pick(blob.name);
          if (oid) oids.push(oid);
        }
        if (oids.length > limit) return undefined;
      }
    } catch (err) {
      throw this.mapError(err, keyPrefix);
    }
    return oids;
  }

  async upload(oid: string, sourcePath: string, size: number, options: StoreCallOptions = {}): Promise<void> {
    await this.checkContainer();
    const key = this.key(oid);
    const blob = this.container.getBlockBlobClient(key);
    const common = {
      blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
      ...(options.signal ? { abortSignal: options.signal } : {}),
    };
    // Push verifies what it sends (verify.ts): a small object is read whole, checked and sent as one
    // Put Blob; a large one is hashed before the SDK reads the file in blocks.
    if (size < SMALL_OBJECT_BYTES) {
      const bytes = await readVerified(sourcePath, oid);
      await blob.uploadData(bytes, common).catch((err: unknown) => {
        throw this.mapError(err, key);
      });
      return;
    }
    checkVerified(sourcePath, oid);
    try {
      await blob.uploadFile(sourcePath, {
        blockSize: this.blockSize,
        maxSingleShotSize: this.maxSingleShotSize,
        concurrency: 4,
        ...common,
      });
    } catch (err) {
      throw this.mapError(err, key);
    }
  }

  async download(oid: string, options: StoreCallOptions = {}): Promise<Readable> {
    const key = this.key(oid);
    try {
      const res = await this.container
        .getBlobClient(key)
        .download(0, undefined, options.signal ? { abortSignal: options.signal } : {});
      return res.readableStreamBody as Readable;
    } catch (err) {
      throw this.mapError(err, key);
    }
  }

  async commit(): Promise<void> {}

  /** DVC's run-cache entries under `<prefix>runs/` (small YAML files, one Put Blob each). */
  readonly runs: RunStore = {
    list: async () => {
      await this.checkContainer();
      const base = `${this.prefix}runs/`;
      return (await this.listUnder(base, undefined, (key) => runOfKey(key, base))) ?? [];
    },
    upload: async (rel, sourcePath, options = {}) => {
      await this.checkContainer();
      const key = `${this.prefix}runs/${rel}`;
      await this.container
        .getBlockBlobClient(key)
        .uploadFile(sourcePath, options.signal ? { abortSignal: options.signal } : {})
        .catch((err: unknown) => {
          throw this.mapError(err, key);
        });
    },
    read: async (rel, options = {}) => {
      const key = `${this.prefix}runs/${rel}`;
      return this.container
        .getBlobClient(key)
        .downloadToBuffer(0, undefined, options.signal ? { abortSignal: options.signal } : {})
        .catch((err: unknown) => {
          throw this.mapError(err, key);
        });
    },
  };

  async close(): Promise<void> {}

  private noContainer(cause?: unknown): MlpipeError {
    return remoteError('E_REMOTE_NOT_FOUND', this.location, `container ${this.containerName} does not exist`, {
      hint: `create it (for example \`az storage container create -n ${this.containerName}\`) or fix the URL with \`mlpipe remote modify NAME url azure://...\``,
      cause,
    });
  }

  private mapError(err: unknown, what: string): MlpipeError {
    const status = (err as { statusCode?: number })?.statusCode;
    const code = String((err as { code?: unknown })?.code ?? '');
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (code === 'ContainerNotFound' || (status === 404 && what.startsWith('container '))) return this.noContainer(err);
    if (status === 404) return remoteError('E_NOT_FOUND', this.location, `${what} is not on the remote`, { cause: err });
    if (status === 401 || status === 403) {
      return remoteError('E_REMOTE_AUTH', this.location, `Azure refused the credentials (${code || status})`, {
        hint: 'set connection_string, account_key or sas_token with `mlpipe remote modify --local NAME KEY VALUE`, or the AZURE_STORAGE_* environment variables',
        cause: err,
      });
    }
    if (status === 413 || code === 'RequestBodyTooLarge') {
      return remoteError('E_REMOTE_TOO_LARGE', this.location, `Azure refused ${what} (${code || status})`, { cause: err });
    }
    if (status !== undefined && status > 0) {
      return remoteError('E_REMOTE', this.location, `Azure request for ${what} failed: ${status} ${code} ${detail}`, {
        transient: status >= 500 || status === 429,
        cause: err,
      });
    }
    if (code && !isErrnoLike(err)) {
      // RestError without a status: the request never got an answer (ECONNREFUSED, reset, ...).
      return networkError(this.location, Object.assign(new Error(detail), { code }));
    }
    return networkError(this.location, err);
  }
}

function isErrnoLike(err: unknown): boolean {
  return typeof (err as { errno?: unknown })?.errno === 'number';
}

/** The client for the credentials DVC would use, in adlfs's order: connection string, key, SAS, anonymous. */
function serviceClient(options: AzureStoreOptions, location: string): BlobServiceClient {
  const env = process.env;
  const connectionString = options.connectionString ?? env.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString) {
    try {
      return BlobServiceClient.fromConnectionString(connectionString);
    } catch (err) {
      throw remoteError('E_BAD_INPUT', location, `connection_string is not valid: ${err instanceof Error ? err.message : String(err)}`, {
        hint: 'copy it from the storage account\'s "Access keys" page (DefaultEndpointsProtocol=...;AccountName=...;AccountKey=...)',
      });
    }
  }
  const account = options.accountName ?? env.AZURE_STORAGE_ACCOUNT_NAME ?? env.AZURE_STORAGE_ACCOUNT;
  if (!account) {
    throw remoteError('E_REMOTE_AUTH', location, 'no Azure storage account is configured', {
      expected: 'account_name (with account_key, sas_token or allow_anonymous_login), or connection_string',
      hint: 'mlpipe remote modify NAME account_name ACCOUNT && mlpipe remote modify --local NAME account_key KEY',
    });
  }
  const endpoint = (options.blobEndpoint ?? `https://${account}.blob.core.windows.net`).replace(/\/+$/, '');
  const key = options.accountKey ?? env.AZURE_STORAGE_ACCOUNT_KEY ?? env.AZURE_STORAGE_KEY;
  if (key) return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(account, key));
  const sas = options.sasToken ?? env.AZURE_STORAGE_SAS_TOKEN;
  if (sas) return new BlobServiceClient(`${endpoint}?${sas.replace(/^\?/, '')}`, new AnonymousCredential());
  if (options.allowAnonymousLogin) return new BlobServiceClient(endpoint, new AnonymousCredential());
  throw remoteError('E_REMOTE_AUTH', location, `no credentials for Azure storage account ${account}`, {
    expected: 'account_key, sas_token or connection_string (or allow_anonymous_login true for a public container)',
    hint: 'set one with `mlpipe remote modify --local NAME account_key KEY`; mlpipe does not read Azure AD (tenant_id/client_id) credentials',
  });
}
