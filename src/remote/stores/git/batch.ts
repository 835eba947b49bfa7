import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { GIT_IDENTITY_ENV } from './run.js';

function spawnGit(gitDir: string, args: string[]): ChildProcessWithoutNullStreams {
  return spawn('git', ['--git-dir', gitDir, ...args], {
    env: { ...process.env, ...GIT_IDENTITY_ENV },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * One long-lived `git hash-object -w --stdin-paths`: each path written in is stored as a blob and
 * answered with its sha, one line each, so a push of 1,000 files costs one process, not 1,000.
 */
export class BlobWriter {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (sha: string) => void; reject: (err: Error) => void }> = [];
  private pending = '';
  private failure: Error | undefined;

  constructor(gitDir: string) {
    this.proc = spawnGit(gitDir, ['hash-object', '-w', '--no-filters', '--stdin-paths']);
    let stderr = '';
    this.proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    this.proc.stdout.setEncoding('utf8').on('data', (text: string) => {
      this.pending += text;
      let nl = this.pending.indexOf('\n');
      while (nl >= 0) {
        this.waiting.shift()?.resolve(this.pending.slice(0, nl));
        this.pending = this.pending.slice(nl + 1);
        nl = this.pending.indexOf('\n');
      }
    });
    this.proc.on('close', (code) => this.fail(new Error(`git hash-object exited with ${code}: ${stderr.trim()}`)));
    this.proc.on('error', (err) => this.fail(err));
    this.proc.stdin.on('error', () => {});
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  write(path: string): Promise<string> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.proc.stdin.write(`${path}\n`);
    });
  }

  close(): void {
    this.proc.stdin.end();
  }
}

interface CatRequest {
  spec: string;
  resolve: (stream: Readable) => void;
  reject: (err: Error) => void;
}

/**
 * One long-lived `git cat-file --batch`: requests are answered in order as
 * `<sha> <type> <size>\n<bytes>\n` (or `<spec> missing\n`); each answer's bytes are handed to the
 * caller as a stream, with backpressure, so no object is ever held whole in memory.
 */
export class BlobReader {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly queue: CatRequest[] = [];
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of the current object still to come (-1: waiting for a header; 0: waiting for the LF). */
  private remaining = -1;
  private current: PassThrough | undefined;
  private failure: Error | undefined;

  constructor(
    gitDir: string,
    private readonly missing: (spec: string) => Error,
  ) {
    this.proc = spawnGit(gitDir, ['cat-file', '--batch']);
    this.proc.stdout.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
      this.pump();
    });
    this.proc.on('close', (code) => this.fail(new Error(`git cat-file exited with ${code}`)));
    this.proc.on('error', (err) => this.fail(err));
    this.proc.stdin.on('error', () => {});
  }

  read(spec: string): Promise<Readable> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ spec, resolve, reject });
      this.proc.stdin.write(`${spec}\n`);
    });
  }

  private pump(): void {
    while (this.buf.length > 0) {
      if (this.remaining < 0) {
        const nl = this.buf.indexOf(10);
        if (nl < 0) return;
        const header = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        const request = this.queue.shift();
        if (!request) {
          this.fail(new Error(`git cat-file answered without a request: ${header}`));
          return;
        }
        if (header.endsWith(' missing')) {
          request.reject(this.missing(request.spec));
          continue;
        }
        this.remaining = Number(header.split(' ')[2]);
        this.current = new PassThrough();
        request.resolve(this.current);
        continue;
      }
      const current = this.current as PassThrough;
      if (this.remaining === 0) {
        this.buf = this.buf.subarray(1); // the LF after the object's bytes
        this.remaining = -1;
        current.end();
        continue;
      }
      const take = Math.min(this.remaining, this.buf.length);
      const chunk = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      this.remaining -= take;
      // A consumer that gave up (destroyed its stream) still has its bytes drained here.
      if (!current.destroyed && !current.write(chunk)) {
        this.proc.stdout.pause();
        current.once('drain', () => {
          this.proc.stdout.resume();
          this.pump();
        });
        return;
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    if (this.remaining >= 0) this.current?.destroy(err); // only an object cut short is an error
    for (const r of this.queue.splice(0)) r.reject(err);
  }

  close(): void {
    this.proc.stdin.end();
  }
}
