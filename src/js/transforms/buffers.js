// transforms/buffers.js: the typed-array <-> tensor helpers that kindling/transforms,
// kindling/datasets and torch.utils.data share. Tensors made here are step-scoped, like
// the result of any op (README, "Memory"): data made per sample or per batch inside a loop
// is released two loop turns later with no dispose calls. (Before the first loop event
// they are kept, as everything made during setup is.)
// Not here: argument checks users see (the callers do them) and kept tensors
// (torch.tensor makes those).
import { k, raise, writeInts } from '../core.js';
import { Tensor, wrap } from '../tensor.js';

export const FLOAT32 = 0;
export const INT64 = 1;
export const BOOL = 2;

/** A new step-scoped tensor of the given shape and dtype code, contents unset. */
export function emptyTensor(shape, code = FLOAT32) {
  if (shape.length > 6) throw new RangeError(`at most 6 dimensions are supported, got shape [${shape.join(', ')}]`);
  return wrap(k.k_empty(code, shape.length, writeInts('transforms', shape)));
}

/**
 * A live view of a tensor's elements: Float32Array for float32, Int32Array for int64 and
 * bool (stored as int32). Valid until the next allocation in the core (the heap may grow
 * and detach the buffer): make it, use it, drop it.
 */
export function dataView(t) {
  const n = t.numel();
  if (n === 0) return t._dtype === FLOAT32 ? new Float32Array(0) : new Int32Array(0);
  const ptr = k.k_data(t.handle);
  if (!ptr) raise();
  return t._dtype === FLOAT32 ? new Float32Array(k.memory.buffer, ptr, n) : new Int32Array(k.memory.buffer, ptr, n);
}

/** A step-scoped tensor filled from an array-like of numbers (length = numel). */
export function scopedTensor(values, shape, code = FLOAT32) {
  const t = emptyTensor(shape, code);
  if (values.length) dataView(t).set(values);
  return t;
}

export const isTensor = (x) => x instanceof Tensor;
