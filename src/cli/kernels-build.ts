import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { toBase64 } from '../util/floats.js';

/** The kernels' source, and the file the build writes their two assembled variants to. */
export const KERNELS_SOURCE = new URL('../math/kernels.wat', import.meta.url);
export const KERNELS_MODULE = new URL('../math/kernels-wasm.ts', import.meta.url);

/**
 * The memory each variant imports: the trainer's threads share theirs (a SharedArrayBuffer); the server and
 * the page use a plain one, which a page that is not cross-origin isolated can still make. Up to 1 GiB.
 */
const MEMORY = {
  KERNELS: '(import "env" "memory" (memory 1 16384))',
  KERNELS_SHARED: '(import "env" "memory" (memory 1 16384 shared))',
};

/**
 * Assembles src/math/kernels.wat with wabt into the text of src/math/kernels-wasm.ts: each variant's bytes
 * in base64, so that Node, the trainer's threads and the page bundle load the same module with no file to
 * fetch. The same source and wabt version give the same bytes: test/math/kernels.test.ts checks it.
 */
export async function assembleKernels(): Promise<string> {
  const wabt = await wabtInit();
  const source = readFileSync(KERNELS_SOURCE, 'utf8');
  if (!source.includes(';; MEMORY:')) throw new Error('src/math/kernels.wat has lost its ";; MEMORY:" line');
  const lines = Object.entries(MEMORY).map(([name, memory]) => {
    const module = wabt.parseWat('kernels.wat', source.replace(/;; MEMORY:.*/, memory), { simd: true, threads: true });
    try {
      // wabt.js's validate() rejects shared memories whatever its features say; V8 validates instead.
      const { buffer } = module.toBinary({ write_debug_names: false });
      new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
      return `export const ${name} = '${toBase64(buffer)}';`;
    } finally {
      module.destroy();
    }
  });
  const { version } = JSON.parse(readFileSync(new URL('../../node_modules/wabt/package.json', import.meta.url), 'utf8')) as { version: string };
  return `// Made by \`npm run build:kernels\` from src/math/kernels.wat with wabt ${version}: do not edit.\n${lines.join('\n')}\n`;
}
