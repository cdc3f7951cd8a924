// creation.js: torch.tensor and the factories (zeros, ones, full, rand, randn, randint,
// randperm, arange, *_like). Everything made here is a kept tensor: yours until dispose().
import { strict } from './args.js';
import { check, f32, i32, intOrigin, k, raise, writeInts } from './core.js';
import { checkDevice } from './device.js';
import { dtypeCode } from './dtype.js';
import { generatorPtr } from './generator.js';
import { checkInt, describe, parseOptions, typeError } from './errors.js';
import { Tensor, shapeArgs, splitOptions, wrap } from './tensor.js';

const FACTORY_OPTIONS = { dtype: undefined, requires_grad: false, device: 'cpu' };

/**
 * Checks requires_grad before anything is allocated (a failure after allocating would leave
 * a kept tensor behind): a boolean (null counts as the default, false), and only with a
 * floating point dtype. Returns the flag to give finish().
 */
function gradFlag(call, requires_grad, dtype) {
  if (requires_grad === null) return false;
  if (typeof requires_grad !== 'boolean') throw typeError(call, 'a boolean for requires_grad', requires_grad);
  if (requires_grad && dtypeCode(call, dtype) !== 0)
    throw new TypeError(`${call}: only tensors of floating point dtype can require gradients`);
  return requires_grad;
}

/** A new kept tensor from a factory: made from no tensor, so never marked as from JS integers by wrap(). */
function made(handle) {
  intOrigin.touched = false;
  return wrap(handle, true);
}

/** A factory's device option: 'cpu' (or a cpu torch.device) is honoured, any other throws. */
function deviceOption(call, device) {
  if (device !== undefined && device !== null) checkDevice(call, device);
}

/**
 * A random factory's generator option. A torch.Generator has its own stream in kindling only
 * for randperm (and the data utilities); elsewhere it is refused rather than ignored.
 */
function noGenerator(call, generator) {
  if (generator !== undefined && generator !== null)
    throw new Error(`${call}: generator= is not supported by kindling's ${call} (it draws from the default generator: ` +
      'seed it with torch.manual_seed)');
}

/** The factory's own dtype, or a cast of t (owned by the caller) to the requested one. */
function castTo(call, t, dtype) {
  if (dtype === undefined || dtype === null || dtypeCode(call, dtype) === t._dtype) return t;
  try {
    return t.to(dtype).keep();
  } finally {
    t.dispose();
  }
}

function finish(tensor, requires_grad) {
  if (requires_grad) tensor.requires_grad_(true);
  return tensor;
}

/** Flattens nested arrays, checking that they are rectangular. */
function flatten(call, data) {
  const shape = [];
  for (let level = data; Array.isArray(level); level = level[0]) shape.push(level.length);
  const flat = [];
  const walk = (value, dim) => {
    if (dim === shape.length) {
      if (Array.isArray(value)) throw new RangeError(`${call}: nested arrays are ragged (too deep at dimension ${dim})`);
      if (typeof value !== 'number' && typeof value !== 'boolean')
        throw typeError(call, 'numbers, booleans or nested arrays of them', value);
      flat.push(value);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[dim])
      throw new RangeError(`${call}: expected a sequence of length ${shape[dim]} at dimension ${dim}, got ${describe(value)}`);
    for (const item of value) walk(item, dim + 1);
  };
  walk(data, 0);
  return [flat, shape];
}

function inferDtype(values) {
  if (values.length && values.every((v) => typeof v === 'boolean')) return 'bool';
  return values.every((v) => typeof v === 'number' && Number.isInteger(v)) && values.length ? 'int64' : 'float32';
}

/**
 * JavaScript cannot tell 1.0 from 1: all-integer data makes int64 as in PyTorch, except that
 * {requires_grad: true} without a dtype means float32 (an integer tensor can never require
 * grad, so the intent is plain).
 */
const floatIfGrad = (inferred, requires_grad) => (inferred === 'int64' && requires_grad === true ? 'float32' : inferred);

/** Marks an int64 tensor inferred from JS integers, so that dtype errors can say why (core.js). */
function markInts(t, inferred) {
  if (inferred && t.dtype === 'int64') t._fromInts = true;
  return t;
}

/** A kept tensor of the given shape and dtype filled from an array-like of numbers. */
export function fromValues(values, shape, dtype = 'float32') {
  const code = dtypeCode('tensor', dtype);
  const t = made(k.k_empty(code, shape.length, writeInts('tensor', shape)));
  const ptr = k.k_data(t.handle);
  if (code === 0) f32(ptr, values.length).set(values);
  else {
    const view = i32(ptr, values.length);
    for (let j = 0; j < values.length; j++) view[j] = Number(values[j]);
  }
  return t;
}

/**
 * torch.tensor(data, {dtype, requires_grad}): data is a number, nested arrays, a typed
 * array (1-D, or shaped with {shape}) or a Tensor (copied).
 */
export function tensor(data, options) {
  const { dtype, requires_grad, shape, device } = parseOptions('tensor', options, { ...FACTORY_OPTIONS, shape: undefined });
  deviceOption('tensor', device);
  if (data instanceof Tensor) {
    if (dtype !== undefined && dtype !== null) dtypeCode('tensor', dtype); // to('cpu') would return the view itself
    const grad = gradFlag('tensor', requires_grad, dtype ?? data.dtype);
    // detach first: the copy then carries no graph, and the one intermediate (a view) is
    // released here instead of lingering as a step-scoped tensor
    const view = data.detach();
    try {
      return finish((dtype ? view.to(dtype, { copy: true }) : view.clone()).keep(), grad);
    } finally {
      view.dispose();
    }
  }
  let values, dims, inferred;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    values = data;
    dims = shape === undefined || shape === null ? [data.length] : shapeArgs('tensor', [shape]);
    inferred = data instanceof Float32Array || data instanceof Float64Array ? 'float32' : 'int64';
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new RangeError(`tensor: shape [${dims.join(', ')}] does not fit ${data.length} values`);
    if (typeof data[0] === 'bigint') values = Array.from(data, Number);
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    values = [data];
    dims = [];
    inferred = inferDtype(values);
  } else if (Array.isArray(data)) {
    [values, dims] = flatten('tensor', data);
    inferred = inferDtype(values);
  } else {
    throw typeError('tensor', 'a number, a (nested) array, a typed array or a Tensor', data);
  }
  const name = dtype ?? floatIfGrad(inferred, requires_grad);
  const grad = gradFlag('tensor', requires_grad, name);
  const numbers = typeof values[0] === 'boolean' ? Array.from(values, Number) : values;
  return markInts(finish(fromValues(numbers, dims, name), grad), dtype === undefined && !ArrayBuffer.isView(data));
}

function filled(call, args, value) {
  const [dims, options] = splitOptions(args);
  const { dtype, requires_grad, device } = parseOptions(call, options, FACTORY_OPTIONS);
  deviceOption(call, device);
  const shape = shapeArgs(call, dims);
  const code = dtypeCode(call, dtype ?? 'float32');
  const grad = gradFlag(call, requires_grad, dtype ?? 'float32');
  return finish(made(k.k_full(code, shape.length, writeInts(call, shape), value)), grad);
}

export const zeros = (...args) => filled('zeros', args, 0);
export const ones = (...args) => filled('ones', args, 1);
export const empty = (...args) => filled('empty', args, 0);

export function full(size, fill_value, options) {
  if (typeof fill_value !== 'number' && typeof fill_value !== 'boolean') throw typeError('full', 'a number for fill_value', fill_value);
  const { dtype, requires_grad, device } = parseOptions('full', options, FACTORY_OPTIONS);
  deviceOption('full', device);
  const shape = shapeArgs('full', [size]);
  const name = dtype ?? floatIfGrad(typeof fill_value === 'boolean' ? 'bool' : Number.isInteger(fill_value) ? 'int64' : 'float32', requires_grad);
  const grad = gradFlag('full', requires_grad, name);
  return markInts(finish(made(k.k_full(dtypeCode('full', name), shape.length, writeInts('full', shape), Number(fill_value))), grad),
    dtype === undefined);
}

function like(call, input, options, make) {
  if (!(input instanceof Tensor)) throw typeError(call, 'a Tensor', input);
  input.handle; // a released input throws (its cached shape would otherwise still answer)
  const { dtype, requires_grad, device } = parseOptions(call, options, FACTORY_OPTIONS);
  deviceOption(call, device);
  gradFlag(call, requires_grad, dtype ?? input.dtype);
  return make(input.shape, { dtype: dtype ?? input.dtype, requires_grad });
}
export const zeros_like = (input, options) => like('zeros_like', input, options, (s, o) => zeros(s, o));
export const ones_like = (input, options) => like('ones_like', input, options, (s, o) => ones(s, o));
export const empty_like = (input, options) => like('empty_like', input, options, (s, o) => empty(s, o));
export const full_like = (input, value, options) => like('full_like', input, options, (s, o) => full(s, value, o));
export const rand_like = (input, options) => like('rand_like', input, options, (s, o) => rand(s, o));
export const randn_like = (input, options) => like('randn_like', input, options, (s, o) => randn(s, o));

function random(call, fn, args) {
  const [dims, options] = splitOptions(args);
  const { requires_grad, dtype, device, generator } = parseOptions(call, options, { ...FACTORY_OPTIONS, generator: undefined });
  deviceOption(call, device);
  noGenerator(call, generator);
  if (dtype !== undefined && dtypeCode(call, dtype) !== 0) throw new TypeError(`${call}: only dtype float32 is supported`);
  const shape = shapeArgs(call, dims);
  const grad = gradFlag(call, requires_grad, 'float32');
  return finish(made(fn(shape.length, writeInts(call, shape))), grad);
}
export const rand = (...args) => random('rand', k.k_rand, args);
export const randn = (...args) => random('randn', k.k_randn, args);

/** torch.randint(low = 0, high, size) */
export function randint(...args) {
  const [positional, options] = splitOptions(args);
  const { dtype, device, generator } = parseOptions('randint', options, { dtype: undefined, device: 'cpu', generator: undefined });
  deviceOption('randint', device);
  noGenerator('randint', generator);
  if (dtype !== undefined && dtype !== null) dtypeCode('randint', dtype); // checked before drawing
  let low = 0, high, size;
  if (positional.length === 2) [high, size] = positional;
  else if (positional.length === 3) [low, high, size] = positional;
  else throw new TypeError(`randint: expected (high, size) or (low, high, size), got ${positional.length} arguments`);
  checkInt('randint', 'low', low);
  checkInt('randint', 'high', high, { max: 2 ** 31 }); // exclusive: int32 values up to 2^31 - 1
  const shape = shapeArgs('randint', [size]);
  return castTo('randint', made(k.k_randint(low, high, shape.length, writeInts('randint', shape))), dtype);
}

export function randperm(n, options) {
  const { dtype, device, generator } = parseOptions('randperm', options, { dtype: undefined, device: 'cpu', generator: undefined });
  deviceOption('randperm', device);
  if (dtype !== undefined && dtype !== null) dtypeCode('randperm', dtype);
  const g = generatorPtr('randperm', generator); // a torch.Generator's own stream, as PyTorch's
  checkInt('randperm', 'n', n, { min: 0 });
  return castTo('randperm', made(g ? k.k_generator_randperm(g, n) : k.k_randperm(n)), dtype);
}

/** torch.arange(end) / arange(start, end, step = 1) */
export function arange(...args) {
  const [positional, options] = splitOptions(args);
  const { dtype, requires_grad, device } = parseOptions('arange', options, FACTORY_OPTIONS);
  deviceOption('arange', device);
  let [start, end, step = 1] = positional.length === 1 ? [0, positional[0]] : positional;
  for (const [name, v] of [['start', start], ['end', end], ['step', step]])
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError('arange', `a finite number for ${name}`, v);
  const name = dtype ?? floatIfGrad([start, end, step].every(Number.isInteger) ? 'int64' : 'float32', requires_grad);
  const grad = gradFlag('arange', requires_grad, name);
  return markInts(finish(made(k.k_arange(start, end, step, dtypeCode('arange', name))), grad), dtype === undefined);
}

export const manual_seed = strict('manual_seed(seed)', (seed) => {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > Number.MAX_SAFE_INTEGER)
    throw typeError('manual_seed', 'a non-negative integer seed', seed);
  k.k_manual_seed(seed);
  return { initial_seed: () => seed };
});
export const initial_seed = strict('initial_seed()', () => k.k_initial_seed());

/** The generator's state as bytes (torch.get_rng_state), for checkpoints. */
export const get_rng_state = strict('get_rng_state()', () => {
  const size = k.k_rng_state_size();
  const ptr = k.k_malloc(size);
  if (!ptr) raise();
  try {
    check(k.k_rng_get_state(ptr));
    return new Uint8Array(k.memory.buffer, ptr, size).slice();
  } finally {
    k.k_free(ptr);
  }
});

export const set_rng_state = strict('set_rng_state(new_state)', (state) => {
  const size = k.k_rng_state_size();
  if (!(state instanceof Uint8Array) || state.length !== size)
    throw typeError('set_rng_state', `a Uint8Array of ${size} bytes from get_rng_state()`, state);
  const ptr = k.k_malloc(size);
  if (!ptr) raise();
  try {
    new Uint8Array(k.memory.buffer, ptr, size).set(state);
    check(k.k_rng_set_state(ptr));
  } finally {
    k.k_free(ptr);
  }
});

// --- range factories (math-ops) -------------------------------------------------------

function rangeDtype(call, dtype) {
  const name = dtype ?? 'float32'; // PyTorch's default dtype, even for integer endpoints
  if (name !== 'float32' && name !== 'int64') throw new TypeError(`${call}: dtype must be float32 or int64, got ${name}`);
  return name;
}

function checkSteps(call, steps) {
  if (!Number.isInteger(steps)) throw typeError(call, 'an integer for steps', steps);
  checkInt(call, 'steps', steps, { min: 0 });
  return steps;
}

/** torch.linspace(start, end, steps, {dtype, requires_grad}) */
export function linspace(start, end, steps, options) {
  const { dtype, requires_grad, device } = parseOptions('linspace', options, FACTORY_OPTIONS);
  deviceOption('linspace', device);
  for (const [name, v] of [['start', start], ['end', end]])
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError('linspace', `a finite number for ${name}`, v);
  checkSteps('linspace', steps);
  const name = rangeDtype('linspace', dtype);
  const grad = gradFlag('linspace', requires_grad, name);
  return finish(made(k.k_linspace(start, end, steps, dtypeCode('linspace', name))), grad);
}

/** torch.logspace(start, end, steps, base = 10, {dtype, requires_grad}) */
export function logspace(start, end, steps, base = 10, options) {
  if (typeof base === 'object' && base !== null) [base, options] = [10, base];
  const { dtype, requires_grad, base: b, device } = parseOptions('logspace', options, { ...FACTORY_OPTIONS, base });
  deviceOption('logspace', device);
  for (const [name, v] of [['start', start], ['end', end], ['base', b]])
    if (typeof v !== 'number' || !Number.isFinite(v)) throw typeError('logspace', `a finite number for ${name}`, v);
  checkSteps('logspace', steps);
  const name = rangeDtype('logspace', dtype);
  const grad = gradFlag('logspace', requires_grad, name);
  return finish(made(k.k_logspace(start, end, steps, b, dtypeCode('logspace', name))), grad);
}

/** torch.eye(n, m = n, {dtype, requires_grad}) */
export function eye(n, m, options) {
  if (typeof m === 'object' && m !== null) [m, options] = [undefined, m];
  const { dtype, requires_grad, device } = parseOptions('eye', options, FACTORY_OPTIONS);
  deviceOption('eye', device);
  checkInt('eye', 'n', n, { min: 0 });
  if (m !== undefined && m !== null) checkInt('eye', 'm', m, { min: 0 });
  const name = dtype ?? 'float32';
  const grad = gradFlag('eye', requires_grad, name);
  return finish(made(k.k_eye(n, m ?? n, dtypeCode('eye', name))), grad);
}
