import { suite } from './helpers/suite.js';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build, type Metafile } from 'esbuild';
import { decodeImage } from '../src/codecs/decode.js';
import { predictDecoded } from '../src/core/image/pipeline.js';
import { BEST_MODEL_PATH, loadModel } from '../src/io/model-file.js';
import { InputTransform } from '../src/core/features/transform.js';
import { compactModel } from '../src/core/models/compact-form.js';
import { DigitModel } from '../src/core/models/model.js';
import { parseModel as loadModelText } from '../src/core/models/registry.js';
import { buildWeb } from '../src/server/web-build.js';

const test = suite('a core that runs anywhere');

/** The core is one folder: every module in it runs anywhere, and the pages import nothing else of src/. */
const CORE = 'src/core';
const coreFiles = (readdirSync(CORE, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => `${CORE}/${f}`);

async function bundle(entry: string, format: 'esm' | 'iife' = 'esm'): Promise<{ code: string; metafile: Metafile }> {
  const r = await build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    platform: 'browser',
    format,
    ...(format === 'iife' && { globalName: 'core' }),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { code: r.outputFiles[0]!.text, metafile: r.metafile };
}

test('every core module bundles for the browser without a Node built-in', async () => {
  const entry = coreFiles.map((f, i) => `import * as m${i} from './${f}'; console.log(m${i});`).join('\n');
  const { metafile } = await bundle(entry);
  const inputs = Object.keys(metafile.inputs);
  const node = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const fromNode = inputs.filter((i) => node.has(i) || /node_modules\/(pngjs|jpeg-js|exifr|piscina)\//.test(i));
  assert.equal(fromNode, [], 'no Node built-in and no Node-only package');
  for (const f of coreFiles) assert.ok(inputs.includes(f), `${f} is in the bundle`);
});

test('the pages import nothing of src/ outside the core folder', async () => {
  const { sources } = await buildWeb();
  const fromSrc = sources.filter((f) => f.startsWith('src/'));
  assert.ok(fromSrc.includes('src/core/image/preprocess.ts') && sources.includes('web/src/board.ts'), sources.join(' '));
  assert.equal(
    fromSrc.filter((f) => !f.startsWith(`${CORE}/`)),
    [],
  );
  assert.ok(coreFiles.length > 30 && coreFiles.includes('src/core/image/number.ts') && coreFiles.includes('src/core/image/deblur.ts'));
});

test('the pages carry no fitting code: the board bundle is at most 70 kB minified, without the eigen-solver', async () => {
  // Every model kind's loader, the pages' and the server's, without the fitting code.
  const { code, metafile } = await bundle(
    "import { parseModel } from './src/core/models/registry.ts'; import { parseCompactModel } from './src/core/index.ts'; console.log(parseModel, parseCompactModel);",
  );
  const inputs = Object.keys(metafile.inputs);
  assert.equal(
    inputs.filter((i) => /ml-matrix|math\/eigen|pca-fit/.test(i)),
    [],
    'loading and predicting need no eigen-solver',
  );
  assert.ok(code.length > 0);
  const { pageBytes } = await buildWeb();
  assert.ok(pageBytes.board! <= 70_000, `the board's JavaScript is ${pageBytes.board} bytes`);
});

test('a module that imports from Node fails the same bundling', async () => {
  // The check above can fail: the decoders import node:zlib (and pngjs Node's streams), and bundling them
  // for the browser is refused.
  let error: unknown = null;
  try {
    await bundle("import './src/codecs/decode.ts';");
  } catch (e) {
    error = e;
  }
  assert.match(String(error), /Could not resolve "(node:)?(zlib|util|stream)"/);
});

test('the bundled core predicts the committed model exactly as Node does, with no Node globals', async () => {
  const { code } = await bundle("export * from './src/core/index.ts';", 'iife');
  // Only what a browser also has: no Buffer, process, require or module.
  const context = { console, performance, TextDecoder, TextEncoder, atob, btoa, setTimeout, clearTimeout, queueMicrotask };
  const core = runInNewContext(`${code}; core`, context) as typeof import('../src/core/index.js');
  assert.type(core.parseCompactModel, 'function');
  const browserModel = core.parseCompactModel(readFileSync(BEST_MODEL_PATH, 'utf8'), BEST_MODEL_PATH);
  const nodeModel = loadModel();
  for (const file of ['paint-png-3-0.png', 'photo-8-1.jpg', 'canvas-white-on-black-0-0.png']) {
    const img = await decodeImage(readFileSync(join('data/samples', file)));
    const inVm = browserModel ? core.predictDecoded({ width: img.width, height: img.height, data: img.data }, browserModel) : null;
    const inNode = predictDecoded(img, nodeModel);
    assert.is(inVm?.digit, inNode.digit, file);
    assert.equal(Array.from(inVm?.probabilities ?? []), inNode.probabilities, file);
    assert.equal(Array.from(inVm?.input ?? []), Array.from(inNode.input ?? []), file);
  }
  // A committee member's normalisation (deslanting and width) is the same in the page as on the server: the
  // same 28×28 after it, the same probabilities, from the compact form the page is sent.
  const member = new DigitModel(nodeModel.metadata, new InputTransform(true, null, 12), nodeModel.classifier, nodeModel.confidence);
  const inPage = core.parseCompactModel(JSON.stringify(compactModel(member)), 'member');
  const onServer = loadModelText(JSON.stringify(compactModel(member)));
  assert.is(inPage.input.width, 12);
  for (const file of ['paint-png-3-0.png', 'thin-brush-7-0.png']) {
    const img = await decodeImage(readFileSync(join('data/samples', file)));
    const x = predictDecoded(img, onServer).input!;
    assert.equal(Array.from(inPage.input.apply(x, 1)), Array.from(onServer.input.apply(x, 1)), file);
    assert.equal(Array.from(inPage.predictProba(x, 1)), Array.from(onServer.predictProba(x, 1)), file);
  }
});

test.run();
