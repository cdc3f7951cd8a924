// functions.js: the torch.* functions that mirror Tensor methods, grad-mode control
// (torch.no_grad, enable_grad, set_grad_enabled) and torch.memory_stats().
import { heapBytes, k } from './core.js';
import { strict } from './args.js';
import { checkInt, typeError } from './errors.js';
import { currentStep, stepEvent, scopedCount } from './memory.js';
import { Tensor, wrap } from './tensor.js';

function tensorArg(call, t) {
  if (!(t instanceof Tensor)) throw typeError(call, 'a Tensor for input', t);
  return t;
}

const method = (name) => (input, ...args) => tensorArg(name, input)[name](...args);

export const add = method('add');
export const sub = method('sub');
export const mul = method('mul');
export const div = method('div');
export const neg = method('neg');
export const exp = method('exp');
export const log = method('log');
export const sqrt = method('sqrt');
export const abs = method('abs');
export const relu = method('relu');
export const sigmoid = method('sigmoid');
export const tanh = method('tanh');
export const matmul = method('matmul');
export const mm = method('mm');
export const sum = method('sum');
export const mean = method('mean');
export const softmax = method('softmax');
export const log_softmax = method('log_softmax');
export const reshape = method('reshape');
export const flatten = method('flatten');
export const squeeze = method('squeeze');
export const unsqueeze = method('unsqueeze');
export const transpose = method('transpose');
export const permute = method('permute');
export const clone = method('clone');
export const detach = method('detach');
export const eq = method('eq');
export const ne = method('ne');
export const gt = method('gt');
export const lt = method('lt');
export const ge = method('ge');
export const le = method('le');

export const index_select = method('index_select');
export const narrow = method('narrow');
export const select = method('select');
export const gather = method('gather');
export const scatter = method('scatter');
export const scatter_add = method('scatter_add');
export const index_put = method('index_put');
export const masked_fill = method('masked_fill');
export const nonzero = method('nonzero');

/** torch.cat(tensors, dim = 0) */
export const cat = strict('cat(tensors, dim=0)', (tensors, dim = 0) => {
  if (!Array.isArray(tensors)) throw typeError('cat', 'an array of Tensors', tensors);
  tensors.forEach((t) => tensorArg('cat', t));
  if (!Number.isInteger(dim)) throw typeError('cat', 'an integer dim', dim);
  checkInt('cat', 'dim', dim); // beyond int32 it would wrap around in the core
  const handles = tensors.map((t) => t.handle);
  const ptr = k.k_malloc(Math.max(handles.length, 1) * 4);
  try {
    new Int32Array(k.memory.buffer, ptr, handles.length).set(handles);
    return wrap(k.k_cat(handles.length, ptr, dim));
  } finally {
    k.k_free(ptr);
  }
});
export const concat = cat;

/** torch.stack(tensors, dim = 0): joins along a new dim. */
export const stack = strict('stack(tensors, dim=0)', (tensors, dim = 0) => {
  if (!Array.isArray(tensors) || !tensors.length) throw typeError('stack', 'a non-empty array of Tensors', tensors);
  tensors.forEach((t) => tensorArg('stack', t));
  const shape = tensors[0].shape.join();
  tensors.forEach((t, i) => {
    if (t.shape.join() !== shape)
      throw new Error(`stack: expects each tensor to be equal size, but got [${tensors[0].shape}] at entry 0 and [${t.shape}] at entry ${i}`);
  });
  return cat(tensors.map((t) => t.unsqueeze(dim)), dim);
});

export const is_tensor = strict('is_tensor(obj)', (x) => x instanceof Tensor);
export const numel = strict('numel(input)', (t) => tensorArg('numel', t).numel());

let noGradDepth = 0;

function withGradMode(call, enabled, fn) {
  if (typeof fn !== 'function') throw typeError(call, 'a function to run', fn);
  const before = k.k_grad_enabled();
  k.k_set_grad_enabled(enabled ? 1 : 0);
  noGradDepth++;
  const restore = () => {
    k.k_set_grad_enabled(before);
    if (--noGradDepth === 0) stepEvent('no_grad');
  };
  let result;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (result && typeof result.then === 'function') return result.finally(restore);
  restore();
  return result;
}

/** torch.no_grad(fn): runs fn without recording a graph and returns its result. */
export const no_grad = strict('no_grad(fn)', (fn) => withGradMode('no_grad', false, fn));
export const enable_grad = strict('enable_grad(fn)', (fn) => withGradMode('enable_grad', true, fn));
export const inference_mode = strict('inference_mode(fn)', (fn) => withGradMode('inference_mode', false, fn));
export const is_grad_enabled = strict('is_grad_enabled()', () => k.k_grad_enabled() === 1);
export const set_grad_enabled = strict('set_grad_enabled(mode)', (mode) => {
  if (typeof mode !== 'boolean') throw typeError('set_grad_enabled', 'a boolean', mode);
  k.k_set_grad_enabled(mode ? 1 : 0);
});

/** Live tensors and bytes in the core, and the wasm heap size. */
export const memory_stats = strict('memory_stats()', () => ({
    live_tensors: k.k_live_tensors(),
    live_bytes: k.k_live_bytes(),
    live_handles: k.k_live_handles(),
    scoped_tensors: scopedCount(),
    heap_bytes: heapBytes(),
    heap_limit: k.k_heap_limit(),
    step: currentStep(),
}));
