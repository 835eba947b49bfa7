#!/usr/bin/env node
// Bundles @duckdb/node-api (about 180 small CommonJS files) into dist/vendor/duckdb-node-api.cjs:
// one file loads in about 25 ms less CPU than the package's tree, a cost every command that reads
// a table pays at start (mlpipe validate on a small file: 0.27 CPU-s in all). The native addon,
// @duckdb/node-bindings, stays a normal require. src/data/source.ts (loadDuckDB) takes the bundle
// when it exists and the package otherwise (tests run from src/; a build without esbuild, a dev
// dependency, writes no bundle).
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/vendor/duckdb-node-api.cjs');
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  rmSync(out, { force: true });
  console.warn('build-vendor: esbuild is not installed; mlpipe loads @duckdb/node-api unbundled');
  process.exit(0);
}
// The package's MIT notice travels with the bundled copy.
const pkg = join(root, 'node_modules/@duckdb/node-api');
const { version } = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
const license = readFileSync(join(pkg, 'LICENSE'), 'utf8').trim();
await esbuild.build({
  banner: { js: `/*! @duckdb/node-api ${version}, bundled by mlpipe's scripts/build-vendor.mjs.\n${license}\n*/` },
  stdin: { contents: "module.exports = require('@duckdb/node-api');", resolveDir: root, loader: 'js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['@duckdb/node-bindings'],
  outfile: out,
  logLevel: 'warning',
  legalComments: 'inline',
});
