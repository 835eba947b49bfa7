/**
 * `push --run-cache` and `repro --pull` through a bucket (issue 18): the golden DVC 3.64 case of
 * run-cache.test.ts (metric-cached) with an S3 remote (Ceph radosgw) instead of a folder. The
 * bucket holds exactly what DVC's remote holds: the two objects and the entry under runs/.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { expectReproPullRestores } from '../helpers/run-cache.js';
import { describeIf } from '../helpers/require.js';
import { tempDir, tempRepo } from '../helpers/tree.js';

const FIXTURE = new URL('../fixtures/dvc/run-cache/', import.meta.url).pathname;
const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const keys = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };

describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'run-cache on an S3 remote', () => {
  it('push --run-cache uploads the entry beside the objects; a fresh clone restores the stage with repro --pull', async () => {
    const bucket = `mlpipe-runs-e2e-${process.pid}`;
    const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: keys });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    const repo = tempRepo({ '.dvc': { config: '', '.gitignore': '/config.local\n/tmp\n/cache\n' } });
    cpSync(join(FIXTURE, 'input'), repo.dir, { recursive: true });
    writeFileSync(join(repo.dir, 'dvc.yaml'), readFileSync(join(FIXTURE, 'metric-cached/dvc.yaml')));
    repo.commit('pipeline');
    const remoteArgs = [
      ['remote', 'add', '-f', '-d', 'storage', `s3://${bucket}/team`],
      ['remote', 'modify', 'storage', 'endpointurl', endpoint as string],
      ['remote', 'modify', '--local', 'storage', 'access_key_id', keys.accessKeyId],
      ['remote', 'modify', '--local', 'storage', 'secret_access_key', keys.secretAccessKey],
    ];
    // One after the other: each rewrites a config file.
    const configure = async (cwd: string, args: string[][]) => {
      for (const a of args) expect((await runCli(a, { cwd })).code, a.join(' ')).toBe(0);
    };
    expect((await runCli(['repro'], { cwd: repo.dir })).code).toBe(0);
    await configure(repo.dir, remoteArgs);
    const push = await runCli(['push', '--run-cache'], { cwd: repo.dir });
    expect(push.stdout, push.stderr).toBe('3 files pushed\n');
    const listed = await admin.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'team/' }));
    expect((listed.Contents ?? []).map((o) => `${o.Size} ${o.Key}`).sort()).toEqual(
      readFileSync(join(FIXTURE, 'metric-cached/remote-listing.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' '))
        .map(([, size, path]) => `${size} team/${(path as string).slice(2)}`)
        .sort(),
    );
    admin.destroy();
    repo.commit('ran');

    const clone = tempDir();
    execFileSync('git', ['clone', '-q', repo.dir, clone]);
    await configure(clone, remoteArgs.slice(2)); // the keys live in config.local, which git does not carry
    execFileSync('git', ['rm', '-q', 'dvc.lock'], { cwd: clone });
    await expectReproPullRestores(clone);
  }, 120_000);
});
