// core.js: the one wasm instance and the small helpers every other module uses to talk to
// it — typed views on its memory, the scratch buffer for shapes, and error translation.
import wasmBase64 from './kindling-wasm.js';

function decodeBase64(text) {
  if (typeof Buffer !== 'undefined') return Buffer.from(text, 'base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const { instance } = await WebAssembly.instantiate(decodeBase64(wasmBase64), {
  // Views are re-made from memory.buffer on every access, so growth needs no bookkeeping.
  env: { emscripten_notify_memory_growth() {} },
});
instance.exports._initialize?.();

/** The raw exports of the kindling core (see src/kindling.h). */
export const k = instance.exports;
const memory = k.memory;

export const f32 = (ptr, n) => new Float32Array(memory.buffer, ptr, n);
export const i32 = (ptr, n) => new Int32Array(memory.buffer, ptr, n);
export const heapBytes = () => memory.buffer.byteLength;

const scratchPtr = k.k_scratch();
export const scratch = () => i32(scratchPtr, 256);
export const SCRATCH = scratchPtr;

/**
 * writeInts(call, values): writes a list of ints into the scratch buffer and returns its
 * address. An Int32Array store wraps silently (2**32 + 3 becomes 3, 1e300 becomes 0), so
 * every value is checked to be an int32 first: a RangeError naming the call otherwise.
 */
export function writeInts(call, values, offset = 0) {
  if (values.length > 256 - offset) throw new RangeError(`${call}: too many integers (${values.length}) for one call`);
  for (const v of values)
    if (!(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647))
      throw new RangeError(`${call}: ${typeof v === 'number' ? v : String(v)} is not an integer the core can take ` +
        '(sizes, dims and indices must lie in [-2147483648, 2147483647])');
  const view = scratch();
  for (let i = 0; i < values.length; i++) view[offset + i] = values[i];
  return scratchPtr + offset * 4;
}

const decoder = new TextDecoder();
export function cString(ptr) {
  const bytes = new Uint8Array(memory.buffer, ptr);
  let end = 0;
  while (bytes[end] !== 0) end++;
  return decoder.decode(bytes.subarray(0, end));
}

/**
 * JavaScript cannot tell 1.0 from 1, so a tensor made from an all-integer JS array is int64
 * (as in PyTorch) where the user may have meant floats. Such tensors, and int64 results
 * computed from them, are marked (Tensor._fromInts); the handle getter records that a marked
 * tensor is going into the next core call, so that a dtype error from that call says why the
 * tensor is int64 and how to make it float32.
 */
export const intOrigin = { touched: false };
export const INT_ARRAY_HINT = ' (an int64 tensor made from a JS array of integers: JavaScript cannot tell 1.0 from 1, ' +
  'so all-integer data gives int64 as in PyTorch; pass {dtype: torch.float32} to torch.tensor, or call .float())';

/** The hint for a dtype error the shim itself raises about tensor t ('' unless t is marked). */
export const intArrayHint = (t) => (t && t._fromInts ? INT_ARRAY_HINT : '');

/** Throws the core's last error as the JS error class that fits its status. */
export function raise(status = k.k_error_status()) {
  let message = cString(k.k_error_message());
  if (intOrigin.touched && status === -1 && message.includes('int64')) message += INT_ARRAY_HINT;
  intOrigin.touched = false;
  if (status === -1) throw new TypeError(message);
  if (status === -2 || status === -4) throw new RangeError(message);
  throw new Error(message);
}

/** Returns r when it is a handle or OK status, else throws the core's error. */
export function check(r) {
  if (r < 0) raise(r);
  intOrigin.touched = false;
  return r;
}
