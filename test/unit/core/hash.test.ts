import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { md5Dos2unixFile } from '../../../src/core/hash/dos2unix.js';
import { compareCodePoints, dirOid, parseDirManifest, serializeDirManifest } from '../../../src/core/hash/manifest.js';
import { md5File } from '../../../src/core/hash/md5.js';
import { hashFiles } from '../../../src/core/hash/pool.js';
import { tempDir, writeTree } from '../../helpers/tree.js';
import { GOLDEN, UNUSUAL_MANIFEST, UNUSUAL_OID, golden } from './golden.js';

const dir = tempDir();

describe('md5File', () => {
  it('hashes DVC test vectors (§1.4)', async () => {
    writeTree(dir, { foo: 'foo', empty: '', nl: 'foo\n' });
    expect(await md5File(join(dir, 'foo'))).toBe('acbd18db4cc2f85cedef654fccc4a4d8');
    expect(await md5File(join(dir, 'empty'))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(await md5File(join(dir, 'nl'))).toBe('d3b07384d113edec49eaa6238ad5ff00');
  });

  it('hashes a file over 1 MiB (the golden value from Python hashlib)', async () => {
    const big = Buffer.alloc(3 * (1 << 19));
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
    writeFileSync(join(dir, 'big'), big);
    expect(await md5File(join(dir, 'big'))).toBe('1ed638c296872d677aa30258baeda5a0');
  });
});

describe('md5-dos2unix (legacy, §1.2)', () => {
  it('normalises CRLF in text files only', async () => {
    writeFileSync(join(dir, 'crlf'), 'a\r\nb\r\nc');
    writeFileSync(join(dir, 'bin'), Buffer.from([0, 13, 10, 1]));
    expect(await md5Dos2unixFile(join(dir, 'crlf'))).toBe('c32b2057b9bd62caa835386346177935');
    expect(await md5File(join(dir, 'crlf'))).toBe('17800212205a0baee12dcf34c0748370');
    expect(await md5Dos2unixFile(join(dir, 'bin'))).toBe('6fb1bb143e07d52be6b9f2c90cd306c4' /* plain md5: binary is not normalised */);
  });
});

describe('hashFiles', () => {
  it('gives the same md5s in-process and on worker threads, and copies while hashing', async () => {
    const input = join(GOLDEN, 'add-dir/input');
    const files = ['README', 'bin.dat', 'cats/1.txt', 'cats/2.txt', 'dogs/a.txt', 'dogs/empty.bin'];
    const expected = [
      'facdca2fa68795a4937fd54f654c3f9d',
      '0416dab819887333af831f8c765ac2ae',
      '5d93098ef5f83814b4edb7ddce719cbf',
      '4f4ac7b01eb8ff94988df064a29953b9',
      '362842c5bb3847ec3fbdecb7a84a8692',
      'd41d8cd98f00b204e9800998ecf8427e',
    ];
    const jobs = files.map((f) => ({ path: join(input, f) }));
    expect((await hashFiles(jobs, { threads: 1 })).map((r) => r.md5)).toEqual(expected);
    const copies = files.map((_, i) => join(dir, `copy-${i}`));
    const threaded = await hashFiles(
      jobs.map((j, i) => ({ ...j, tmp: copies[i] })),
      { threads: 2 },
    );
    expect(threaded.map((r) => r.md5)).toEqual(expected);
    expect(threaded.map((r) => r.size)).toEqual([4, 4, 8, 20, 4, 0]);
    expect(readFileSync(copies[3]!)).toEqual(readFileSync(join(input, 'cats/2.txt')));
  });

  it('reports a missing file as an error with its code', async () => {
    await expect(hashFiles([{ path: join(dir, 'nope') }], { threads: 2 })).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('.dir manifest (§1.3)', () => {
  it('is byte-identical to the golden add-dir manifest', async () => {
    const manifest = serializeDirManifest(
      parseDirManifest(golden('add-dir/dir-objects/0b86fbf9048a49d04a5a1d09b105b0c0.dir')).reverse(),
    );
    expect(manifest).toBe(golden('add-dir/dir-objects/0b86fbf9048a49d04a5a1d09b105b0c0.dir'));
    expect(dirOid(manifest)).toBe('0b86fbf9048a49d04a5a1d09b105b0c0.dir');
  });

  it('matches the DVC test vector for {bar, foo} and the empty directory', () => {
    const m = serializeDirManifest([
      { relpath: 'foo', md5: 'acbd18db4cc2f85cedef654fccc4a4d8' },
      { relpath: 'bar', md5: '37b51d194a7513e45b56f6524f2d51f2' },
    ]);
    expect(m).toBe(
      '[{"md5": "37b51d194a7513e45b56f6524f2d51f2", "relpath": "bar"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "foo"}]',
    );
    expect(dirOid(m)).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
    expect(dirOid(serializeDirManifest([]))).toBe('d751713988987e9331980363e24189ce.dir');
  });

  it('sorts by code point and escapes like Python for unusual names', () => {
    const entries = parseDirManifest(UNUSUAL_MANIFEST);
    expect(serializeDirManifest([...entries].reverse())).toBe(UNUSUAL_MANIFEST);
    expect(dirOid(UNUSUAL_MANIFEST)).toBe(UNUSUAL_OID);
    expect(entries.map((e) => e.relpath).slice(7, 9)).toEqual(['x\uFFFD', 'x\u{1F600}']);
    expect(['x\u{1F600}', 'x\uFFFD'].sort()).toEqual(['x\u{1F600}', 'x\uFFFD']); // UTF-16 order differs
    expect(compareCodePoints('x\uFFFD', 'x\u{1F600}')).toBeLessThan(0);
  });

  it('rejects manifests that are not a list or escape their directory', () => {
    expect(() => parseDirManifest('{}')).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
    expect(() => parseDirManifest('[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "../../etc/passwd"}]')).toThrow(
      expect.objectContaining({ code: 'E_CORRUPT' }),
    );
    expect(readdirSync(dir).includes('etc')).toBe(false);
  });
});
