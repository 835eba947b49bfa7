import { SEMVER_RE } from './names.js';

/** Semantic versions with GTO's `v` prefix, ordered as semver 2.0 orders them (`python-semver`). */
interface Parsed {
  core: [number, number, number];
  pre: string[];
}

function parse(version: string): Parsed {
  const body = version.slice(1).split('+')[0] as string;
  const dash = body.indexOf('-');
  const core = (dash < 0 ? body : body.slice(0, dash)).split('.').map(Number) as [number, number, number];
  return { core, pre: dash < 0 ? [] : body.slice(dash + 1).split('.') };
}

export const isSemver = (version: string): boolean => SEMVER_RE.test(version);

/** Negative, zero or positive like a comparator; build metadata is ignored, a prerelease sorts first. */
export function compareSemver(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa.core[i] !== pb.core[i]) return (pa.core[i] as number) - (pb.core[i] as number);
  if (pa.pre.length === 0 || pb.pre.length === 0) return pb.pre.length - pa.pre.length;
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i] as string;
    const y = pb.pre[i] as string;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return pa.pre.length - pb.pre.length;
}

export type Bump = 'major' | 'minor' | 'patch';

/** The next version after `version` (prerelease and build parts dropped, as python-semver bumps). */
export function bumpSemver(version: string, part: Bump): string {
  const [major, minor, patch] = parse(version).core;
  if (part === 'major') return `v${major + 1}.0.0`;
  if (part === 'minor') return `v${major}.${minor + 1}.0`;
  return `v${major}.${minor}.${patch + 1}`;
}

export const MINIMAL_VERSION = 'v0.0.1';
