// Builds the web console (management/console/app, Preact + TSX) into static files with content-hashed names:
// index.html plus assets/main-<hash>.js and .css. `npm run build` writes them to dist/console/; the endpoint bundles
// (dist/ and the single executable) embed them through the `embeddedConsole` esbuild plugin, so nothing is fetched at
// run time and no file has to be shipped next to the executable.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

const REPO_ROOT = resolve(import.meta.dirname, '..');
const ENTRY = join(REPO_ROOT, 'management/console/app/main.tsx');

/** One built file of the console, by the URL path it is served at. */
export interface ConsoleFile {
  readonly path: string;
  readonly contentType: string;
  readonly body: Uint8Array;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const contentTypeOf = (path: string) => CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

/** The page that loads the bundle: no inline script or style, so the strict CSP of console-routes.ts holds. */
function indexHtml(script: string, style: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<title>Attaché console</title>',
    `<link rel="stylesheet" href="/${style}">`,
    `<script type="module" src="/${script}"></script>`,
    '</head>',
    '<body><div id="app"></div><noscript>The Attaché console needs JavaScript; the admin CLI (attache-admin) does everything it does.</noscript></body>',
    '</html>',
    '',
  ].join('\n');
}

/** Builds the console in memory: every file with its URL path (`index.html`, `assets/main-<hash>.js`, …). */
export async function buildConsole(): Promise<ConsoleFile[]> {
  const outdir = join(REPO_ROOT, 'dist/console/assets');
  const result = await build({
    entryPoints: [ENTRY],
    outdir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    platform: 'browser',
    target: ['chrome120', 'firefox120', 'safari17'],
    format: 'esm',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  const files: ConsoleFile[] = result.outputFiles.map((f) => {
    const path = relative(join(REPO_ROOT, 'dist/console'), f.path).split('\\').join('/');
    return { path, contentType: contentTypeOf(path), body: f.contents };
  });
  const script = files.find((f) => f.path.endsWith('.js'))?.path;
  const style = files.find((f) => f.path.endsWith('.css'))?.path;
  if (!script || !style) throw new Error(`console build produced no script or stylesheet (${files.map((f) => f.path).join(', ')})`);
  files.push({ path: 'index.html', contentType: contentTypeOf('index.html'), body: new TextEncoder().encode(indexHtml(script, style)) });
  return files;
}

/** Writes the console to `<outdir>` (dist/console by default), replacing what was there. */
export async function writeConsole(outdir = join(REPO_ROOT, 'dist/console')): Promise<ConsoleFile[]> {
  const files = await buildConsole();
  await rm(outdir, { recursive: true, force: true });
  for (const f of files) {
    await mkdir(dirname(join(outdir, f.path)), { recursive: true });
    await writeFile(join(outdir, f.path), f.body);
  }
  return files;
}

/** CommonJS source of management/src/http/console-bundle.ts with the files inside (base64). */
export function embeddedConsoleSource(files: readonly ConsoleFile[]): string {
  const entries = files.map(
    (f) => `[${JSON.stringify(f.path)}, { contentType: ${JSON.stringify(f.contentType)}, base64: ${JSON.stringify(Buffer.from(f.body).toString('base64'))} }]`,
  );
  return [
    '"use strict";',
    `const files = new Map([\n${entries.join(',\n')}\n]);`,
    'exports.loadConsoleBundle = function loadConsoleBundle() {',
    '  return new Map([...files].map(([path, f]) => [path, { contentType: f.contentType, body: Buffer.from(f.base64, "base64") }]));',
    '};',
    '',
  ].join('\n');
}

/** esbuild plugin: the endpoint's console-bundle.ts (which reads dist/console from disk) becomes the embedded files. */
export function embeddedConsole(): Plugin {
  let source: Promise<string> | undefined;
  return {
    name: 'embedded-console',
    setup(b) {
      b.onResolve({ filter: /^\.\/console-bundle\.js$/ }, (args) =>
        /[\\/]management[\\/]src[\\/]http[\\/]console-routes\.ts$/.test(args.importer) ? { path: 'console-bundle', namespace: 'embedded-console' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'embedded-console' }, async () => {
        source ??= buildConsole().then(embeddedConsoleSource);
        return { contents: await source, loader: 'js', resolveDir: REPO_ROOT };
      });
    },
  };
}
