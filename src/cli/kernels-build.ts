import { readFileSync } from 'node:fs';
import wabtInit from 'wabt';
import { toBase64 } from '../core/util/tensors.js';

/** The kernels' source. */
export const KERNELS_SOURCE = new URL('../core/math/kernels.wat', import.meta.url);

/**
 * The two variants the build makes, each with the memory it imports and the file it goes to: the trainer's
 * threads share theirs (a SharedArrayBuffer); the server and the page use a plain one, which a page that is
 * not cross-origin isolated can still make. Up to 1 GiB. Files of their own, so the page bundles only its own.
 */
export const KERNEL_VARIANTS = [
  { name: 'KERNELS', memory: '(import "env" "memory" (memory 1 16384))', file: new URL('../core/math/kernels-wasm.ts', import.meta.url) },
  { name: 'KERNELS_SHARED', memory: '(import "env" "memory" (memory 1 16384 shared))', file: new URL('../core/math/kernels-shared-wasm.ts', import.meta.url) },
];

/**
 * Assembles src/core/math/kernels.wat with wabt into the text of each variant's file: its bytes in base64, so that
 * Node, the trainer's threads and the page bundle load the same module with no file to fetch. The same source
 * and wabt version give the same bytes: test/math/kernels.test.ts checks it.
 */
export async function assembleKernels(): Promise<string[]> {
  const wabt = await wabtInit();
  const source = readFileSync(KERNELS_SOURCE, 'utf8');
  if (!source.includes(';; MEMORY:')) throw new Error('src/core/math/kernels.wat has lost its ";; MEMORY:" line');
  const { version } = JSON.parse(readFileSync(new URL('../../node_modules/wabt/package.json', import.meta.url), 'utf8')) as { version: string };
  return KERNEL_VARIANTS.map(({ name, memory }) => {
    const module = wabt.parseWat('kernels.wat', source.replace(/;; MEMORY:.*/, memory), { simd: true, threads: true });
    try {
      // wabt.js's validate() rejects shared memories whatever its features say; V8 validates instead.
      const { buffer } = module.toBinary({ write_debug_names: false });
      new WebAssembly.Module(buffer as Uint8Array<ArrayBuffer>);
      return `// Made by \`npm run build:kernels\` from src/core/math/kernels.wat with wabt ${version}: do not edit.\nexport const ${name} = '${toBase64(buffer)}';\n`;
    } finally {
      module.destroy();
    }
  });
}
