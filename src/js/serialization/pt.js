// serialization/pt.js: PyTorch's .pt format (torch.save since 1.6) — a zip archive holding
// `<archive>/data.pkl` (a pickle whose tensors refer to storages by persistent id
// ('storage', torch.FloatStorage, key, 'cpu', numel)), one entry `<archive>/data/<key>` per
// storage (raw little-endian elements) and `<archive>/version`.
//
// Reading allows exactly these pickle globals, and nothing is ever executed:
//   collections.OrderedDict                      -> a plain object (insertion order kept)
//   torch._utils._rebuild_tensor_v2              -> a tensor (any offset / strides; views are copied)
//   torch._utils._rebuild_parameter              -> a tensor (requires_grad as saved)
//   torch.{Float,Double,Half,BFloat16,Long,Int,Short,Char,Byte,Bool}Storage  (storage types only)
// Any other global (os.system, builtins.eval, a model class from torch.save(model), ...)
// is an Error naming it. A state_dict's `_metadata` (module versions, kept by PyTorch as an
// attribute of the OrderedDict) is dropped; storage locations ('cuda:0', ...) are ignored,
// as map_location='cpu' would. Reading also accepts PyTorch 2.x archives (`byteorder`,
// `.data/serialization_id` entries; the optional 7th _rebuild_tensor_v2 argument). Not here: the legacy pre-1.6 tar/pickle format, TorchScript
// archives (torch.jit.save), quantized / sparse tensors — all rejected with a clear Error.
import { Tensor } from '../tensor.js';
import { fail } from './common.js';
import { Dict, Global, Pickler, pyType, Tuple, unpickle } from './pickle.js';
import { contiguousStride, ELEMENT, materialise, tensorBytes, TensorSource } from './tensors.js';
import { readZip, writeZip } from './zip.js';

const STORAGES = {
  FloatStorage: 'f32', DoubleStorage: 'f64', HalfStorage: 'f16', BFloat16Storage: 'bf16', LongStorage: 'i64',
  IntStorage: 'i32', ShortStorage: 'i16', CharStorage: 'i8', ByteStorage: 'u8', BoolStorage: 'bool',
};
const WRITE_STORAGE = { f32: 'FloatStorage', i64: 'LongStorage', bool: 'BoolStorage' };

class StorageType extends Global {
  constructor(name) {
    super('torch', name);
    this.type = STORAGES[name];
  }
}

class StorageRef {
  constructor(type, key, numel) {
    Object.assign(this, { type, key, numel, bytes: null });
  }
  get pyType() { return 'storage'; }
}

const OrderedDict = new Global('collections', 'OrderedDict');
const REBUILD_TENSOR = new Global('torch._utils', '_rebuild_tensor_v2');
const REBUILD_PARAMETER = new Global('torch._utils', '_rebuild_parameter');

function findGlobal(module, name) {
  if (module === 'collections' && name === 'OrderedDict') return OrderedDict;
  if (module === 'torch._utils' && name === '_rebuild_tensor_v2') return REBUILD_TENSOR;
  if (module === 'torch._utils' && name === '_rebuild_parameter') return REBUILD_PARAMETER;
  if (module === 'torch' && Object.hasOwn(STORAGES, name)) return new StorageType(name);
  return fail(`pickle global '${module}.${name}' is not allowed; kindling loads only tensors, numbers, strings, ` +
    'lists, tuples and dicts (save model.state_dict(), not the model object)');
}

const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
const intTuple = (v) => v instanceof Tuple && v.every(isInt);

/** The pickle hooks: build plain values for the allowed globals, refuse everything else. */
function hooks() {
  const storages = new Map(); // key -> StorageRef (PyTorch shares storages by key)
  return {
    storages,
    global: findGlobal,
    persistentLoad(pid) {
      if (!(pid instanceof Tuple) || pid.length !== 5 || pid[0] !== 'storage')
        fail(`unsupported persistent id in data.pkl (a ${pyType(pid)}; expected ('storage', type, key, location, numel))`);
      const [, type, key, location, numel] = pid;
      if (!(type instanceof StorageType)) fail(`persistent id names storage type ${pyType(type)}`);
      if (typeof key !== 'string' || typeof location !== 'string' || !isInt(numel) || numel < 0)
        fail('malformed storage persistent id in data.pkl');
      let ref = storages.get(key);
      if (!ref) storages.set(key, (ref = new StorageRef(type.type, key, numel)));
      else if (ref.type !== type.type || ref.numel !== numel) fail(`storage '${key}' is described twice, differently`);
      return ref;
    },
    reduce(callable, args) {
      if (callable === OrderedDict) {
        const d = new Dict(true);
        if (args.length === 0) return d;
        if (args.length === 1 && Array.isArray(args[0])) {
          for (const pair of args[0]) {
            if (!(pair instanceof Tuple) || pair.length !== 2) fail('OrderedDict() argument is not a list of pairs');
            d.set(pair[0], pair[1]);
          }
          return d;
        }
        return fail('unsupported OrderedDict() arguments in data.pkl');
      }
      if (callable === REBUILD_TENSOR) {
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
        const [storage, offset, size, stride, requires_grad, backwardHooks, metadata] = args;
        if (args.length < 6 || args.length > 7 || !(storage instanceof StorageRef) || !isInt(offset) ||
          !intTuple(size) || !intTuple(stride) || typeof requires_grad !== 'boolean' || !(backwardHooks instanceof Dict))
          fail('malformed _rebuild_tensor_v2 arguments in data.pkl');
        if (metadata !== undefined && metadata !== null && !(metadata instanceof Dict && metadata.map.size === 0))
          fail('tensors with extra metadata (conjugate / negative bits) are not supported');
        return new TensorSource({ type: storage.type, bytes: storage, offset, shape: [...size], stride: [...stride], requires_grad });
      }
      if (callable === REBUILD_PARAMETER) {
        const [data, requires_grad] = args;
        if (args.length !== 3 || !(data instanceof TensorSource) || typeof requires_grad !== 'boolean')
          fail('malformed _rebuild_parameter arguments in data.pkl');
        return new TensorSource({ ...data, requires_grad });
      }
      return fail(`pickle calls ${pyType(callable)}, which is not allowed`);
    },
    build(obj, state) {
      // OrderedDict.__reduce__ puts the instance __dict__ (state_dict()._metadata) here.
      if (obj instanceof Dict && obj.ordered && state instanceof Dict) obj.state = state;
      else fail(`pickle BUILD on a ${pyType(obj)} is not allowed`);
    },
  };
}

function keyString(key) {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  if (typeof key === 'boolean') return key ? 'True' : 'False';
  if (key === null) return 'None';
  return fail(`dict key of type ${pyType(key)} is not supported`);
}

function define(obj, key, value) {
  // defineProperty, so that a key named "__proto__" stays an ordinary key.
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Converts unpickled values to plain JS (dicts -> objects, tuples -> arrays); tensors stay sources. */
const MAX_DEPTH = 1000; // nesting a checkpoint never needs; deeper would overflow the JS stack

function toPlain(value, sources) {
  const seen = new Map();
  const convert = (v, path, depth = 0) => {
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    if (depth > MAX_DEPTH) fail(`the pickle nests containers more than ${MAX_DEPTH} levels deep`);
    if (v instanceof TensorSource) {
      if (!v.name) v.name = path || '<root>';
      sources.add(v);
      return v;
    }
    if (Array.isArray(v)) {
      const out = [];
      seen.set(v, out);
      v.forEach((item, i) => out.push(convert(item, path ? `${path}.${i}` : String(i), depth + 1)));
      return out;
    }
    if (v instanceof Dict) {
      const out = {};
      seen.set(v, out);
      for (const [key, item] of v.entries()) {
        const name = keyString(key);
        define(out, name, convert(item, path ? `${path}.${name}` : name, depth + 1));
      }
      return out;
    }
    return fail(`the pickle leaves a ${pyType(v)} in the result, which kindling cannot represent`);
  };
  return convert(value, '');
}

/** Replaces tensor sources by their tensors inside the converted tree. */
function substitute(value, tensors) {
  const done = new Set();
  const walk = (v) => {
    if (v instanceof TensorSource) return tensors.get(v);
    if (v === null || typeof v !== 'object' || done.has(v)) return v;
    done.add(v);
    for (const key of Object.keys(v)) v[key] = walk(v[key]);
    return v;
  };
  return walk(value);
}

/** Reads a .pt archive (bytes) into plain JS values with kept kindling tensors. */
export function loadPt(bytes) {
  const zip = readZip(bytes);
  const pkl = zip.names.filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pkl.length !== 1) {
    if (zip.names.some((n) => /(^|\/)constants\.pkl$/.test(n)))
      fail('this is a TorchScript archive (torch.jit.save); kindling loads torch.save files of state_dicts');
    fail(pkl.length ? 'the archive holds more than one data.pkl' : "the zip archive is not a PyTorch file (it has no '<name>/data.pkl')");
  }
  const prefix = pkl[0].slice(0, -'data.pkl'.length);
  if (zip.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(zip.read(`${prefix}byteorder`)).trim();
    if (order !== 'little') fail(`the archive's tensors are stored ${order}-endian; kindling reads little-endian files only`);
  }
  const h = hooks();
  const root = unpickle(zip.read(pkl[0]), h, pkl[0]);
  for (const ref of h.storages.values()) {
    const name = `${prefix}data/${ref.key}`;
    if (!zip.has(name)) fail(`the archive has no data entry '${name}' for a tensor's storage`);
    const data = zip.read(name);
    const want = ref.numel * ELEMENT[ref.type].size;
    if (data.length !== want) fail(`data entry '${name}' holds ${data.length} bytes; its storage of ${ref.numel} elements needs ${want}`);
    ref.bytes = data;
  }
  const sources = new Set();
  const plain = toPlain(root, sources);
  for (const src of sources) src.bytes = src.bytes.bytes; // StorageRef -> its bytes
  return substitute(plain, materialise(sources));
}

// --- writing -------------------------------------------------------------------------

const isPlainObject = (v) => v !== null && typeof v === 'object' &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const INT_KEY = /^(0|[1-9][0-9]{0,14})$/;

function describeValue(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  return `a ${v?.constructor?.name ?? typeof v}`;
}

/**
 * Writes a .pt archive that torch.load reads. Values: Tensor -> torch.Tensor, number ->
 * int (integers) or float, bigint -> int, boolean, string, null/undefined -> None,
 * array -> list, Map -> dict (keys keep their JS type), plain object -> dict, or
 * collections.OrderedDict when every value is a Tensor (a state_dict, as PyTorch returns).
 * In an optimizer state_dict ({state, param_groups}) the keys of `state` are written as
 * ints, as PyTorch's Optimizer.load_state_dict matches them against param_groups' ids.
 */
export function savePt(obj) {
  const p = new Pickler();
  const files = [];
  const active = new Set(); // containers being written: a second visit is a cycle
  const writeKey = (intKeys) => (key) => (intKeys && INT_KEY.test(key) ? p.int(Number(key)) : p.str(String(key)));

  const writeTensor = (t, path) => {
    if (p.get(t)) return; // the same tensor twice is one tensor in PyTorch too
    let data;
    try {
      data = tensorBytes(t);
    } catch (e) {
      throw new Error(`save: cannot read the tensor at '${path || '<root>'}': ${e.message}`);
    }
    const key = String(files.length);
    files.push({ name: `archive/data/${key}`, data: data.bytes });
    const shape = t.shape;
    p.global('torch._utils', '_rebuild_tensor_v2');
    p.mark();
    p.mark();
    p.str('storage');
    p.global('torch', WRITE_STORAGE[data.type]);
    p.str(key);
    p.str('cpu');
    p.int(t.numel());
    p.tupleFromMark();
    p.persid();
    p.int(0);
    p.tuple(shape, (v) => p.int(v));
    p.tuple(contiguousStride(shape), (v) => p.int(v));
    p.bool(t.requires_grad);
    p.global('collections', 'OrderedDict');
    p.emptyTuple();
    p.reduce();
    p.tupleFromMark();
    p.reduce();
    p.put(t);
  };

  const write = (v, path, intKeys = false) => {
    if (v === null || v === undefined) return p.none();
    if (typeof v === 'boolean') return p.bool(v);
    if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? p.int(v) : p.float(v);
    if (typeof v === 'bigint') return p.int(v);
    if (typeof v === 'string') return p.str(v);
    if (v instanceof Tensor) return writeTensor(v, path);
    const at = (key) => (path ? `${path}.${key}` : String(key));
    // A Module is callable (a function object) and an Optimizer a class instance: say what
    // they are, before the generic "cannot save a function" (index.js does so at the root)
    if (typeof v.state_dict === 'function')
      throw new TypeError(`save: cannot save a whole ${v.constructor?.name ?? 'object'} at '${path || '<root>'}' ` +
        '(PyTorch would pickle its class); save its state_dict() and restore it with load_state_dict(torch.load(...))');
    const container = Array.isArray(v) || v instanceof Map || isPlainObject(v);
    if (!container)
      throw new TypeError(`save: cannot save ${describeValue(v)} at '${path || '<root>'}'; torch.save stores tensors, ` +
        'numbers, booleans, strings, null, arrays, Maps and plain objects');
    if (active.has(v)) throw new TypeError(`save: the object at '${path || '<root>'}' contains itself`);
    active.add(v);
    if (Array.isArray(v)) {
      p.list(v, (() => { let i = 0; return (item) => write(item, at(i++)); })());
    } else if (v instanceof Map) {
      p.emptyDict();
      p.setItems([...v.entries()], (key) => {
        if (typeof key === 'number' && Number.isInteger(key)) p.int(key);
        else if (typeof key === 'string') p.str(key);
        else throw new TypeError(`save: Map keys must be strings or integers, got ${describeValue(key)} at '${path || '<root>'}'`);
      }, (() => { const keys = [...v.keys()]; let i = 0; return (item) => write(item, at(keys[i++])); })());
    } else {
      const entries = Object.entries(v);
      const stateDict = entries.length > 0 && entries.every(([, item]) => item instanceof Tensor);
      const optimizer = isPlainObject(v.state) && Array.isArray(v.param_groups);
      if (stateDict) {
        p.global('collections', 'OrderedDict');
        p.emptyTuple();
        p.reduce();
      } else {
        p.emptyDict();
      }
      let i = 0;
      p.setItems(entries, writeKey(intKeys), (item) => {
        const key = entries[i++][0];
        write(item, at(key), optimizer && key === 'state');
      });
    }
    active.delete(v);
    return undefined;
  };

  write(obj, '');
  const pkl = p.finish();
  return writeZip([
    { name: 'archive/data.pkl', data: pkl },
    ...files,
    { name: 'archive/version', data: new TextEncoder().encode('3\n') },
    { name: 'archive/byteorder', data: new TextEncoder().encode('little') },
  ]);
}
