#!/usr/bin/env node
// Bundles the dashboard's front end (src/ui/app) into dist/ui/app: one classic script (IIFE, so the
// exported site runs from file://, where module scripts are blocked), one stylesheet, index.html.
// Skipped when the bundle is newer than every input, so `npm run build` stays fast on a busy machine.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(root, 'src/ui/app');
const outDir = join(root, 'dist/ui/app');
const inputs = [
  ...walk(appDir),
  join(root, 'src/ui/types.ts'),
  join(root, 'src/pipeline/plots/templates.ts'),
  join(root, 'src/pipeline/plots/values.ts'),
  join(root, 'package-lock.json'),
  fileURLToPath(import.meta.url),
];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

const built = Math.min(mtime(join(outDir, 'app.js')), mtime(join(outDir, 'index.html')));
if (process.argv.includes('--force') || built === 0 || inputs.some((p) => mtime(p) > built)) {
  const { build } = await import('vite');
  await build({
    root: appDir,
    configFile: false,
    logLevel: 'warn',
    publicDir: join(appDir, 'public'),
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir,
      emptyOutDir: true,
      chunkSizeWarningLimit: 4096,
      lib: { entry: join(appDir, 'main.ts'), formats: ['iife'], name: 'mlpipeUi', fileName: () => 'app.js', cssFileName: 'app' },
    },
  });
}
