/**
 * The only code that knows where an object lives inside an object database (a cache or a remote).
 * DVC 3 (`hash: md5` entries): `files/md5/<oid[0:2]>/<oid[2:]>`; DVC 2 legacy (md5-dos2unix):
 * `<oid[0:2]>/<oid[2:]>` at the root (../shared/docs/dvc-format.md §2, §4). Directory objects keep
 * their `.dir` suffix in the file name.
 */
const OID = /^[0-9a-f]{32}(\.dir)?$/;

export function isOid(value: string): boolean {
  return OID.test(value);
}

/** POSIX relative path of an object inside an ODB root. Throws on anything that is not an oid. */
export function objectRelPath(oid: string, legacy = false): string {
  if (!OID.test(oid)) throw new TypeError(`not an md5 object id: ${JSON.stringify(oid)}`);
  const rel = `${oid.slice(0, 2)}/${oid.slice(2)}`;
  return legacy ? rel : `files/md5/${rel}`;
}
