// serialization/index.js: torch.save and torch.load, in PyTorch's .pt format (what torch.save
// writes since PyTorch 1.6: a zip holding a pickle and raw tensor storages) and in
// safetensors. Files written here load in PyTorch (torch.load, including
// weights_only=True); files PyTorch writes of state_dicts, optimizer state_dicts and dicts
// of tensors load here. Loading never executes anything from the file: the pickle reader
// allows a fixed set of opcodes and globals (see pickle.js, pt.js).
//
//   torch.save(obj)                          -> Uint8Array, the .pt bytes (sync)
//   torch.save(obj, {format: 'safetensors'}) -> Uint8Array (format 'pt' | 'safetensors')
//   torch.save(obj, 'model.pt')              -> Promise: Node writes the file; a browser page
//                                               downloads it as model.pt. A path ending in
//                                               .safetensors picks that format.
//   torch.load(bytes)                        -> the object (sync); bytes: Uint8Array, Buffer,
//                                               ArrayBuffer or another typed array / DataView
//   torch.load('model.pt')                   -> Promise: Node reads the file; a browser fetches the URL
//   torch.load(file)                         -> Promise, for a File / Blob (an <input type=file>)
//                                               or a fetch Response
//   download(obj, 'model.pt', {format})      -> browser only: offers the file as a download
//
// What comes back: plain objects for dicts and OrderedDicts (insertion order kept, except
// that JavaScript lists integer-like keys such as "0" first, ascending), arrays for lists
// and tuples, numbers / booleans / strings / null, and kept kindling Tensors (yours until
// dispose()). Dtypes: float32 stays float32; float64, float16 and bfloat16 become float32
// (float64 rounds); every integer type (int64, int32, uint8, ...) becomes 'int64', whose
// values must fit in 32 bits (a RangeError otherwise); bool stays bool. Views (a storage
// offset, any non-negative strides) are copied into contiguous tensors. Python ints beyond
// 2^53 come back as BigInt. A safetensors file's "__metadata__" is the result's
// non-enumerable __metadata__ property.
//
// What save accepts: Tensors, numbers (integers are written as Python ints, others as
// floats), bigints, booleans, strings, null / undefined (None), arrays (lists), Maps and
// plain objects (dicts; an object whose values are all Tensors — a state_dict — is written
// as collections.OrderedDict, as Module.state_dict() returns in PyTorch). In an optimizer
// state_dict the keys of `state` become ints, as PyTorch's optimizers expect. safetensors
// holds a flat map of name -> Tensor (plus {metadata} of strings) only: nested objects are
// a TypeError pointing to format 'pt' (flatten them yourself if you need safetensors).
//
// Errors: every problem with a file is an Error whose message starts with "load:" and says
// what is wrong; a failed load leaves no tensors behind.
import { isOptions, parseOptions, typeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { FormatError, fail } from './common.js';
import { download as downloadBytes, readBlob, readFrom, writeTo } from './node.js';
import { loadPt, savePt } from './pt.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';

const FORMATS = ['pt', 'safetensors'];

function serialize(call, obj, f, options) {
  const { format, metadata } = parseOptions(call, options, { format: undefined, metadata: undefined });
  const fmt = format ?? (typeof f === 'string' && /\.safetensors$/i.test(f) ? 'safetensors' : 'pt');
  if (!FORMATS.includes(fmt)) throw new TypeError(`${call}: unknown format ${JSON.stringify(fmt)}; use 'pt' or 'safetensors'`);
  if (metadata !== undefined && fmt !== 'safetensors') throw new TypeError(`${call}: metadata is only stored by format 'safetensors'`);
  if (obj !== null && (typeof obj === 'object' || typeof obj === 'function') && !(obj instanceof Tensor) &&
    typeof obj.state_dict === 'function')
    throw new TypeError(`${call}: cannot save a whole ${obj.constructor?.name ?? 'object'} (PyTorch would pickle its class); ` +
      'save its state_dict() and restore it with load_state_dict(torch.load(...))');
  return fmt === 'pt' ? savePt(obj) : saveSafetensors(obj, metadata);
}

/** torch.save(obj[, f][, {format, metadata}]): see the top of this file. */
export function save(obj, f, options) {
  if (options === undefined && isOptions(f)) [f, options] = [undefined, f];
  if (f === undefined) return serialize('save', obj, f, options);
  if (typeof f !== 'string') throw typeError('save', 'a path string or an options object', f);
  return (async () => writeTo(f, serialize('save', obj, f, options)))();
}

/** Browser: torch.download(obj, 'model.pt', {format}) offers the saved file as a download. */
export function download(obj, filename, options) {
  if (typeof filename !== 'string') throw typeError('download', 'a file name', filename);
  downloadBytes(serialize('download', obj, filename, options), filename);
}

function asBytes(f) {
  if (f instanceof Uint8Array) return f;
  if (f instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && f instanceof SharedArrayBuffer)) return new Uint8Array(f);
  if (ArrayBuffer.isView(f)) return new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
  throw typeError('load', 'bytes (Uint8Array, ArrayBuffer), a path / URL string, or a File / Blob', f);
}

/** Detects the format and reads it; anything unexpected is rewrapped as a "load:" Error. */
export function loadBytes(bytes) {
  try {
    if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5)) return loadPt(bytes);
    if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5)
      fail('this is a legacy (PyTorch < 1.6) or plain pickle file; re-save it with torch.save in PyTorch >= 1.6, ' +
        'which writes the zip format');
    return loadSafetensors(bytes);
  } catch (e) {
    if (e instanceof FormatError || (e instanceof Error && e.message.startsWith('load:'))) throw e;
    throw new Error(`load: the file is corrupt or unsupported (${e?.name}: ${e?.message})`, { cause: e });
  }
}

/** torch.load(f[, {map_location, weights_only}]): see the top of this file. */
export function load(f, options) {
  const { map_location } = parseOptions('load', options, { map_location: undefined, weights_only: undefined });
  // Only the CPU exists here; weights_only is always in effect (nothing is ever executed).
  if (map_location !== undefined && map_location !== null && map_location !== 'cpu')
    throw new TypeError(`load: map_location ${JSON.stringify(map_location)} is not available; kindling has only 'cpu'`);
  if (typeof f === 'string') return readFrom(f).then(loadBytes);
  if (f !== null && typeof f === 'object' && !ArrayBuffer.isView(f) && typeof f.arrayBuffer === 'function')
    return readBlob(f).then(loadBytes);
  return loadBytes(asBytes(f));
}
