import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addRemote,
  listRemotes,
  modifyRemote,
  removeRemote,
  resolveRemote,
  setDefaultRemote,
} from '../../../src/remote/config.js';
import { describeIf, pythonHas } from '../../helpers/require.js';
import { tempDir } from '../../helpers/tree.js';

const GOLDEN = new URL('../../fixtures/dvc/push-local-remote/expected/.dvc/config', import.meta.url);

function repo(): string {
  const root = tempDir('mlpipe-config-');
  mkdirSync(join(root, '.dvc'));
  writeFileSync(join(root, '.dvc', 'config'), ''); // as `dvc init` leaves it
  return root;
}

const read = (root: string, name: string) => readFileSync(join(root, '.dvc', name), 'utf8');

/** Parses a file with Python's configparser, as a stand-in for DVC's configobj reader. */
function pythonSections(path: string): Record<string, Record<string, string>> {
  const script = [
    'import configparser, json, sys',
    'c = configparser.ConfigParser(interpolation=None)',
    'c.optionxform = str',
    'c.read(sys.argv[1])',
    'print(json.dumps({s: dict(c[s]) for s in c.sections()}))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' }));
}

describe('remote configuration', () => {
  it('writes .dvc/config byte-for-byte as DVC does (golden push-local-remote)', () => {
    const root = repo();
    const info = addRemote({ cwd: root, name: 'storage', url: '../remote', default: true });
    expect(info).toEqual({ name: 'storage', url: '../../remote', kind: 'local', default: true, file: '.dvc/config' });
    modifyRemote({ cwd: root, name: 'storage', key: 'verify', value: 'true' });
    expect(read(root, 'config')).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(read(root, 'config')).toBe('[core]\n    remote = storage\n[\'remote "storage"\']\n    url = ../../remote\n    verify = true\n');
  });

  it('keeps git remotes out of .dvc/config, in a file DVC does not read', () => {
    const root = repo();
    addRemote({ cwd: root, name: 'backup', url: 's3://bucket/path' });
    addRemote({ cwd: root, name: 'storage', url: 'git+git@github.com:org/data.git', default: true });
    modifyRemote({ cwd: root, name: 'storage', key: 'branch', value: 'data' });
    expect(read(root, 'config')).toBe('[\'remote "backup"\']\n    url = s3://bucket/path\n');
    expect(read(root, 'mlpipe.config')).toBe(
      '[core]\n    remote = storage\n[\'remote "storage"\']\n    url = git+git@github.com:org/data.git\n    branch = data\n',
    );
    expect(resolveRemote(root).spec).toEqual({ name: 'storage', url: 'git+git@github.com:org/data.git', options: { branch: 'data' } });
  });

  it('moves the default between the two files', () => {
    const root = repo();
    addRemote({ cwd: root, name: 'git', url: 'git', default: true });
    addRemote({ cwd: root, name: 'folder', url: '/mnt/storage' });
    setDefaultRemote({ cwd: root, name: 'folder' });
    expect(read(root, 'config')).toBe('[core]\n    remote = folder\n[\'remote "folder"\']\n    url = /mnt/storage\n');
    expect(read(root, 'mlpipe.config')).toBe('[\'remote "git"\']\n    url = git\n');
    expect(listRemotes({ cwd: root })).toEqual([
      { name: 'folder', url: '/mnt/storage', kind: 'local', default: true, file: '.dvc/config' },
      { name: 'git', url: 'git', kind: 'git', default: false, file: '.dvc/mlpipe.config' },
    ]);
    // A remote DVC wrote for a type mlpipe does not speak is listed, not an error.
    writeFileSync(join(root, '.dvc', 'config.local'), "['remote \"gcs\"']\n    url = hdfs://host/path\n");
    expect(listRemotes({ cwd: root })[1]).toEqual({ name: 'gcs', url: 'hdfs://host/path', kind: 'unsupported', default: false, file: '.dvc/config' });
    removeRemote({ cwd: root, name: 'folder' });
    expect(read(root, 'config')).toBe('');
    expect(() => resolveRemote(root)).toThrow(expect.objectContaining({ code: 'E_REMOTE_NOT_FOUND' }));
    expect(resolveRemote(root, 'git').spec.url).toBe('git');
  });

  it('puts secrets in config.local with --local', () => {
    const root = repo();
    addRemote({ cwd: root, name: 'web', url: 'http://127.0.0.1:8765' });
    modifyRemote({ cwd: root, name: 'web', key: 'auth', value: 'custom' });
    modifyRemote({ cwd: root, name: 'web', key: 'custom_auth_header', value: 'Authorization' });
    modifyRemote({ cwd: root, name: 'web', key: 'password', value: 'Bearer t0k', local: true });
    expect(read(root, 'config.local')).toBe('[\'remote "web"\']\n    password = Bearer t0k\n');
    expect(resolveRemote(root, 'web').spec.options).toEqual({ auth: 'custom', custom_auth_header: 'Authorization', password: 'Bearer t0k' });
  });

  it('refuses duplicates, unknown remotes and keys DVC would reject', () => {
    const root = repo();
    addRemote({ cwd: root, name: 'storage', url: '/a' });
    expect(() => addRemote({ cwd: root, name: 'storage', url: '/b' })).toThrow(expect.objectContaining({ code: 'E_CONFLICT' }));
    expect(addRemote({ cwd: root, name: 'storage', url: '/b', force: true }).url).toBe('/b');
    expect(() => modifyRemote({ cwd: root, name: 'nope', key: 'url', value: '/c' })).toThrow(
      expect.objectContaining({ code: 'E_NOT_FOUND', message: "remote 'nope' doesn't exist" }),
    );
    expect(() => modifyRemote({ cwd: root, name: 'storage', key: 'branch', value: 'x' })).toThrow(
      expect.objectContaining({ code: 'E_BAD_INPUT', message: "'branch' is not an option of local remotes" }),
    );
    expect(() => addRemote({ cwd: root, name: 'g', url: 'git', local: true })).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
    expect(() => addRemote({ cwd: root, name: 'x', url: 'ftp://host/path' })).toThrow(expect.objectContaining({ code: 'E_BAD_INPUT' }));
    expect(read(root, 'config')).toBe('[\'remote "storage"\']\n    url = /b\n');
  });
});

describeIf(pythonHas(), '/usr/bin/python3 (its configparser stands in for DVC\'s reader)', 'remote configuration read by Python', () => {
  it('a DVC reader sees the S3 remote only, and no default pointing at a remote it lacks', () => {
    const root = repo();
    addRemote({ cwd: root, name: 'backup', url: 's3://bucket/path' });
    addRemote({ cwd: root, name: 'storage', url: 'git+git@github.com:org/data.git', default: true });
    // (configobj strips the quotes of the section name; configparser keeps them.)
    expect(pythonSections(join(root, '.dvc', 'config'))).toEqual({ '\'remote "backup"\'': { url: 's3://bucket/path' } });
  });
});
