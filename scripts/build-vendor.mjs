#!/usr/bin/env node
// Bundles @duckdb/node-api (about 180 small CommonJS files) into dist/vendor/duckdb-node-api.cjs
// and zod (about 95 ESM modules) into dist/vendor/zod.cjs:
// one file loads in about 25 ms less CPU than the package's tree, a cost every command that reads
// a table pays at start (mlpipe validate on a small file: 0.27 CPU-s in all). The native addon,
// @duckdb/node-bindings, stays a normal require. src/data/vendor.ts takes a bundle
// when it exists and the package otherwise (tests run from src/; a build without esbuild, a dev
// dependency, writes no bundle).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  rmSync(join(root, 'dist/vendor'), { recursive: true, force: true });
  console.warn('build-vendor: esbuild is not installed; mlpipe loads @duckdb/node-api and zod unbundled');
  process.exit(0);
}
/** Bundles `contents` (a module that re-exports the package) into dist/vendor/<file>, its licence on top. */
async function bundle(name, file, contents, external = []) {
  // The package's MIT notice travels with the bundled copy.
  const pkg = join(root, 'node_modules', name);
  const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  const license = readFileSync(join(pkg, 'LICENSE'), 'utf8').trim();
  await esbuild.build({
    banner: { js: `/*! ${name} ${version}, bundled by mlpipe's scripts/build-vendor.mjs.\n${license}\n*/` },
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external,
    outfile: join(root, 'dist/vendor', file),
    logLevel: 'warning',
    legalComments: 'inline',
  });
}

await bundle('@duckdb/node-api', 'duckdb-node-api.cjs', "module.exports = require('@duckdb/node-api');", ['@duckdb/node-bindings']);
// Zod's ESM build is about 95 modules (about 40 ms more CPU to load than this one file, for every
// command that reads a schema); only `z`, which src/data/schema.ts uses, so unused parts are left out.
await bundle('zod', 'zod.cjs', "export { z } from 'zod';");

// V8 code caches of both bundles, taken after running them (so that the functions run at load are
// in it); src/data/vendor.ts loads a bundle with its cache (Node 20 has no module compile cache).
const { runBundle } = await import(join(root, 'dist/data/vendor.js'));
for (const file of ['duckdb-node-api.cjs', 'zod.cjs']) {
  const path = join(root, 'dist/vendor', file);
  rmSync(`${path}.cache`, { force: true });
  writeFileSync(`${path}.cache`, runBundle(path).script.createCachedData());
}
