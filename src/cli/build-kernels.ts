import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKernels, KERNELS_MODULE } from './kernels-build.js';
import { runCli } from './run.js';

const usage = `npm run build:kernels

  Assembles the SIMD kernels (src/math/kernels.wat) with wabt into src/math/kernels-wasm.ts, which the
  trainer, the server and the page load. Run it after editing the .wat; the tests check the two agree.`;

runCli(usage, {}, async () => {
  const text = await assembleKernels();
  writeFileSync(KERNELS_MODULE, text);
  console.log(`wrote ${fileURLToPath(KERNELS_MODULE)} (${text.length} characters)`);
});
