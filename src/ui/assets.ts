import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The front end as `npm run build` bundles it (vite, src/ui/app -> dist/ui/app): next to this module
 * once compiled to dist/ui/. Undefined in a checkout that was never built.
 */
export function assetsDir(): string | undefined {
  const dir = fileURLToPath(new URL('./app/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : undefined;
}
