import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { objectRelPath } from '../../../core/odb/layout.js';
import type { MlpipeError } from '../../../errors.js';
import { remoteError } from '../../errors.js';
import { checkVerified } from '../../verify.js';
import type { ObjectStore, RunStore } from '../types.js';
import { BlobReader, BlobWriter } from './batch.js';
import { runGit } from './run.js';

export const DEFAULT_GIT_BRANCH = 'mlpipe-storage';
/** Below GitHub's hard limit of 100 MB per file, with room to spare. */
export const DEFAULT_GIT_MAX_OBJECT_BYTES = 50 * 2 ** 20;

export interface GitStoreOptions {
  /** Any URL or path `git fetch` understands. */
  url: string;
  branch?: string;
  /** A private bare repository used as the local side of the branch (under `.dvc/tmp/`). */
  workDir: string;
  maxObjectBytes?: number;
  /** How many times a push rejected as non-fast-forward is re-fetched and retried. */
  pushAttempts?: number;
}

const REMOTE_REF = 'refs/mlpipe/storage';

/**
 * Objects committed under `files/md5/XX/...` on a branch of a git repository, so a project needs
 * no cloud account: by default the `mlpipe-storage` branch of the project's own origin.
 *
 * The local side is a private bare repository. A session shallow-fetches the branch tip once; uploads
 * become blobs through one `git hash-object --stdin-paths`; `commit()` writes a tree of the tip plus
 * the new objects (a private index file), commits it on top of the tip and pushes. When another
 * pusher got there first the push is rejected as non-fast-forward: fetch the new tip and commit again
 * on top of it. Objects are content-addressed, so two pushers never conflict, and a push is all or
 * nothing: a killed push leaves only unreferenced blobs in the private repository.
 */
export class GitStore implements ObjectStore {
  readonly location: string;
  readonly maxObjectBytes: number;
  readonly defaultJobs = 4;
  private readonly branch: string;
  private readonly gitDir: string;
  private session: Promise<void> | undefined;
  /** The branch tip on the remote as last fetched (undefined: the branch does not exist yet). */
  private tip: string | undefined;
  private tipObjects = new Set<string>();
  private writer: BlobWriter | undefined;
  private reader: BlobReader | undefined;
  /** oid -> blob sha of uploads not yet committed. */
  private readonly staged = new Map<string, string>();
  /** Run-cache entries on the tip (`XX/key/value` under runs/), and those staged (path -> blob sha). */
  private tipRuns = new Set<string>();
  private readonly stagedRuns = new Map<string, string>();

  constructor(private readonly options: GitStoreOptions) {
    this.branch = options.branch ?? DEFAULT_GIT_BRANCH;
    this.location = `${options.url}#${this.branch}`;
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_GIT_MAX_OBJECT_BYTES;
    this.gitDir = options.workDir;
  }

  private git(args: string[], input?: string, env?: NodeJS.ProcessEnv) {
    return runGit(['--git-dir', this.gitDir, ...args], { input, env });
  }

  /** First use: create the private repository and fetch the branch tip. */
  private ready(): Promise<void> {
    this.session ??= (async () => {
      const exists = await stat(join(this.gitDir, 'HEAD')).then(
        () => true,
        () => false,
      );
      if (!exists) {
        await mkdir(this.gitDir, { recursive: true });
        const init = await runGit(['init', '-q', '--bare', this.gitDir]);
        if (init.code !== 0) throw this.gitError('cannot create its local repository', init.stderr);
      }
      await this.fetchTip();
    })();
    return this.session;
  }

  /** Shallow fetch of the branch tip (depth 1: the history of the storage branch is never needed). */
  private async fetchTip(): Promise<void> {
    const res = await this.git([
      'fetch', '-q', '--no-tags', '--depth=1', this.options.url, `+refs/heads/${this.branch}:${REMOTE_REF}`,
    ]);
    if (res.code !== 0) {
      if (/couldn't find remote ref/i.test(res.stderr)) {
        this.tip = undefined; // a new branch: the first push creates it
        this.tipObjects = new Set();
        return;
      }
      throw this.gitError('cannot fetch the storage branch', res.stderr);
    }
    const rev = await this.git(['rev-parse', REMOTE_REF]);
    this.tip = rev.stdout.trim();
    const tree = await this.git(['ls-tree', '-r', '--name-only', this.tip, '--', 'files/md5', 'runs']);
    this.tipObjects = new Set();
    this.tipRuns = new Set();
    for (const path of tree.stdout.split('\n')) {
      const m = /^files\/md5\/([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(path);
      if (m) this.tipObjects.add(`${m[1]}${m[2]}`);
      else if (path.startsWith('runs/')) this.tipRuns.add(path.slice('runs/'.length));
    }
  }

  async exists(oids: readonly string[]): Promise<Set<string>> {
    await this.ready();
    return new Set(oids.filter((o) => this.tipObjects.has(o)));
  }

  async list(): Promise<Set<string>> {
    await this.ready();
    return new Set(this.tipObjects);
  }

  async upload(oid: string, sourcePath: string, size: number): Promise<void> {
    objectRelPath(oid); // validates the oid
    if (size > this.maxObjectBytes) {
      throw remoteError(
        'E_REMOTE_TOO_LARGE',
        this.location,
        `object ${oid} is ${size} bytes, above the git remote limit of ${this.maxObjectBytes} bytes`,
        {
          expected: `objects of at most ${this.maxObjectBytes} bytes (git hosts refuse big files; GitHub stops at 100 MB)`,
          received: `${size} bytes`,
          hint: 'push large data to an S3 remote (`mlpipe remote add store s3://bucket/path`), or raise the limit with `mlpipe remote modify NAME max_object_size 90MiB`',
          data: { oid, size },
        },
      );
    }
    checkVerified(sourcePath, oid);
    await this.ready();
    this.writer ??= new BlobWriter(this.gitDir);
    this.staged.set(oid, await this.writer.write(sourcePath));
  }

  async download(oid: string): Promise<Readable> {
    await this.ready();
    if (!this.tip || !this.tipObjects.has(oid)) throw this.notFound(oid);
    this.reader ??= new BlobReader(this.gitDir, () => this.notFound(oid));
    return this.reader.read(`${this.tip}:${objectRelPath(oid)}`);
  }

  private notFound(oid: string): MlpipeError {
    return remoteError('E_NOT_FOUND', this.location, `${oid.startsWith('runs/') ? '' : 'object '}${oid} is not on the storage branch`, {
      hint: 'push it from a clone that has it (`mlpipe push`)',
    });
  }

  readonly runs: RunStore = {
    list: async () => {
      await this.ready();
      return [...this.tipRuns];
    },
    upload: async (rel, sourcePath) => {
      await this.ready();
      this.writer ??= new BlobWriter(this.gitDir);
      this.stagedRuns.set(rel, await this.writer.write(sourcePath));
    },
    read: async (rel) => {
      await this.ready();
      if (!this.tip || !this.tipRuns.has(rel)) throw this.notFound(`runs/${rel}`);
      this.reader ??= new BlobReader(this.gitDir, () => this.notFound(`runs/${rel}`));
      const chunks: Buffer[] = [];
      for await (const chunk of await this.reader.read(`${this.tip}:runs/${rel}`)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };

  async commit(): Promise<void> {
    if (this.staged.size === 0 && this.stagedRuns.size === 0) return;
    this.writer?.close();
    this.writer = undefined;
    const attempts = this.options.pushAttempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const todo = [...this.staged].filter(([oid]) => !this.tipObjects.has(oid)).map(([oid, sha]): [string, string] => [objectRelPath(oid), sha]);
      const runs = [...this.stagedRuns].filter(([rel]) => !this.tipRuns.has(rel)).map(([rel, sha]): [string, string] => [`runs/${rel}`, sha]);
      if (todo.length + runs.length === 0) break; // someone else pushed the same objects meanwhile
      const commit = await this.writeCommit([...todo, ...runs]);
      const push = await this.git(['push', '-q', this.options.url, `${commit}:refs/heads/${this.branch}`]);
      if (push.code === 0) {
        await this.git(['update-ref', REMOTE_REF, commit]);
        this.tip = commit;
        for (const [oid] of this.staged) this.tipObjects.add(oid);
        for (const [rel] of this.stagedRuns) this.tipRuns.add(rel);
        break;
      }
      const rejected = /non-fast-forward|fetch first|rejected|failed to update ref|cannot lock ref/i.test(push.stderr);
      if (!rejected || attempt >= attempts) throw this.gitError('cannot push to the storage branch', push.stderr);
      // Another clone pushed first: build again on its tip. Back off a little so racers spread out.
      await new Promise((r) => setTimeout(r, 50 * attempt * Math.random()));
      await this.fetchTip();
    }
    this.staged.clear();
    this.stagedRuns.clear();
  }

  /** A commit on top of the tip whose tree is the tip's tree plus `entries` (path, blob sha), via a private index file. */
  private async writeCommit(entries: Array<[string, string]>): Promise<string> {
    const env = { GIT_INDEX_FILE: join(this.gitDir, `mlpipe-index-${process.pid}-${Date.now()}`) };
    try {
      const read = await this.git(this.tip ? ['read-tree', this.tip] : ['read-tree', '--empty'], undefined, env);
      if (read.code !== 0) throw this.gitError('cannot read the storage tree', read.stderr);
      const info = entries.map(([path, sha]) => `100644 ${sha}\t${path}\n`).join('');
      const update = await this.git(['update-index', '--index-info'], info, env);
      if (update.code !== 0) throw this.gitError('cannot stage objects', update.stderr);
      const tree = await this.git(['write-tree'], undefined, env);
      if (tree.code !== 0) throw this.gitError('cannot write the storage tree', tree.stderr);
      const message = `mlpipe: add ${entries.length} object${entries.length === 1 ? '' : 's'}`;
      const commit = await this.git(
        ['commit-tree', tree.stdout.trim(), ...(this.tip ? ['-p', this.tip] : []), '-m', message],
        undefined,
        env,
      );
      if (commit.code !== 0) throw this.gitError('cannot commit', commit.stderr);
      return commit.stdout.trim();
    } finally {
      await rm(env.GIT_INDEX_FILE, { force: true });
    }
  }

  private gitError(what: string, stderr: string): MlpipeError {
    const text = stderr.trim().split('\n').slice(-3).join(' | ');
    if (/Authentication failed|Permission denied|could not read Username|403/i.test(stderr)) {
      return remoteError('E_REMOTE_AUTH', this.location, `${what}: git refused the credentials`, {
        received: text,
        hint: 'check that `git push` to this URL works from a shell (credentials, SSH key)',
      });
    }
    if (/does not appear to be a git repository|not found|Could not resolve host|unable to access/i.test(stderr)) {
      return remoteError('E_REMOTE_NOT_FOUND', this.location, `${what}: the git repository cannot be reached`, {
        received: text,
        hint: 'check the URL with `mlpipe remote list` and that `git ls-remote URL` works',
      });
    }
    return remoteError('E_REMOTE', this.location, `${what}`, { received: text });
  }

  async close(): Promise<void> {
    this.writer?.close();
    this.reader?.close();
  }
}
