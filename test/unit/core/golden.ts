import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The golden files written by real DVC 3.64.0 (copied from ../shared/fixtures/dvc). */
export const GOLDEN = fileURLToPath(new URL('../../fixtures/dvc/', import.meta.url));

export function golden(path: string): string {
  return readFileSync(`${GOLDEN}${path}`, 'utf8');
}

/** `mode size path` lines of a cache-listing.txt, parsed. */
export function goldenListing(path: string): { mode: string; size: number; path: string }[] {
  return golden(path)
    .trim()
    .split('\n')
    .map((line) => {
      const [mode, size, ...rest] = line.split(' ');
      return { mode: mode!, size: Number(size), path: rest.join(' ') };
    });
}

/** The unusual-names tree and its manifest as Python's json.dumps writes it (computed with CPython 3). */
export const UNUSUAL_TREE = {
  'a b.txt': 'space',
  '#hash': 'hash',
  '[br': 'br',
  '!bang': 'bang',
  'emoji \u{1F600}.txt': 'smile',
  'x\u{1F600}': 'astral',
  'x\uFFFD': 'bmp',
  café: 'cafe',
  z: { deep: { er: { file: 'deep' } } },
  empty: '',
  'empty-dir': {},
};
export const UNUSUAL_MANIFEST =
  '[{"md5": "7b750d8eacfee224ab8f1a92759b4094", "relpath": "!bang"}, {"md5": "0800fc577294c34e0b28ad2839435945", "relpath": "#hash"}, {"md5": "dc634e2072827fe0b5be9a2063390544", "relpath": "[br"}, {"md5": "ff2364a0be3d20e46cc69efb36afe9a5", "relpath": "a b.txt"}, {"md5": "d2626f412da748e711ca4f4ae9428664", "relpath": "caf\\u00e9"}, {"md5": "3ddaeb82fbba964fb3461d4e4f1342eb", "relpath": "emoji \\ud83d\\ude00.txt"}, {"md5": "d41d8cd98f00b204e9800998ecf8427e", "relpath": "empty"}, {"md5": "96a75bdbf222c58cabde08ebe2172c9f", "relpath": "x\\ufffd"}, {"md5": "aae93c994bd9f81ea4f55ced07e494f3", "relpath": "x\\ud83d\\ude00"}, {"md5": "6627415e807ee33c7302917216e7da68", "relpath": "z/deep/er/file"}]';
export const UNUSUAL_OID = '2b7de9cf13ef8848620efb317d818819.dir';
