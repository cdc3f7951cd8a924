// datasets/idx.js: the IDX format of MNIST, Fashion-MNIST, KMNIST and EMNIST
// (http://yann.lecun.com/exdb/mnist/): a 4-byte magic (0, 0, type code, number of dims),
// the dims as big-endian uint32, then the elements, big-endian, row-major.
// readIdx takes the file gzipped or not and rejects anything that is not exactly one IDX
// array (wrong magic, unknown type, truncated header or data, trailing bytes). writeIdx is
// its inverse (uncompressed; gzip the result yourself if you want).
// Not here: any tensor (the result is typed arrays; MNIST builds samples from them).
import { strict } from '../args.js';
import { gunzip, isGzip, toBytes } from './bytes.js';

const TYPES = {
  0x08: ['uint8', Uint8Array],
  0x09: ['int8', Int8Array],
  0x0b: ['int16', Int16Array],
  0x0c: ['int32', Int32Array],
  0x0d: ['float32', Float32Array],
  0x0e: ['float64', Float64Array],
};
const CODES = Object.fromEntries(Object.entries(TYPES).map(([code, [name]]) => [name, Number(code)]));

/** parseIdx(bytes) -> {dtype, shape, data}: uncompressed IDX bytes. */
export const parseIdx = strict('parseIdx(bytes)', (bytes) => decodeIdx(bytes, 'parseIdx'));

/** Parses uncompressed IDX bytes; throws an Error naming the defect. */
function decodeIdx(bytes, call) {
  bytes = toBytes(call, bytes);
  if (bytes.length < 4) throw new Error(`${call}: truncated IDX data: ${bytes.length} bytes, a header needs at least 4`);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    throw new Error(`${call}: not an IDX file: the magic number starts with 0x${hex(bytes[0])} 0x${hex(bytes[1])}, expected 0x00 0x00`);
  const type = TYPES[bytes[2]];
  if (!type) throw new Error(`${call}: unknown IDX element type 0x${hex(bytes[2])} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const [dtype, Ctor] = type;
  const ndim = bytes[3];
  if (ndim === 0) throw new Error(`${call}: an IDX array with 0 dimensions is not supported`);
  const header = 4 + 4 * ndim;
  if (bytes.length < header)
    throw new Error(`${call}: truncated IDX header: ${ndim} dimensions need ${header} bytes, the data has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = [];
  let count = 1;
  for (let d = 0; d < ndim; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    shape.push(size);
    count *= size;
  }
  const expected = header + count * Ctor.BYTES_PER_ELEMENT;
  if (!Number.isSafeInteger(expected) || count > 2 ** 31)
    throw new Error(`${call}: IDX dims [${shape.join(', ')}] describe more data than can be loaded`);
  if (bytes.length < expected)
    throw new Error(`${call}: truncated IDX data: dims [${shape.join(', ')}] of ${dtype} need ${expected} bytes, the data has ${bytes.length}`);
  if (bytes.length > expected)
    throw new Error(`${call}: IDX dims [${shape.join(', ')}] of ${dtype} need ${expected} bytes, but the data has ${bytes.length} ` +
      `(${bytes.length - expected} bytes too many): the dims do not match the data`);
  let data;
  if (Ctor.BYTES_PER_ELEMENT === 1) {
    data = new Ctor(bytes.buffer.slice(bytes.byteOffset + header, bytes.byteOffset + expected));
  } else {
    data = new Ctor(count);
    const size = Ctor.BYTES_PER_ELEMENT;
    const get = { 2: 'getInt16', 4: dtype === 'float32' ? 'getFloat32' : 'getInt32', 8: 'getFloat64' }[size];
    for (let i = 0; i < count; i++) data[i] = view[get](header + i * size, false);
  }
  return { dtype, shape, data };
}

/** await readIdx(bytes) -> {dtype, shape, data}: IDX bytes, gzipped or not. */
export const readIdx = strict('readIdx(bytes)', async (bytes) => {
  bytes = toBytes('readIdx', bytes);
  return decodeIdx(isGzip(bytes) ? await gunzip('readIdx', bytes) : bytes, 'readIdx');
});

/** writeIdx({dtype, shape, data}) -> Uint8Array: uncompressed IDX bytes. dtype defaults from data. */
export const writeIdx = strict('writeIdx(array: any)', ({ dtype, shape, data }) => {
  if (!ArrayBuffer.isView(data)) throw new TypeError('writeIdx: data must be a typed array');
  dtype ??= Object.values(TYPES).find(([, C]) => data instanceof C)?.[0];
  const code = CODES[dtype];
  if (code === undefined) throw new TypeError(`writeIdx: unsupported dtype ${JSON.stringify(dtype)}; IDX has ${Object.keys(CODES).join(', ')}`);
  if (!Array.isArray(shape) || !shape.length || shape.length > 255 || !shape.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 32))
    throw new TypeError(`writeIdx: shape must be 1 to 255 non-negative integer dims, got ${JSON.stringify(shape)}`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`writeIdx: shape [${shape.join(', ')}] holds ${count} elements, data has ${data.length}`);
  const Ctor = TYPES[code][1];
  const size = Ctor.BYTES_PER_ELEMENT;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  if (size === 1) out.set(new Uint8Array(data.buffer, data.byteOffset, count), header);
  else {
    const set = { 2: 'setInt16', 4: dtype === 'float32' ? 'setFloat32' : 'setInt32', 8: 'setFloat64' }[size];
    for (let i = 0; i < count; i++) view[set](header + i * size, data[i], false);
  }
  return out;
});

function hex(b) {
  return b.toString(16).padStart(2, '0');
}
