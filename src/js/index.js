// index.js: `import * as torch from 'kindling'`. The wasm core is instantiated by core.js
// with top-level await, so it is ready when this import resolves; torch.ready is that promise.
import { strict } from './args.js';
import { k } from './core.js';

export { Tensor } from './tensor.js';
export {
  tensor, zeros, ones, empty, full, zeros_like, ones_like, empty_like, full_like, rand_like, randn_like, rand, randn,
  randint, randperm, arange, linspace, logspace, eye, manual_seed, initial_seed, get_rng_state, set_rng_state,
} from './creation.js';
export * from './functions.js';
export * from './math.js';
export { device, cuda, backends } from './device.js';
export { set_printoptions, get_printoptions } from './printing.js';

export const float32 = 'float32';
export const float = 'float32';
export const int64 = 'int64';
export const long = 'int64';
export const bool = 'bool';

export const ready = Promise.resolve(true);

/** Runs every kernel's SIMD path (true, the default) or its scalar reference (false). */
export const set_simd = strict('set_simd(on)', (on) => {
  k.k_set_simd(on ? 1 : 0);
});
export const simd_available = strict('simd_available()', () => k.k_simd_available() === 1);

export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as optim from './optim/index.js';
export * as utils from './utils/index.js';
export { Generator } from './generator.js';
export { save, load, download } from './serialization/index.js';
