// serialization/tensors.js: between file bytes and kindling tensors. A reader describes
// each tensor it found as a TensorSource (element type in the file, the storage bytes,
// offset / shape / strides); `checkSource` validates one without allocating anything, and
// `materialise` then makes kindling tensors for a whole file at once, releasing every one
// it made if any allocation fails — so a failed load leaves no tensor behind.
// `tensorBytes` goes the other way for the writers. Not here: file layouts (pt.js,
// safetensors.js).
//
// Element types: floats (float64, float16, bfloat16) become float32 (float64 rounds);
// integers of every width (int64, int32, int16, int8, uint8, ...) become 'int64', whose
// values kindling keeps in 32 bits: a value outside [-2^31, 2^31) is a RangeError; bool
// stays bool.
import { check, f32, i32, k, writeInts } from '../core.js';
import { dispose } from '../memory.js';
import { wrap } from '../tensor.js';
import { fail } from './common.js';

const MAX_DIMS = 6; // K_MAX_DIMS in src/core/tensor.h

/** File element types: bytes per element and the kindling dtype they load as. */
export const ELEMENT = {
  f32: { size: 4, dtype: 'float32' },
  f64: { size: 8, dtype: 'float32' },
  f16: { size: 2, dtype: 'float32' },
  bf16: { size: 2, dtype: 'float32' },
  i64: { size: 8, dtype: 'int64' },
  u64: { size: 8, dtype: 'int64' },
  i32: { size: 4, dtype: 'int64' },
  u32: { size: 4, dtype: 'int64' },
  i16: { size: 2, dtype: 'int64' },
  u16: { size: 2, dtype: 'int64' },
  i8: { size: 1, dtype: 'int64' },
  u8: { size: 1, dtype: 'int64' },
  bool: { size: 1, dtype: 'bool' },
};
const DTYPE_CODE = { float32: 0, int64: 1, bool: 2 };

export class TensorSource {
  /**
   * type: a key of ELEMENT; bytes: the whole storage; offset: in elements; shape / stride:
   * arrays of integers (stride in elements); name: where the tensor sits, for messages.
   */
  constructor({ type, bytes, offset = 0, shape, stride, requires_grad = false, name = '' }) {
    Object.assign(this, { type, bytes, offset, shape, stride, requires_grad, name });
  }
  get pyType() { return 'Tensor'; }
}

export const contiguousStride = (shape) => {
  const stride = new Array(shape.length);
  let s = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    stride[d] = s;
    s *= shape[d];
  }
  return stride;
};

const half = new Float32Array(1);
const halfBits = new Uint32Array(half.buffer);
function bf16(bits) {
  halfBits[0] = bits << 16;
  return half[0];
}
function f16(h) {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** A reader of element i of the storage: returns a number (ints: as int32 or NaN when out of range). */
function elementReader(src) {
  const { bytes } = src;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (src.type) {
    case 'f32': return (i) => dv.getFloat32(i * 4, true);
    case 'f64': return (i) => dv.getFloat64(i * 8, true);
    case 'f16': return (i) => f16(dv.getUint16(i * 2, true));
    case 'bf16': return (i) => bf16(dv.getUint16(i * 2, true));
    case 'i64': return (i) => {
      const lo = dv.getUint32(i * 8, true), hi = dv.getInt32(i * 8 + 4, true);
      return (hi === 0 && lo < 0x80000000) || (hi === -1 && lo >= 0x80000000) ? lo | 0 : NaN;
    };
    case 'u64': return (i) => (dv.getUint32(i * 8 + 4, true) === 0 && dv.getUint32(i * 8, true) < 0x80000000 ? dv.getUint32(i * 8, true) : NaN);
    case 'i32': return (i) => dv.getInt32(i * 4, true);
    case 'u32': return (i) => { const v = dv.getUint32(i * 4, true); return v < 0x80000000 ? v : NaN; };
    case 'i16': return (i) => dv.getInt16(i * 2, true);
    case 'u16': return (i) => dv.getUint16(i * 2, true);
    case 'i8': return (i) => dv.getInt8(i);
    case 'u8': return (i) => bytes[i];
    case 'bool': return (i) => (bytes[i] ? 1 : 0);
    default: return fail(`unknown element type ${src.type}`);
  }
}

function exactValue(src, i) {
  const dv = new DataView(src.bytes.buffer, src.bytes.byteOffset, src.bytes.byteLength);
  if (src.type === 'i64') return dv.getBigInt64(i * 8, true);
  if (src.type === 'u64') return dv.getBigUint64(i * 8, true);
  return dv.getUint32(i * 4, true);
}

const isContiguous = (shape, stride) => {
  const want = contiguousStride(shape);
  return shape.every((s, d) => s === 1 || stride[d] === want[d]);
};

/** Calls fn(sourceIndex, outIndex) for every element of the view in row-major order. */
function forEachIndex(src, numel, fn) {
  const { shape, stride, offset } = src;
  if (isContiguous(shape, stride)) {
    for (let j = 0; j < numel; j++) fn(offset + j, j);
    return;
  }
  const nd = shape.length;
  const idx = new Array(nd).fill(0);
  let at = offset;
  for (let j = 0; j < numel; j++) {
    fn(at, j);
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) {
        at += stride[d];
        break;
      }
      at -= (shape[d] - 1) * stride[d];
      idx[d] = 0;
    }
  }
}

const shapeText = (shape) => `[${shape.join(', ')}]`;

/**
 * Validates a TensorSource: integer shape and strides within kindling's limits, every
 * element inside the storage, integers within kindling's 32-bit range. Returns its numel.
 */
export function checkSource(src, heapLimit = Number(k.k_heap_limit())) {
  const where = src.name ? `tensor '${src.name}'` : 'a tensor';
  const { shape, stride, offset } = src;
  const info = ELEMENT[src.type];
  if (!info) fail(`${where} has an unsupported element type ${src.type}`);
  if (shape.length > MAX_DIMS) fail(`${where} has ${shape.length} dimensions; kindling supports at most ${MAX_DIMS}`);
  if (stride.length !== shape.length) fail(`${where} has ${shape.length} sizes but ${stride.length} strides`);
  const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
  if (!shape.every((s) => isInt(s) && s >= 0 && s < 2 ** 31)) fail(`${where} has an invalid shape ${shapeText(shape)}`);
  if (!stride.every((s) => isInt(s) && s >= 0)) fail(`${where} has invalid strides ${shapeText(stride)}`);
  if (!isInt(offset) || offset < 0) fail(`${where} has an invalid storage offset ${offset}`);
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel * 4 > heapLimit) fail(`${where} of shape ${shapeText(shape)} is larger than kindling's ${heapLimit}-byte heap`);
  const storageNumel = Math.floor(src.bytes.length / info.size);
  let last = offset;
  for (let d = 0; d < shape.length; d++) last += (shape[d] - 1) * stride[d];
  if (numel > 0 ? last >= storageNumel : offset > storageNumel)
    fail(`${where} of shape ${shapeText(shape)} (offset ${offset}, strides ${shapeText(stride)}) reads past the end of its ${storageNumel}-element storage`);
  if (info.dtype === 'int64' && ['i64', 'u64', 'u32'].includes(src.type)) {
    const read = elementReader(src);
    forEachIndex(src, numel, (i) => {
      if (Number.isNaN(read(i)))
        throw new RangeError(`load: ${where} (int64) holds the value ${exactValue(src, i)}, outside the 32-bit range ` +
          `[-2147483648, 2147483647] that kindling stores int64 tensors in`);
    });
  }
  return numel;
}

/** Copies a checked source into a fresh kindling tensor's memory. */
function fill(tensor, src, numel) {
  const ptr = k.k_data(tensor.handle);
  const floats = ELEMENT[src.type].dtype === 'float32';
  if (src.type === 'f32' && isContiguous(src.shape, src.stride)) {
    // Fast path: the file's little-endian float32 bytes are the wasm heap's layout.
    new Uint8Array(k.memory.buffer, ptr, numel * 4).set(src.bytes.subarray(src.offset * 4, (src.offset + numel) * 4));
    return;
  }
  const out = floats ? f32(ptr, numel) : i32(ptr, numel);
  const read = elementReader(src);
  forEachIndex(src, numel, (i, j) => { out[j] = read(i); });
}

/**
 * Makes a kept kindling tensor for every source (a Map source -> Tensor). All sources are
 * checked first; if anything fails, every tensor made so far is released and the error
 * is rethrown, so nothing leaks.
 */
export function materialise(sources) {
  const numels = new Map();
  for (const src of sources) numels.set(src, checkSource(src));
  const made = new Map();
  try {
    for (const src of sources) {
      const { dtype } = ELEMENT[src.type];
      let t;
      try {
        t = wrap(k.k_empty(DTYPE_CODE[dtype], src.shape.length, writeInts('load', src.shape)), true);
      } catch (e) {
        throw new Error(`load: cannot allocate ${src.name ? `tensor '${src.name}'` : 'a tensor'} of shape ${shapeText(src.shape)}: ${e.message}`);
      }
      made.set(src, t);
      fill(t, src, numels.get(src));
      if (src.requires_grad && dtype === 'float32') check(k.k_set_requires_grad(t.handle, 1));
    }
  } catch (e) {
    for (const t of made.values()) dispose(t, 'torch.load failed');
    throw e;
  }
  return made;
}

/** A tensor's elements as file bytes: float32 -> F32, int64 -> I64 (sign-extended), bool -> 1 byte. */
export function tensorBytes(t) {
  const values = t.toTypedArray();
  if (t.dtype === 'float32') return { type: 'f32', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  if (t.dtype === 'bool') return { type: 'bool', bytes: Uint8Array.from(values, (v) => (v ? 1 : 0)) };
  const bytes = new Uint8Array(values.length * 8);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) {
    dv.setInt32(i * 8, values[i], true);
    dv.setInt32(i * 8 + 4, values[i] < 0 ? -1 : 0, true);
  }
  return { type: 'i64', bytes };
}

