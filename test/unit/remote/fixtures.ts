import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalOdb } from '../../../src/core/odb/local.js';

/** Objects with hashes asserted by DVC's own tests (dvc-format.md §1.4). */
export const FOO = 'acbd18db4cc2f85cedef654fccc4a4d8'; // "foo"
export const BAR = '37b51d194a7513e45b56f6524f2d51f2'; // "bar"
export const EMPTY = 'd41d8cd98f00b204e9800998ecf8427e'; // ""
/** The manifest of a folder {bar: "bar", foo: "foo"} as DVC writes it. */
export const DIR = '5ea40360f5b4ec688df672a4db9c17d1.dir';
export const DIR_MANIFEST = `[{"md5": "${BAR}", "relpath": "bar"}, {"md5": "${FOO}", "relpath": "foo"}]`;

/** 3 MiB of deterministic bytes: more than one stream chunk everywhere. */
export const BIG_BYTES = Buffer.alloc(3 * 2 ** 20, 0);
for (let i = 0; i < BIG_BYTES.length; i++) BIG_BYTES[i] = (i * 2654435761) >>> 24;
export const BIG = createHash('md5').update(BIG_BYTES).digest('hex');

export const CONTENT: Record<string, Buffer> = {
  [FOO]: Buffer.from('foo'),
  [BAR]: Buffer.from('bar'),
  [EMPTY]: Buffer.alloc(0),
  [DIR]: Buffer.from(DIR_MANIFEST),
  [BIG]: BIG_BYTES,
};

export function objectPath(root: string, oid: string): string {
  return join(root, 'files', 'md5', oid.slice(0, 2), oid.slice(2));
}

/** Writes the given objects into a cache folder in DVC's layout. */
export function writeCache(cacheDir: string, oids: string[]): void {
  for (const oid of oids) {
    const path = objectPath(cacheDir, oid);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, CONTENT[oid] as Buffer, { mode: 0o444 });
  }
}

/** Every file under a folder, relative, sorted (for "nothing half-written" checks). */
export function listFiles(root: string, prefix = ''): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(root, entry.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

/** The cache side of a transfer: the core's object database over a folder. */
export function dirCache(cacheDir: string): LocalOdb {
  return new LocalOdb(cacheDir);
}
