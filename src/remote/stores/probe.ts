import { forEachLimit } from '../pool.js';

/** Fewer oids than this are checked one request each (in parallel); more, by listing the `XX/` prefixes they fall in. */
export const LIST_THRESHOLD = 256;

/** The oid named by an object key or path ending in `files/md5/XX/<30 hex>[.dir]`, else undefined. */
export function oidOfKey(key: string): string | undefined {
  const m = /files\/md5\/([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(key);
  return m ? `${m[1]}${m[2]}` : undefined;
}

/** The run-cache entry (`XX/key/value`) named by an object key under `runsPrefix`, else undefined. */
export function runOfKey(key: string, runsPrefix: string): string | undefined {
  return key.startsWith(runsPrefix) && key.length > runsPrefix.length ? key.slice(runsPrefix.length) : undefined;
}

/**
 * Lists the oids under `files/md5/<sub>` (`sub` is `XX/`, or '' for all); with `limit`, gives up
 * (undefined) as soon as more than `limit` were seen.
 */
export type ListOids = (sub: string, limit?: number) => Promise<string[] | undefined>;

/**
 * Which of `oids` a bucket-like store holds, in as few requests as suits the count: a few oids are
 * probed one by one (`probe`). For many, a remote holding not many more objects than asked about
 * is listed whole (one page per 1,000 objects, so a first push to an empty remote costs one
 * request); a larger one is listed only under the `XX/` prefixes the oids fall in.
 */
export async function existsByProbeOrListing(
  oids: readonly string[],
  jobs: number,
  probe: (oid: string) => Promise<boolean>,
  list: ListOids,
): Promise<Set<string>> {
  const found = new Set<string>();
  if (oids.length < LIST_THRESHOLD) {
    await forEachLimit(oids, jobs, async (oid) => {
      if (await probe(oid)) found.add(oid);
    });
    return found;
  }
  const wanted = new Set(oids);
  const all = await list('', 2 * oids.length);
  if (all) {
    for (const oid of all) if (wanted.has(oid)) found.add(oid);
    return found;
  }
  const prefixes = [...new Set(oids.map((o) => o.slice(0, 2)))];
  await forEachLimit(prefixes, jobs, async (p) => {
    for (const oid of (await list(`${p}/`)) ?? []) if (wanted.has(oid)) found.add(oid);
  });
  return found;
}
