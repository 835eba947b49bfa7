/**
 * Packages that `npm run build` bundles into one file each under dist/vendor (scripts/build-vendor.mjs):
 * a package of many small modules loads faster from one file, a cost every command that needs it
 * pays at start. From src/ (tests) or a build without the bundle, the package itself.
 *
 * A bundle is run through `vm.Script` with the V8 code cache that the build wrote next to it
 * (`<bundle>.cache`): Node 20 has no module compile cache, and compiling the two bundles is about
 * 25 ms of CPU per command. V8 refuses a cache from another V8 version or another source and
 * compiles the source as usual then.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const require = createRequire(import.meta.url);
const loaded = new Map<string, unknown>();

/** The bundle at `bundle` (relative to this module, e.g. `../vendor/zod.cjs`) if built, else `require(pkg)`. */
export function requireVendored<T>(bundle: string, pkg: string): T {
  const path = fileURLToPath(new URL(bundle, import.meta.url));
  if (!loaded.has(path)) {
    if (!existsSync(path)) return require(pkg) as T;
    loaded.set(path, runBundle(path).exports);
  }
  return loaded.get(path) as T;
}

/** Compiles and runs a CommonJS bundle as `require` would, with its code cache when one exists. */
export function runBundle(path: string): { script: Script; exports: unknown } {
  const cache = `${path}.cache`;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(path, 'utf8')}\n})`, {
    filename: path,
    ...(existsSync(cache) ? { cachedData: readFileSync(cache) } : {}),
  });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(path), module, path, dirname(path));
  return { script, exports: module.exports };
}
