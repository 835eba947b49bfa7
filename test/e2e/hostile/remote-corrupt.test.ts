import { chmodSync, existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { describeIf } from '../../helpers/require.js';
import { type TempRepo, tempDir } from '../../helpers/tree.js';
import { errorOf, useRepos } from './repos.js';

// Issue #12 item 4, end to end: `push` of a corrupted cache object is E_CORRUPT and uploads nothing
// for it; `pull` meeting a corrupted remote object is E_CORRUPT naming the object (it used to say the
// object was missing from the cache).

const { initRepo } = useRepos();
const A = '60b725f10c9c85c70d97880dfe8191b3'; // md5 of "a\n"
const objectRel = (oid: string) => `files/md5/${oid.slice(0, 2)}/${oid.slice(2)}`;

interface Remote {
  configure(t: TempRepo): Promise<void>;
  has(oid: string): Promise<boolean>;
  corrupt(oid: string, bytes: string): Promise<void>;
}

async function cli(t: TempRepo, ...args: string[]) {
  return runCli(args, { cwd: t.dir, timeoutMs: 120_000 });
}

function suite(remote: () => Remote): void {
  it('push of a corrupted cache object: E_CORRUPT, nothing uploaded for it', async () => {
    const r = remote();
    const t = await initRepo({ 'a.txt': 'a\n' });
    await r.configure(t);
    expect((await cli(t, 'add', 'a.txt')).code).toBe(0);
    const obj = join(t.dir, '.dvc/cache', objectRel(A));
    chmodSync(obj, 0o644);
    writeFileSync(obj, 'b\n');
    const push = await cli(t, '--json', 'push');
    expect(push.code).toBe(8);
    const err = errorOf(push) as { code: string; message: string; received: string };
    expect(err.code).toBe('E_CORRUPT');
    expect(err.received).toContain(`${A}: cache object ${A} is corrupted`);
    expect(await r.has(A)).toBe(false);
  });

  it('pull of a corrupted remote object: E_CORRUPT naming it; the workspace file is not created', async () => {
    const r = remote();
    const t = await initRepo({ 'a.txt': 'a\n' });
    await r.configure(t);
    expect((await cli(t, 'add', 'a.txt')).code).toBe(0);
    expect((await cli(t, 'push')).code).toBe(0);
    await r.corrupt(A, 'evil\n');
    rmSync(join(t.dir, '.dvc/cache'), { recursive: true, force: true });
    rmSync(join(t.dir, 'a.txt'));
    const pull = await cli(t, '--json', 'pull');
    expect(pull.code).toBe(8);
    const err = errorOf(pull) as { code: string; message: string; received: string };
    expect(err.code).toBe('E_CORRUPT');
    expect(err.received).toContain(A);
    expect(existsSync(join(t.dir, 'a.txt'))).toBe(false);
    expect(existsSync(join(t.dir, '.dvc/cache', objectRel(A)))).toBe(false);
  });
}

describe('corrupted objects, local folder remote (issue #12 item 4)', () => {
  suite(() => {
    const dir = tempDir('mlpipe-remote-');
    return {
      async configure(t) {
        expect((await cli(t, 'remote', 'add', '-d', 'store', dir)).code).toBe(0);
      },
      async has(oid) {
        return existsSync(join(dir, objectRel(oid))) && readdirSync(join(dir, 'files/md5', oid.slice(0, 2))).includes(oid.slice(2));
      },
      async corrupt(oid, bytes) {
        chmodSync(join(dir, objectRel(oid)), 0o644);
        writeFileSync(join(dir, objectRel(oid)), bytes);
      },
    };
  });
});

const endpoint = process.env.MLPIPE_TEST_S3_ENDPOINT;
const keys = { accessKeyId: process.env.MLPIPE_TEST_S3_KEY ?? '', secretAccessKey: process.env.MLPIPE_TEST_S3_SECRET ?? '' };
describeIf(Boolean(endpoint), 'an S3 server (MLPIPE_TEST_S3_ENDPOINT)', 'corrupted objects, S3 remote (issue #12 item 4)', () => {
  const bucket = `mlpipe-corrupt-${process.pid}`;
  const admin = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: keys });
  afterAll(() => admin.destroy());
  let run = 0;
  suite(() => {
    const prefix = `run-${run++}`;
    return {
      async configure(t) {
        await admin.send(new CreateBucketCommand({ Bucket: bucket })).catch(() => undefined);
        expect((await cli(t, 'remote', 'add', '-d', 's3', `s3://${bucket}/${prefix}`)).code).toBe(0);
        expect((await cli(t, 'remote', 'modify', 's3', 'endpointurl', endpoint as string)).code).toBe(0);
        expect((await cli(t, 'remote', 'modify', '--local', 's3', 'access_key_id', keys.accessKeyId)).code).toBe(0);
        expect((await cli(t, 'remote', 'modify', '--local', 's3', 'secret_access_key', keys.secretAccessKey)).code).toBe(0);
      },
      async has(oid) {
        try {
          await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}/${objectRel(oid)}` }));
          return true;
        } catch {
          return false;
        }
      },
      async corrupt(oid, bytes) {
        await admin.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${objectRel(oid)}`, Body: bytes }));
      },
    };
  });
});
