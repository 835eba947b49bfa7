import { describe, expect, it } from 'vitest';
import {
  getConfigValue,
  namedSection,
  namedSections,
  parseConfig,
  serializeConfig,
  setConfigValue,
} from '../../../src/core/formats/config.js';
import { parseDvcFile, serializeNewDvcFile, serializeUpdatedDvcFile } from '../../../src/core/formats/dvcfile.js';
import { parseLock } from '../../../src/core/formats/dvclock.js';
import { addGitignoreEntry, gitignoreEntry, removeGitignoreEntry } from '../../../src/core/formats/gitignore.js';
import { dumpYaml } from '../../../src/core/formats/yaml-write.js';
import { golden } from './golden.js';

describe('.dvc files (§3.1)', () => {
  it('writes the golden add-file and add-dir files byte for byte', () => {
    expect(serializeNewDvcFile([{ md5: '744aed5b8ac10ddb74afd9e80484c512', size: 67, path: 'raw.csv' }])).toBe(
      golden('add-file/expected/data/raw.csv.dvc'),
    );
    expect(serializeNewDvcFile([{ md5: '0b86fbf9048a49d04a5a1d09b105b0c0.dir', size: 40, nfiles: 6, path: 'images' }])).toBe(
      golden('add-dir/expected/images.dvc'),
    );
  });

  it('reads the golden files', () => {
    const f = parseDvcFile(golden('push-local-remote/expected/model.dvc'));
    expect(f.outs).toHaveLength(1);
    expect(f.outs[0]).toMatchObject({ path: 'model', md5: 'b30e97115ef7b25a2dc8b58b55c7652c.dir', size: 13, nfiles: 2, legacy: false, cache: true });
  });

  it('reads a legacy 2.x entry and keeps it byte-identical when unchanged (§1.2 upgrade rule)', () => {
    const text = 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  path: foo\n';
    const f = parseDvcFile(text);
    expect(f.outs[0]!.legacy).toBe(true);
    expect(serializeUpdatedDvcFile(f, [{ md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3 }])).toBe(text);
    expect(serializeUpdatedDvcFile(f, [{ md5: '37b51d194a7513e45b56f6524f2d51f2', size: 4 }])).toBe(
      'outs:\n- md5: 37b51d194a7513e45b56f6524f2d51f2\n  size: 4\n  path: foo\n  hash: md5\n',
    );
  });

  it('keeps user keys and order when updating, like apply_diff', () => {
    const text = 'outs:\n- path: data\n  desc: my data\n  md5: 5ea40360f5b4ec688df672a4db9c17d1.dir\n  size: 6\n  nfiles: 2\n  hash: md5\n';
    const f = parseDvcFile(text);
    expect(serializeUpdatedDvcFile(f, [{ md5: 'ba75a2162ca9c29acecb7957105a0bc2.dir', size: 9, nfiles: 3 }])).toBe(
      'outs:\n- path: data\n  desc: my data\n  md5: ba75a2162ca9c29acecb7957105a0bc2.dir\n  size: 9\n  nfiles: 3\n  hash: md5\n',
    );
  });

  it('quotes names and hashes that YAML would read as something else', () => {
    const text = serializeNewDvcFile([
      { md5: '12345678901234567890123456789012', size: 1, path: '#data [1]!' },
      { md5: '1234567e123456789012345678901234', size: 1, path: 'x: y' },
      { md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 1, path: 'emoji \u{1F600} and café' },
      { md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 1, path: '123' },
    ]);
    expect(text).toBe(
      "outs:\n- md5: '12345678901234567890123456789012'\n  size: 1\n  hash: md5\n  path: '#data [1]!'\n" +
        "- md5: '1234567e123456789012345678901234'\n  size: 1\n  hash: md5\n  path: 'x: y'\n" +
        '- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 1\n  hash: md5\n  path: emoji \u{1F600} and café\n' +
        "- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 1\n  hash: md5\n  path: '123'\n",
    );
    expect(parseDvcFile(text).outs.map((o) => [o.md5, o.path])).toEqual([
      ['12345678901234567890123456789012', '#data [1]!'],
      ['1234567e123456789012345678901234', 'x: y'],
      ['acbd18db4cc2f85cedef654fccc4a4d8', 'emoji \u{1F600} and café'],
      ['acbd18db4cc2f85cedef654fccc4a4d8', '123'],
    ]);
  });

  it('folds long plain scalars the way ruamel does (break at a space once past column 80)', () => {
    const long = `${'a'.repeat(30)} ${'b'.repeat(60)} c d`;
    expect(dumpYaml({ cmd: long })).toBe(`cmd: ${'a'.repeat(30)} ${'b'.repeat(60)}\n  c d\n`);
  });

  it('rejects invalid YAML and invalid fields with E_BAD_INPUT', () => {
    expect(() => parseDvcFile('outs: [\n', 'x.dvc')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
    expect(() => parseDvcFile('outs:\n- md5: nothex\n  path: x\n', 'x.dvc')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
    expect(() => parseDvcFile('outs:\n- size: 3\n', 'x.dvc')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
    expect(() => parseDvcFile('outs:\n- path: x\n  size: -1\n', 'x.dvc')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
    expect(() => parseDvcFile('outs:\n- path: x\n  hash: sha1\n', 'x.dvc')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
  });
});

describe('dvc.lock (§3.3)', () => {
  // The one dvc.lock model (core/formats/dvclock.ts); its golden byte test is in
  // test/unit/pipeline/lockfile.test.ts. Versioning reads the outputs.
  it('reads the outputs of the golden pipeline lock', () => {
    const lock = parseLock(golden('pipeline/expected/dvc.lock'));
    expect([...lock.stages.keys()]).toEqual(['prepare', 'train']);
    expect(lock.stages.get('train')!.outs.map((o) => o.path)).toEqual(['loss.csv', 'metrics.json', 'model.bin']);
    expect(lock.stages.get('prepare')!.outs.map((o) => [o.path, o.md5, o.hash === undefined])).toEqual([
      ['data/prepared.csv', 'e151adcc623d8057b940f9c97553677c', false],
    ]);
  });

  it('rejects a lock without schema 2.0, or with an md5 that is not a hash (E_CORRUPT)', () => {
    expect(() => parseLock('stages: {}\n')).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
    const bad = "schema: '2.0'\nstages:\n  s:\n    cmd: x\n    outs:\n    - path: o\n      md5: ../../../etc/passwd\n";
    expect(() => parseLock(bad)).toThrow(expect.objectContaining({ code: 'E_CORRUPT' }));
  });

  it('reads an empty or comment-only dvc.lock as a lock without stages', () => {
    for (const text of ['', '\n', '# nothing yet\n']) expect(parseLock(text)).toEqual({ stages: new Map() });
  });
});

describe('.dvc/config (§3.5)', () => {
  it('round-trips the golden push-local-remote config byte for byte', () => {
    const text = golden('push-local-remote/expected/.dvc/config');
    const config = parseConfig(text);
    expect(getConfigValue(config, 'core', 'remote')).toBe('storage');
    expect(namedSections(config, 'remote')).toEqual(['storage']);
    expect(getConfigValue(config, namedSection('remote', 'storage'), 'url')).toBe('../../remote');
    expect(serializeConfig(config)).toBe(text);
  });

  it('builds the same file through the section/key API', () => {
    const config = parseConfig('');
    setConfigValue(config, 'core', 'remote', 'storage');
    setConfigValue(config, namedSection('remote', 'storage'), 'url', '../../remote');
    setConfigValue(config, namedSection('remote', 'storage'), 'verify', 'true');
    expect(serializeConfig(config)).toBe(golden('push-local-remote/expected/.dvc/config'));
  });

  it('lower-cases keys, reads lists and quotes values as configobj', () => {
    const config = parseConfig('[Cache]\n    Type = hardlink, symlink\n    dir = "a b # c"\n[core]\n    no_scm = True  # comment\n');
    expect(getConfigValue(config, 'cache', 'type')).toEqual(['hardlink', 'symlink']);
    expect(getConfigValue(config, 'cache', 'dir')).toBe('a b # c');
    expect(getConfigValue(config, 'core', 'no_scm')).toBe('True');
    setConfigValue(config, 'cache', 'type', 'reflink,copy');
    expect(serializeConfig(config)).toBe('[cache]\n    type = "reflink,copy"\n    dir = "a b # c"\n[core]\n    no_scm = True\n');
  });

  it('rejects a key before any section', () => {
    expect(() => parseConfig('remote = x\n')).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
  });
});

describe('.gitignore entries (§3.7)', () => {
  it('escapes like GitWildMatchPattern.escape (DVC test_add.py)', () => {
    expect(gitignoreEntry('file!with*weird#naming_[1].t?t')).toBe('/file\\!with\\*weird\\#naming_\\[1\\].t\\?t');
  });

  it('appends once, adding a newline when the file lacks one, and removes', () => {
    expect(addGitignoreEntry('', '/raw.csv')).toBe(golden('add-file/expected/data/.gitignore'));
    expect(addGitignoreEntry('/a', '/b')).toBe('/a\n/b\n');
    expect(addGitignoreEntry('/a\n/b\n', '/b')).toBe('/a\n/b\n');
    expect(removeGitignoreEntry('/a\n/b\n', '/b')).toBe('/a\n');
    expect(removeGitignoreEntry('/b\n', '/b')).toBe('');
  });
});

describe('YAML writer edge cases', () => {
  it('round-trips control characters and line breaks in names through double quotes', () => {
    const names = ['tab\there', 'line\nbreak', 'bell\x07', "it's #1"];
    const text = serializeNewDvcFile(names.map((path) => ({ md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3, path })));
    expect(text).toContain('  path: "tab\\there"\n');
    expect(text).toContain('  path: "line\\nbreak"\n');
    expect(text).toContain('  path: "bell\\a"\n');
    // ruamel double-quotes any string holding a single quote (emitter.py: choose_scalar_style)
    expect(text).toContain(`  path: "it's #1"\n`);
    expect(parseDvcFile(text).outs.map((o) => o.path)).toEqual(names);
  });
});
