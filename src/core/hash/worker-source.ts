/**
 * The hashing worker's code, kept as a plain CommonJS string and started with `eval: true` so that it
 * runs identically from `dist/` and from the TypeScript sources under test. A job is a batch of
 * files; for each it streams the bytes once through md5 and, when `tmp` is given, writes the same
 * bytes to that temp file (hash-while-copy: adding a file to the cache reads it exactly once).
 * Reads are synchronous inside the worker: for many small files that is several times faster than
 * async I/O, and the main thread stays free.
 */
export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(4 << 20);
function one(job) {
  const fd = fs.openSync(job.path, 'r');
  let out;
  try {
    out = job.tmp === undefined ? undefined : fs.openSync(job.tmp, 'wx', 0o444);
    const hash = createHash('md5');
    let size = 0;
    let n;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) {
      const chunk = n === buf.length ? buf : buf.subarray(0, n);
      hash.update(chunk);
      if (out !== undefined) {
        let off = 0;
        while (off < n) off += fs.writeSync(out, chunk, off, n - off);
      }
      size += n;
    }
    return { md5: hash.digest('hex'), size };
  } finally {
    fs.closeSync(fd);
    if (out !== undefined) fs.closeSync(out);
  }
}
parentPort.on('message', (jobs) => {
  parentPort.postMessage(jobs.map((job) => {
    try {
      return one(job);
    } catch (err) {
      return { error: { code: err.code, message: err.message } };
    }
  }));
});
`;
