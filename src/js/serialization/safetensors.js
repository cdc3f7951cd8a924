// serialization/safetensors.js: the safetensors format — 8 bytes of little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, ...,
// "__metadata__": {string: string}}, then the tensors' bytes (offsets relative to the end
// of the header). It holds a flat map of name -> tensor only.
//
// The reader validates like the reference (Rust) implementation before it allocates any
// tensor: header within the file, valid UTF-8 JSON object, known dtypes, integer shapes,
// each byte range matching dtype x shape, ranges in order with no overlap and no gap, and
// covering the data section exactly. Not here: nested objects (use the .pt format).
import { Tensor } from '../tensor.js';
import { fail } from './common.js';
import { contiguousStride, ELEMENT, materialise, tensorBytes, TensorSource } from './tensors.js';

const DTYPES = {
  F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16', I64: 'i64', U64: 'u64', I32: 'i32', U32: 'u32',
  I16: 'i16', U16: 'u16', I8: 'i8', U8: 'u8', BOOL: 'bool',
};
const WRITE_DTYPE = { f32: 'F32', i64: 'I64', bool: 'BOOL' };
const MAX_HEADER = 100 * 1024 * 1024; // as the reference implementation

/** True when bytes could be a safetensors file (a plausible header length, then '{'). */
export function looksLikeSafetensors(bytes) {
  if (bytes.length < 9) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getUint32(4, true) === 0 && bytes[8] === 0x7b;
}

function define(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Reads a safetensors file into a plain object name -> kept Tensor (in header order). The
 * header's "__metadata__" (string map), when present, is the result's non-enumerable
 * `__metadata__` property.
 */
export function loadSafetensors(bytes) {
  if (bytes.length < 8) fail(`the safetensors file is truncated (${bytes.length} bytes; its header length alone needs 8)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (n > bytes.length - 8)
    fail(`the safetensors header length ${n} is larger than the file (${bytes.length} bytes)`);
  if (n > MAX_HEADER) fail(`the safetensors header length ${n} exceeds the ${MAX_HEADER}-byte limit`);
  let header;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    fail(`the safetensors header is not valid UTF-8 JSON (${e.message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the safetensors header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const entries = [];
  let metadata = null;
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      if (info === null) continue;
      if (typeof info !== 'object' || Array.isArray(info) || !Object.values(info).every((v) => typeof v === 'string'))
        fail('the safetensors __metadata__ must map strings to strings');
      metadata = info;
      continue;
    }
    const where = `safetensors tensor '${name}'`;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${where} is not described by an object`);
    const { dtype, shape, data_offsets: offsets } = info;
    if (typeof dtype !== 'string' || !Object.hasOwn(DTYPES, dtype))
      fail(`${where} has unsupported dtype ${JSON.stringify(dtype)}; kindling reads ${Object.keys(DTYPES).join(', ')}`);
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      fail(`${where} has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1])
      fail(`${where} has invalid data_offsets ${JSON.stringify(offsets)}`);
    const type = DTYPES[dtype];
    const need = shape.reduce((a, b) => a * b, 1) * ELEMENT[type].size;
    if (offsets[1] - offsets[0] !== need)
      fail(`${where} (${dtype}, shape [${shape.join(', ')}]) needs ${need} bytes but its data_offsets [${offsets.join(', ')}] span ${offsets[1] - offsets[0]}`);
    if (offsets[1] > data.length)
      fail(`${where} has data_offsets [${offsets.join(', ')}] beyond the ${data.length}-byte data section`);
    entries.push({ name, type, shape, offsets });
  }
  // The byte ranges must tile the data section: in order, no overlap, no gap, no tail.
  const sorted = [...entries].sort((a, b) => a.offsets[0] - b.offsets[0] || a.offsets[1] - b.offsets[1]);
  let end = 0;
  for (const e of sorted) {
    if (e.offsets[0] < end) fail(`safetensors tensor '${e.name}' overlaps another tensor's bytes (data_offsets [${e.offsets.join(', ')}])`);
    if (e.offsets[0] > end) fail(`the safetensors data section has unused bytes ${end}..${e.offsets[0]} before tensor '${e.name}'`);
    end = e.offsets[1];
  }
  if (end !== data.length) fail(`the safetensors data section is ${data.length} bytes but its tensors cover ${end}`);
  const sources = entries.map(({ name, type, shape, offsets }) => new TensorSource({
    type, bytes: data.subarray(offsets[0], offsets[1]), shape, stride: contiguousStride(shape), name,
  }));
  const tensors = materialise(sources);
  const out = {};
  entries.forEach((e, i) => define(out, e.name, tensors.get(sources[i])));
  if (metadata) Object.defineProperty(out, '__metadata__', { value: { ...metadata }, enumerable: false, configurable: true });
  return out;
}

/**
 * Writes a flat object (or Map) of name -> Tensor as safetensors; `metadata` is an
 * optional object of string -> string. Tensor bytes are laid out widest element first so
 * that every tensor is aligned to its element size, and the header is padded with spaces
 * to a multiple of 8 bytes, as the reference writer does.
 */
export function saveSafetensors(obj, metadata) {
  const isPlain = obj !== null && typeof obj === 'object' && !Array.isArray(obj) && !(obj instanceof Tensor) &&
    (obj instanceof Map || [Object.prototype, null].includes(Object.getPrototypeOf(obj)));
  if (!isPlain) throw new TypeError("save: format 'safetensors' stores an object of name -> Tensor; use {format: 'pt'} for other values");
  const entries = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
  for (const [name, value] of entries) {
    if (typeof name !== 'string') throw new TypeError(`save: safetensors tensor names must be strings, got ${typeof name}`);
    if (name === '__metadata__') throw new TypeError("save: '__metadata__' is reserved in safetensors; pass {metadata} instead");
    if (!(value instanceof Tensor)) {
      const what = value !== null && typeof value === 'object' ? 'a nested object' : `a ${typeof value}`;
      throw new TypeError(`save: format 'safetensors' holds only a flat map of name -> Tensor, but '${name}' is ${what}; ` +
        "save nested objects such as optimizer state_dicts with {format: 'pt'}");
    }
  }
  if (metadata !== undefined && metadata !== null &&
    (typeof metadata !== 'object' || !Object.values(metadata).every((v) => typeof v === 'string')))
    throw new TypeError('save: safetensors metadata must be an object of string -> string');
  const tensors = entries.map(([name, t]) => {
    let data;
    try {
      data = tensorBytes(t);
    } catch (e) {
      throw new Error(`save: cannot read the tensor '${name}': ${e.message}`);
    }
    return { name, shape: t.shape, ...data };
  });
  const order = [...tensors].sort((a, b) => ELEMENT[b.type].size - ELEMENT[a.type].size);
  let offset = 0;
  const offsets = new Map();
  for (const t of order) {
    offsets.set(t, [offset, offset + t.bytes.length]);
    offset += t.bytes.length;
  }
  const header = {};
  if (metadata) header.__metadata__ = { ...metadata };
  for (const t of tensors) define(header, t.name, { dtype: WRITE_DTYPE[t.type], shape: t.shape, data_offsets: offsets.get(t) });
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  out.fill(0x20, 8, 8 + padded);
  out.set(json, 8);
  new DataView(out.buffer).setUint32(0, padded, true);
  let at = 8 + padded;
  for (const t of order) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  json = null;
  return out;
}
