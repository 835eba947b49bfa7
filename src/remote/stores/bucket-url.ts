import { remoteError } from '../errors.js';

/**
 * `SCHEME://bucket[/prefix]` as DVC writes the URL of an S3, GCS or Azure remote: the bucket (or
 * container) and the key prefix objects go under (`''`, or ending in one `/`).
 */
export function parseBucketUrl(url: string, scheme: 's3' | 'gs' | 'azure', what: string): { bucket: string; prefix: string } {
  const m = new RegExp(`^${scheme}://([^/]+)/?(.*)$`).exec(url);
  if (!m) throw remoteError('E_BAD_INPUT', url, `not ${what} URL`, { expected: `${scheme}://${scheme === 'azure' ? 'container' : 'bucket'}[/prefix]` });
  const prefix = (m[2] as string).replace(/\/+$/, '');
  return { bucket: m[1] as string, prefix: prefix ? `${prefix}/` : '' };
}
