import { compileKernels, instantiateKernels, type Kernels } from './kernels.js';
import { KERNELS_SHARED } from './kernels-shared-wasm.js';

let shared: WebAssembly.Module | undefined;

/** The kernels on a shared memory, which the trainer's threads all work in (the module declares it shared). */
export function sharedKernelsOn(memory: WebAssembly.Memory): Kernels {
  shared ??= compileKernels(KERNELS_SHARED);
  return instantiateKernels(shared, memory);
}
