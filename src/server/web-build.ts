import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** The pages' TypeScript (web/src) and where its bundles go (served beside web/). */
export const WEB_SOURCE = fileURLToPath(new URL('../../web/src', import.meta.url));
export const WEB_BUILD = fileURLToPath(new URL('../../web/build', import.meta.url));

/**
 * Bundles the pages' TypeScript with esbuild into web/build: one module per page, sharing chunks, so the
 * board and the parity test import the very core (src/core/index.ts) the server runs. The service worker is
 * bundled on its own (a worker cannot share the pages' chunks) and told the files to keep for offline use.
 * Takes a fraction of a second; `npm start` and the tests run it.
 */
export async function buildWeb(): Promise<{ files: string[]; pageBytes: Record<string, number>; sources: string[] }> {
  rmSync(WEB_BUILD, { recursive: true, force: true });
  const pages = ['board', 'upload', 'model', 'core'].map((p) => `${WEB_SOURCE}/${p}.ts`);
  const result = await build({
    entryPoints: pages,
    outdir: WEB_BUILD,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    chunkNames: 'chunk-[hash]',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'silent',
  });
  const files = Object.keys(result.metafile.outputs)
    .filter((f) => f.endsWith('.js'))
    .map((f) => `/${f.slice(f.lastIndexOf('/') + 1)}`);
  const offline = ['/', '/upload', '/model', '/style.css', '/favicon.svg', ...files];
  const sw = await build({
    entryPoints: [`${WEB_SOURCE}/sw.ts`],
    outfile: `${WEB_BUILD}/sw.js`,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    define: { OFFLINE_FILES: JSON.stringify(offline) },
    metafile: true,
    logLevel: 'silent',
  });
  // The project's files the pages are made of (paths from the working directory), packages left out.
  const sources = [...new Set([...Object.keys(result.metafile.inputs), ...Object.keys(sw.metafile.inputs)])].filter((f) => !f.includes('node_modules/'));
  return { files: readdirSync(WEB_BUILD), pageBytes: pageBytes(result.metafile), sources };
}

/** Each page's minified JavaScript, its shared chunks included: what a browser downloads for it. */
function pageBytes(metafile: Metafile): Record<string, number> {
  const { outputs } = metafile;
  const reach = (file: string, seen: Set<string>): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const i of outputs[file]!.imports) if (i.kind === 'import-statement') reach(i.path, seen);
  };
  const pages: Record<string, number> = {};
  for (const [file, out] of Object.entries(outputs)) {
    if (!out.entryPoint || !file.endsWith('.js')) continue;
    const seen = new Set<string>();
    reach(file, seen);
    pages[file.slice(file.lastIndexOf('/') + 1, -3)] = [...seen].reduce((a, f) => a + outputs[f]!.bytes, 0);
  }
  return pages;
}
