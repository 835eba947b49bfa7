import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * One self-contained HTML page: vega, vega-lite and vega-embed inlined (so it opens offline and
 * from a CI artifact), one `<div>` and one `vegaEmbed` call per plot, like DVC's `index.html`.
 */
const require = createRequire(import.meta.url);

function inlineScript(module: string, file: string): string {
  const path = join(packageDir(module), file);
  // "</script" inside the library text would end the tag early
  return `<script>${readFileSync(path, 'utf8').replaceAll('</script', '<\\/script')}</script>`;
}

/** The package's folder (its `exports` hide package.json, so walk up from the entry point). */
function packageDir(module: string): string {
  let dir = dirname(require.resolve(module));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === module) return dir;
    } catch {
      // no package.json at this level
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the ${module} package`);
    dir = parent;
  }
}

export function plotsHtml(title: string, plots: { id: string; spec: unknown }[]): string {
  const divs = plots
    .map((p, i) => `<div class="plot"><h2>${escapeHtml(p.id)}</h2><div id="plot${i}"></div></div>`)
    .join('\n');
  const embeds = plots
    .map((p, i) => `vegaEmbed('#plot${i}', ${JSON.stringify(p.spec).replaceAll('</', '<\\/')}, {actions: false, renderer: 'svg'});`)
    .join('\n');
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:1em}.plot{display:inline-block;vertical-align:top;margin:1em}h2{font-size:1em}</style>
${inlineScript('vega', 'build/vega.min.js')}
${inlineScript('vega-lite', 'build/vega-lite.min.js')}
${inlineScript('vega-embed', 'build/vega-embed.min.js')}
</head>
<body>
${divs}
<script>
${embeds}
</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
