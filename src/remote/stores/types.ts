import type { Readable } from 'node:stream';

/**
 * One object database on another medium (a folder, a git branch, an S3 bucket, an HTTP server), in
 * DVC's remote layout: `<root>/files/md5/<oid[0:2]>/<oid[2:]>` (dvc-format.md §4.1). Only the
 * operations a transfer needs; every method names the remote in its errors (see ../errors.ts).
 */
export interface ObjectStore {
  /** Where the objects live, for messages: `/mnt/storage`, `s3://bucket/prefix`, `https://...`. */
  readonly location: string;
  /** Largest object this store accepts, in bytes (undefined: no limit of its own). */
  readonly maxObjectBytes: number | undefined;
  /** Parallel transfers that suit this medium when the user gives no `-j`. */
  readonly defaultJobs: number;
  /** The subset of `oids` present on the remote: one listing or parallel queries, never one at a time. */
  exists(oids: readonly string[], options?: StoreCallOptions): Promise<Set<string>>;
  /** Every oid under `files/md5/`, for stores that can list (HTTP cannot: undefined). */
  list?(options?: StoreCallOptions): Promise<Set<string>>;
  /** Where the object is as a local file, for stores that are a folder (lets fetch copy it directly). */
  localPath?(oid: string): string;
  /** Stores the object read from `sourcePath` (a trusted cache file of `size` bytes), streaming. */
  upload(oid: string, sourcePath: string, size: number, options?: StoreCallOptions): Promise<void>;
  /** A stream of the object's bytes; E_NOT_FOUND when the remote does not hold it. */
  download(oid: string, options?: StoreCallOptions): Promise<Readable>;
  /**
   * Makes the uploads of this session visible to others. A no-op where every upload is final on its
   * own (folder, S3, HTTP); the commit + push for the git store.
   */
  commit(options?: StoreCallOptions): Promise<void>;
  /** DVC's run-cache entries on the remote (`runs/XX/key/value`), where this kind of store holds them. */
  readonly runs?: RunStore;
  /** Releases connections and helper processes. */
  close(): Promise<void>;
}

export interface StoreCallOptions {
  signal?: AbortSignal;
}

/**
 * Run-cache entries on a remote, by their path under `runs/` (`XX/key/value`, see
 * ../../pipeline/run-cache.ts). Small YAML files, written once, never changed.
 */
export interface RunStore {
  list(options?: StoreCallOptions): Promise<string[]>;
  /** Stores the entry read from `sourcePath`; visible after the store's `commit()`. */
  upload(rel: string, sourcePath: string, options?: StoreCallOptions): Promise<void>;
  read(rel: string, options?: StoreCallOptions): Promise<Buffer>;
}
