import { createHash } from 'node:crypto';

/**
 * The bytes of an annotated tag object as `git tag -a NAME REV -m MESSAGE` writes it (which is how
 * GTO creates its tags, through GitPython): header lines, a blank line, the message ending in one
 * newline. Building it ourselves (then `git mktag`) keeps the format in one tested place.
 */
export interface TagObject {
  /** The commit the tag points to (40 hex digits). */
  object: string;
  tag: string;
  /** `NAME <EMAIL> EPOCH +HHMM`, as `git var GIT_COMMITTER_IDENT` prints it. */
  tagger: string;
  message: string;
}

export function serializeTagObject(t: TagObject): string {
  // `git tag -m` cleans the message: trailing whitespace removed, one final newline.
  const message = `${t.message.replace(/\s+$/, '')}\n`;
  return `object ${t.object}\ntype commit\ntag ${t.tag}\ntagger ${t.tagger}\n\n${message}`;
}

/** The git object id of a tag object's text (sha1 of `tag <size>\0<bytes>`). */
export function tagObjectId(text: string): string {
  const body = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`tag ${body.length}\0`).update(body).digest('hex');
}
