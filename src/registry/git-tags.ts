import { spawnSync } from 'node:child_process';
import { MlpipeError } from '../errors.js';
import { git, readBlobs } from '../core/repo/git.js';
import { serializeTagObject } from './tag-object.js';

/** A point in time with the UTC offset it was recorded in (git keeps both). */
export interface Stamp {
  epoch: number;
  /** Offset from UTC in minutes. */
  offset: number;
}

export interface AnnotatedTag {
  name: string;
  /** The commit the tag points to. */
  target: string;
  taggerName: string;
  taggerEmail: string;
  time: Stamp;
  message: string;
}

export interface CommitInfo {
  sha: string;
  authorName: string;
  authorEmail: string;
  committerName: string;
  committerEmail: string;
  time: Stamp;
  message: string;
}

function parseOffset(tz: string): number {
  const sign = tz.startsWith('-') ? -1 : 1;
  return sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5)));
}

/** `Name <email> 1704068100 +0000` -> parts. */
function parseIdent(line: string): { name: string; email: string; time: Stamp } {
  const m = /^(.*?) ?<([^>]*)> (\d+) ([+-]\d{4})$/.exec(line);
  if (!m) return { name: line, email: '', time: { epoch: 0, offset: 0 } };
  return { name: m[1] as string, email: m[2] as string, time: { epoch: Number(m[3]), offset: parseOffset(m[4] as string) } };
}

/** Splits a commit or tag object into its header lines and message. */
function splitObject(text: string): { headers: Map<string, string>; message: string } {
  const blank = text.indexOf('\n\n');
  const head = blank < 0 ? text : text.slice(0, blank);
  const headers = new Map<string, string>();
  for (const line of head.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp > 0 && !headers.has(line.slice(0, sp))) headers.set(line.slice(0, sp), line.slice(sp + 1));
  }
  return { headers, message: blank < 0 ? '' : text.slice(blank + 2) };
}

/** Every tag name in the repository, annotated or not (GTO counts both when numbering stage tags). */
export function listTagNames(gitRoot: string): string[] {
  return git(gitRoot, ['for-each-ref', '--format=%(refname:strip=2)', 'refs/tags']).split('\n').filter(Boolean);
}

/**
 * The annotated tags among `names` that point at a commit. Lightweight tags are left out, as GTO
 * leaves them out (`gto:gto/tag.py: find`): only an annotated tag records who acted and when.
 */
export function readAnnotatedTags(gitRoot: string, filter: (name: string) => boolean): AnnotatedTag[] {
  const lines = git(gitRoot, ['for-each-ref', '--format=%(objecttype) %(objectname) %(*objecttype) %(*objectname) %(refname:strip=2)', 'refs/tags'])
    .split('\n')
    .filter(Boolean);
  const wanted: { name: string; id: string; target: string }[] = [];
  for (const line of lines) {
    const [type, id, peeledType, target, ...rest] = line.split(' ');
    const name = rest.join(' ');
    if (type === 'tag' && peeledType === 'commit' && filter(name)) wanted.push({ name, id: id as string, target: target as string });
  }
  // `cat-file --batch` reads tag and commit objects as well as blobs
  const objects = readBlobs(gitRoot, wanted.map((w) => w.id));
  return wanted.flatMap((w) => {
    const text = objects.get(w.id);
    if (text === undefined) return [];
    const { headers, message } = splitObject(text);
    const tagger = parseIdent(headers.get('tagger') ?? '');
    // a signed tag carries its signature after the message; it is not part of the message
    const sig = message.indexOf('-----BEGIN PGP SIGNATURE-----');
    return [{ name: w.name, target: w.target, taggerName: tagger.name, taggerEmail: tagger.email, time: tagger.time, message: sig < 0 ? message : message.slice(0, sig) }];
  });
}

export function readCommits(gitRoot: string, shas: string[]): Map<string, CommitInfo> {
  const objects = readBlobs(gitRoot, shas);
  const out = new Map<string, CommitInfo>();
  for (const [sha, text] of objects) {
    const { headers, message } = splitObject(text);
    const author = parseIdent(headers.get('author') ?? '');
    const committer = parseIdent(headers.get('committer') ?? '');
    out.set(sha, {
      sha,
      authorName: author.name,
      authorEmail: author.email,
      committerName: committer.name,
      committerEmail: committer.email,
      time: committer.time,
      message,
    });
  }
  return out;
}

/** The commit a revision names, or E_NOT_FOUND. */
export function resolveCommit(gitRoot: string, rev: string): string {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { cwd: gitRoot, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new MlpipeError('E_NOT_FOUND', `unknown git revision '${rev}'`, {
      expected: 'a commit, branch or tag of this git repository',
      received: rev,
      hint: 'list revisions with `git log --oneline`',
    });
  }
  return r.stdout.trim();
}

/**
 * Writes an annotated tag: the object through `git mktag` (which checks it), then the ref, created
 * only if it does not exist yet (`update-ref` with an empty old value), so a concurrent writer of
 * the same name loses instead of overwriting.
 */
export function createAnnotatedTag(gitRoot: string, name: string, commit: string, message: string): void {
  const ident = spawnSync('git', ['var', 'GIT_COMMITTER_IDENT'], { cwd: gitRoot, encoding: 'utf8' });
  if (ident.status !== 0) {
    throw new MlpipeError('E_BAD_INPUT', 'git has no identity to sign the registry tag with (the tagger records who acted)', {
      hint: 'set one: git config user.name "Your Name" && git config user.email you@example.com',
    });
  }
  const tagger = ident.stdout.trim();
  const text = serializeTagObject({ object: commit, tag: name, tagger, message });
  const id = git(gitRoot, ['mktag'], { input: text }).trim();
  const r = spawnSync('git', ['update-ref', `refs/tags/${name}`, id, ''], { cwd: gitRoot, encoding: 'utf8' });
  if (r.status !== 0) {
    throw new MlpipeError('E_CONFLICT', `git tag '${name}' already exists`, {
      received: name,
      hint: 'list the registry with `mlpipe models show`; fetch tags with `git fetch --tags` if another copy wrote it',
    });
  }
}
