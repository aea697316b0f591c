import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assembleKernels, KERNEL_VARIANTS } from './kernels-build.js';
import { runCli } from './run.js';

const usage = `npm run build:kernels

  Assembles the SIMD kernels (src/core/math/kernels.wat) with wabt into src/core/math/kernels-wasm.ts and kernels-shared-wasm.ts, which the
  trainer, the server and the page load. Run it after editing the .wat; the tests check the two agree.`;

runCli(usage, {}, async () => {
  const texts = await assembleKernels();
  KERNEL_VARIANTS.forEach(({ file }, i) => {
    writeFileSync(file, texts[i]!);
    console.log(`wrote ${fileURLToPath(file)} (${texts[i]!.length} characters)`);
  });
});
