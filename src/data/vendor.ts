/**
 * Packages that `npm run build` bundles into one file each under dist/vendor (scripts/build-vendor.mjs):
 * a package of many small modules loads faster from one file, a cost every command that needs it
 * pays at start. From src/ (tests) or a build without the bundle, the package itself.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `require(bundle)` (a path relative to this module, e.g. `../vendor/zod.cjs`), else `require(pkg)`. */
export function requireVendored<T>(bundle: string, pkg: string): T {
  try {
    return require(bundle) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    return require(pkg) as T;
  }
}
