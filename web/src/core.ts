// The core the server runs (src/core/index.ts), as the pages load it: the board and the parity test import this
// module, so both run the same bundle.
export * from '../../src/core/index.js';
