// generator.js: torch.Generator — a seedable random generator of its own, separate from the
// default one behind torch.manual_seed, with PyTorch's CPU streams (src/core/rng.h). It is
// what DataLoader({generator}) and random_split(..., {generator}) take.
//
// Not here: the tensor factories (rand, randn, randperm, ...) on the default generator
// (creation.js). The internal helpers below (randomInt64, randpermArray, randintDraw,
// uniformDraw) take a Generator or null/undefined for the default generator; they are what
// torch.utils.data and kindling/transforms use for their draws.
import { check, k, raise } from './core.js';
import { bindArgs, signatures } from './args.js';
import { typeError } from './errors.js';

const DEFAULT_SEED = 67280421310721n; // ATen's default_rng_seed_val

const freed = new FinalizationRegistry((ptr) => k.k_generator_free(ptr));

/** A seed (number or BigInt, 0 <= seed < 2^64) as [lo, hi] 32-bit halves. */
function seedHalves(call, seed) {
  let big;
  if (typeof seed === 'bigint') big = seed;
  else if (typeof seed === 'number' && Number.isInteger(seed)) big = BigInt(seed);
  else throw typeError(call, 'an integer seed (a number or a BigInt)', seed);
  // PyTorch accepts negative seeds as their two's complement (manual_seed(-1) == 2^64 - 1).
  if (big < -(1n << 63n) || big >= 1n << 64n) throw new RangeError(`${call}: seed must be within [-2^63, 2^64), got ${big}`);
  big = BigInt.asUintN(64, big);
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}

/** Two uint32 halves -> a Number when exact, else a BigInt. */
function join(lo, hi) {
  const big = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

function readPair(fn, ptr) {
  const out = k.k_malloc(8);
  if (!out) raise();
  try {
    check(fn(ptr, out));
    const v = new Uint32Array(k.memory.buffer, out, 2);
    return [v[0], v[1]];
  } finally {
    k.k_free(out);
  }
}

export class Generator {
  /** new torch.Generator() — seeded with PyTorch's default seed until manual_seed. */
  constructor(...args) {
    const [device = 'cpu'] = bindArgs('Generator(device="cpu")', args);
    if (device !== 'cpu' && !(typeof device === 'object' && device && device.device === 'cpu' && Object.keys(device).length === 1))
      throw new TypeError(`Generator: only the 'cpu' device is supported, got ${JSON.stringify(device)}`);
    const [lo, hi] = seedHalves('Generator', DEFAULT_SEED);
    const ptr = k.k_generator_new(lo, hi);
    if (!ptr) raise();
    this._ptr = ptr;
    freed.register(this, ptr);
  }

  get device() { return 'cpu'; }

  /** Seeds the generator and returns it (so `new Generator().manual_seed(42)` chains). */
  manual_seed(seed) {
    const [lo, hi] = seedHalves('manual_seed', seed);
    k.k_generator_manual_seed(this._ptr, lo, hi);
    return this;
  }

  /** Seeds from a non-deterministic source and returns the seed (PyTorch's Generator.seed()). */
  seed() {
    const words = new Uint32Array(2);
    if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(words);
    else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * 2 ** 32);
    words[1] &= 0x7fffffff; // PyTorch's non-deterministic seeds are below 2^63 too
    k.k_generator_manual_seed(this._ptr, words[0], words[1]);
    return join(words[0], words[1]);
  }

  /** The seed given last (a Number, or a BigInt above 2^53). */
  initial_seed() { return join(...readPair(k.k_generator_initial_seed, this._ptr)); }

  /** The state as bytes (kindling's own layout, not PyTorch's ByteTensor). */
  get_state() {
    const size = k.k_rng_state_size();
    const ptr = k.k_malloc(size);
    if (!ptr) raise();
    try {
      check(k.k_generator_get_state(this._ptr, ptr));
      return new Uint8Array(k.memory.buffer, ptr, size).slice();
    } finally {
      k.k_free(ptr);
    }
  }

  set_state(state) {
    const size = k.k_rng_state_size();
    if (!(state instanceof Uint8Array) || state.length !== size)
      throw typeError('Generator.set_state', `a Uint8Array of ${size} bytes from get_state()`, state);
    const ptr = k.k_malloc(size);
    if (!ptr) raise();
    try {
      new Uint8Array(k.memory.buffer, ptr, size).set(state);
      check(k.k_generator_set_state(this._ptr, ptr));
    } finally {
      k.k_free(ptr);
    }
    return this;
  }

  toString() { return '<torch.Generator object>'; }
}

/** The core pointer for a Generator, 0 (the default generator) for null/undefined. */
export function generatorPtr(call, generator) {
  if (generator === null || generator === undefined) return 0;
  if (!(generator instanceof Generator)) throw typeError(call, 'a torch.Generator for generator', generator);
  return generator._ptr;
}

/**
 * torch.empty((), dtype=torch.int64).random_(generator=g).item(): a value in [0, 2^63).
 * Returned as a BigInt (exact); only its low 32 bits matter when it seeds mt19937.
 */
export function randomInt64(generator) {
  const [lo, hi] = readPair(k.k_generator_random_i64, generatorPtr('random_', generator));
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** torch.randperm(n, generator=g).tolist() as an Int32Array. */
export function randpermArray(n, generator) {
  const handle = check(k.k_generator_randperm(generatorPtr('randperm', generator), n));
  try {
    const ptr = k.k_data(handle);
    if (!ptr) raise();
    return new Int32Array(k.memory.buffer, ptr, n).slice();
  } finally {
    k.k_release(handle);
  }
}

/** torch.randint(low, high, (1,), generator=g).item() */
export function randintDraw(low, high, generator) {
  const v = k.k_generator_randint(generatorPtr('randint', generator), low, high);
  if (Number.isNaN(v)) raise();
  return v;
}

/** torch.empty(1).uniform_(from, to, generator=g).item() (torch.rand(1) for 0, 1) */
export function uniformDraw(from, to, generator) {
  return k.k_generator_uniform(generatorPtr('uniform_', generator), from, to);
}

signatures(Generator, ['Generator.manual_seed(seed)', 'Generator.seed()', 'Generator.initial_seed()', 'Generator.get_state()',
  'Generator.set_state(new_state)', 'Generator.toString()']);
