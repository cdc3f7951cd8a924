// utils/data.js: torch.utils.data — Dataset, IterableDataset, TensorDataset, Subset,
// ConcatDataset, random_split, the samplers, default_collate and DataLoader, with
// PyTorch 1.13's names, defaults, errors and random draws: with the same seed, a shuffling
// DataLoader visits samples in PyTorch's order and random_split makes PyTorch's splits.
//
// Python's dunder protocol, in JS: a Dataset subclass defines `len()` and `getitem(i)` (the
// JS names of `__len__` and `__getitem__`); a class that defines `__len__` / `__getitem__`
// instead works too, and so does a plain array of samples. `getitem` may return a Promise
// (an async dataset, e.g. images decoded in a browser): iterate its DataLoader with
// `for await`. Indices are non-negative integers, except where PyTorch documents negative
// ones (ConcatDataset).
//
// Memory (README, "Memory"): every time the DataLoader yields a batch it reports a
// 'loader' step event, then builds the batch; batches are step-scoped (released two turns
// of the loop later), so a training loop over a DataLoader needs no dispose calls. So read
// batches inside the loop: `[...loader]` makes every batch first, and all but the last two
// are released by then (Array.from(loader, fn) or keep() them instead).
// num_workers, pin_memory and the other worker options are accepted so that PyTorch code
// transcribes, but batches are always made in the calling thread.
//
// Not here: WeightedRandomSampler and DistributedSampler (no torch.multinomial / process
// groups), worker processes, the datasets and transforms themselves (kindling/datasets,
// kindling/transforms).
import { bind, bindArgs, signatures, strict } from '../args.js';
import { describe, isOptions, typeError } from '../errors.js';
import { stack } from '../functions.js';
import { Generator, generatorPtr, randintDraw, randomInt64, randpermArray } from '../generator.js';
import { loaderFetch, stepEvent } from '../memory.js';
import { Tensor } from '../tensor.js';
import { BOOL, FLOAT32, INT64, dataView, emptyTensor, scopedTensor } from '../transforms/buffers.js';

/**
 * Batched fetching: a dataset may define [FETCH_BATCH](indices) returning the batch that
 * default_collate of its samples would give (made in one go: TensorDataset does one
 * index_select per tensor), or undefined to fall back to getitem per sample. The
 * DataLoader uses it only with the default collate_fn. TensorDataset, Subset (when its
 * dataset has one) and CSVDataset (untransformed rows) define it.
 */
export const FETCH_BATCH = Symbol('kindling.utils.data.fetchBatch');

// --- the dataset protocol ---------------------------------------------------------------

function checkCount(call, n) {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw new TypeError(`${call}: len() should return a non-negative integer, got ${describe(n)}`);
  return n;
}

/** len(dataset): len(), __len__(), or .length (arrays and typed arrays). */
function datasetLength(call, ds) {
  if (ds !== null && typeof ds === 'object' || typeof ds === 'function') {
    if (typeof ds.len === 'function') return checkCount(call, ds.len());
    if (typeof ds.__len__ === 'function') return checkCount(call, ds.__len__());
    if (typeof ds.length === 'number') return checkCount(call, ds.length);
  }
  throw new TypeError(`${call}: expected a dataset with len() (or __len__(), or an array), got ${describe(ds)}`);
}

/** dataset[index]: getitem(), __getitem__(), or [index] (arrays). */
function datasetItem(ds, index) {
  if (typeof ds.getitem === 'function') return ds.getitem(index);
  if (typeof ds.__getitem__ === 'function') return ds.__getitem__(index);
  if (typeof ds.length === 'number') {
    if (!(index >= 0 && index < ds.length)) throw new RangeError(`index ${index} is out of range for a dataset of length ${ds.length}`);
    return ds[index];
  }
  throw new TypeError(`expected a dataset with getitem(index) (or __getitem__, or an array), got ${describe(ds)}`);
}

function checkIndex(call, index, n) {
  if (typeof index !== 'number' || !Number.isInteger(index)) throw typeError(call, 'an integer index', index);
  if (index < 0 || index >= n) throw new RangeError(`${call}: index ${index} is out of range for a dataset of length ${n}`);
  return index;
}

const fastFetch = (ds, indices) => (typeof ds?.[FETCH_BATCH] === 'function' ? ds[FETCH_BATCH](indices) : undefined);

/** A plain Array of non-negative integer indices from an array, typed array, iterable or int64 Tensor. */
function indexList(call, indices) {
  let list;
  if (indices instanceof Tensor) list = Array.from(indices.toTypedArray());
  else if (Array.isArray(indices) || ArrayBuffer.isView(indices)) list = Array.from(indices, Number);
  else if (indices && typeof indices[Symbol.iterator] === 'function') list = Array.from(indices, Number);
  else throw typeError(call, 'a sequence of indices', indices);
  for (const i of list) if (!Number.isInteger(i) || i < 0) throw typeError(call, 'non-negative integer indices', i);
  return list;
}

// --- datasets -----------------------------------------------------------------------------

export class Dataset {
  constructor(...args) { bindArgs('Dataset()', args); }

  /** The number of samples (Python's __len__). Subclasses override it. */
  len() {
    if (typeof this.__len__ === 'function') return this.__len__();
    if (Object.prototype.hasOwnProperty.call(this, 'length')) return this.length;
    throw new Error(`${this.constructor.name}: a Dataset subclass must define len() (Python's __len__)`);
  }

  /** Sample `index` (Python's __getitem__). Subclasses override it. */
  getitem(index) {
    if (typeof this.__getitem__ === 'function') return this.__getitem__(index);
    throw new Error(`${this.constructor.name}: a Dataset subclass must define getitem(index) (Python's __getitem__)`);
  }

  get length() { return this.len(); }
  set length(value) { // a subclass may store its own length
    Object.defineProperty(this, 'length', { value, writable: true, configurable: true, enumerable: true });
  }

  /** dataset + other (Python's __add__): a ConcatDataset. */
  add(other) { return new ConcatDataset([this, other]); }
}

/** A dataset that is a stream of samples: subclasses define *[Symbol.iterator]() (or __iter__, or async). */
export class IterableDataset {
  constructor(...args) { bindArgs('IterableDataset()', args); }
  [Symbol.iterator]() {
    if (typeof this.__iter__ === 'function') return this.__iter__();
    throw new Error(`${this.constructor.name}: an IterableDataset subclass must define [Symbol.iterator]() (Python's __iter__)`);
  }
  add(other) { return new ChainDataset([this, other]); }
}

/** Chains iterable datasets one after the other. */
export class ChainDataset extends IterableDataset {
  constructor(...args) {
    super();
    const [datasets] = bindArgs('ChainDataset(datasets)', args);
    this.datasets = [...datasets];
  }
  *[Symbol.iterator]() {
    for (const d of this.datasets) yield* d;
  }
  async *[Symbol.asyncIterator]() {
    for (const d of this.datasets) {
      if (typeof d[Symbol.asyncIterator] === 'function') yield* d[Symbol.asyncIterator]();
      else yield* d;
    }
  }
  len() { return this.datasets.reduce((n, d) => n + datasetLength('ChainDataset', d), 0); }
}

/** Samples are rows of the given tensors: getitem(i) -> [t[i] for each t]. */
export class TensorDataset extends Dataset {
  constructor(...tensors) {
    super();
    if (tensors.length && isOptions(tensors[tensors.length - 1])) bindArgs('TensorDataset(*tensors)', tensors);
    if (!tensors.length) throw new TypeError('TensorDataset: expected at least one Tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw typeError('TensorDataset', `a Tensor for argument ${i}`, t);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: tensor ${i} is 0-dimensional; every tensor needs a first dimension`);
    });
    const n = tensors[0].shape[0];
    tensors.forEach((t, i) => {
      if (t.shape[0] !== n)
        throw new RangeError(`TensorDataset: Size mismatch between tensors (tensor 0 has ${n} rows, tensor ${i} has ${t.shape[0]})`);
    });
    this.tensors = tensors;
  }
  len() { return this.tensors[0].shape[0]; }
  getitem(index) {
    checkIndex('TensorDataset', index, this.len());
    return this.tensors.map((t) => t.narrow(0, index, 1).reshape(t.shape.slice(1)));
  }
  /**
   * Python's train_ds[start:end]: the rows start..end-1 of every tensor, as one [x, y, ...]
   * (negative bounds count from the end, as Tensor.slice), so that
   * `xb, yb = train_ds[i*bs : i*bs+bs]` is `const [xb, yb] = train_ds.slice(i * bs, i * bs + bs)`.
   */
  slice(start = 0, end = null) {
    return this.tensors.map((t) => t.slice(start, end));
  }
  /** One index_select per tensor instead of a stack of per-sample rows. */
  [FETCH_BATCH](indices) {
    const n = this.len();
    for (const i of indices) checkIndex('TensorDataset', i, n);
    const index = scopedTensor(indices, [indices.length], INT64);
    try {
      return this.tensors.map((t) => t.index_select(0, index));
    } finally {
      index.dispose();
    }
  }
}

/** The samples of dataset at the given indices. */
export class Subset extends Dataset {
  constructor(...args) {
    super();
    const [dataset, indices] = bindArgs('Subset(dataset, indices)', args);
    this.dataset = dataset;
    this.indices = indexList('Subset', indices);
  }
  len() { return this.indices.length; }
  getitem(index) { return datasetItem(this.dataset, this.indices[checkIndex('Subset', index, this.indices.length)]); }
  [FETCH_BATCH](indices) {
    for (const i of indices) checkIndex('Subset', i, this.indices.length);
    return fastFetch(this.dataset, indices.map((i) => this.indices[i]));
  }
}

/** Datasets one after the other; negative indices count from the end, as in PyTorch. */
export class ConcatDataset extends Dataset {
  constructor(...args) {
    super();
    const [datasets] = bindArgs('ConcatDataset(datasets)', args);
    this.datasets = [...datasets];
    if (!this.datasets.length) throw new Error('ConcatDataset: datasets should not be an empty iterable');
    this.datasets.forEach((d) => {
      if (d instanceof IterableDataset) throw new TypeError('ConcatDataset: does not support IterableDataset');
    });
    this.cumulative_sizes = [];
    let total = 0;
    for (const d of this.datasets) this.cumulative_sizes.push((total += datasetLength('ConcatDataset', d)));
  }
  len() { return this.cumulative_sizes[this.cumulative_sizes.length - 1]; }
  getitem(index) {
    if (typeof index !== 'number' || !Number.isInteger(index)) throw typeError('ConcatDataset', 'an integer index', index);
    const n = this.len();
    if (index < 0) {
      if (-index > n) throw new RangeError('ConcatDataset: absolute value of index should not exceed dataset length');
      index += n;
    }
    if (index >= n) throw new RangeError(`ConcatDataset: index ${index} is out of range for a dataset of length ${n}`);
    let d = 0; // bisect_right(cumulative_sizes, index)
    let hi = this.cumulative_sizes.length;
    while (d < hi) {
      const mid = (d + hi) >> 1;
      if (this.cumulative_sizes[mid] <= index) d = mid + 1;
      else hi = mid;
    }
    return datasetItem(this.datasets[d], d === 0 ? index : index - this.cumulative_sizes[d - 1]);
  }
}

/** Python's math.isclose(a, b) with its default rel_tol 1e-9. */
const isclose = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/**
 * random_split(dataset, lengths, generator = the default generator) — lengths are counts
 * or fractions summing to 1; as PyTorch: randperm(sum(lengths), generator) cut into
 * consecutive slices. The generator may also come as {generator}.
 */
export function random_split(dataset, lengths, generator) {
  if (isOptions(generator)) {
    const names = Object.keys(generator).filter((name) => name !== 'generator');
    if (names.length) throw new TypeError(`random_split: unknown option '${names[0]}'; valid options are: generator`);
    generator = generator.generator;
  }
  generatorPtr('random_split', generator); // checks its type
  const n = datasetLength('random_split', dataset);
  if (!Array.isArray(lengths) || !lengths.every((v) => typeof v === 'number' && Number.isFinite(v)))
    throw typeError('random_split', 'an array of lengths or fractions', lengths);
  let sizes = lengths;
  const total = lengths.reduce((a, b) => a + b, 0);
  if (isclose(total, 1) && total <= 1) {
    sizes = lengths.map((frac, i) => {
      if (frac < 0 || frac > 1) throw new RangeError(`random_split: Fraction at index ${i} is not between 0 and 1`);
      return Math.floor(n * frac);
    });
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < remainder; i++) sizes[i % sizes.length] += 1; // round-robin, as PyTorch
  } else {
    for (const v of lengths) {
      if (!Number.isInteger(v)) throw typeError('random_split', 'non-negative integer lengths or fractions summing to 1', v);
      if (v < 0) throw new RangeError(`random_split: lengths must be non-negative, got ${v}`);
    }
  }
  if (sizes.reduce((a, b) => a + b, 0) !== n)
    throw new RangeError(`random_split: Sum of input lengths does not equal the length of the input dataset! ` +
      `(lengths [${lengths.join(', ')}] for a dataset of length ${n})`);
  const perm = randpermArray(n, generator);
  const out = [];
  let offset = 0;
  for (const size of sizes) {
    out.push(new Subset(dataset, perm.subarray(offset, offset + size)));
    offset += size;
  }
  return out;
}

// --- samplers -----------------------------------------------------------------------------

export class Sampler {
  constructor(...args) { bindArgs('Sampler(data_source=null)', args); }
  [Symbol.iterator]() {
    if (typeof this.__iter__ === 'function') return this.__iter__();
    throw new Error(`${this.constructor.name}: a Sampler subclass must define [Symbol.iterator]() (Python's __iter__)`);
  }
  len() {
    if (typeof this.__len__ === 'function') return this.__len__();
    throw new TypeError(`object of type '${this.constructor.name}' has no len()`);
  }
  get length() { return this.len(); }
}

export class SequentialSampler extends Sampler {
  constructor(...args) {
    super();
    const [data_source] = bindArgs('SequentialSampler(data_source)', args);
    this.data_source = data_source;
  }
  *[Symbol.iterator]() {
    const n = datasetLength('SequentialSampler', this.data_source);
    for (let i = 0; i < n; i++) yield i;
  }
  len() { return datasetLength('SequentialSampler', this.data_source); }
}

let passGenerator = null; // RandomSampler's per-pass generator when it has none of its own

/**
 * RandomSampler(data_source, {replacement, num_samples, generator}): each pass draws like
 * PyTorch's — without a generator, a seed from the default generator
 * (torch.empty((), dtype=torch.int64).random_()) seeds a fresh Generator for the pass.
 */
export class RandomSampler extends Sampler {
  constructor(data_source, ...args) {
    super();
    const o = bind('RandomSampler', args, [['replacement', false], ['num_samples', null], ['generator', null]]);
    if (typeof o.replacement !== 'boolean')
      throw new TypeError(`RandomSampler: replacement should be a boolean value, but got replacement=${describe(o.replacement)}`);
    generatorPtr('RandomSampler', o.generator);
    this.data_source = data_source;
    this.replacement = o.replacement;
    this._num_samples = o.num_samples;
    this.generator = o.generator;
    const m = this.num_samples;
    if (!Number.isInteger(m) || m <= 0)
      throw new RangeError(`RandomSampler: num_samples should be a positive integer value, but got num_samples=${m}`);
  }
  get num_samples() {
    return this._num_samples === null || this._num_samples === undefined
      ? datasetLength('RandomSampler', this.data_source) : this._num_samples;
  }
  *[Symbol.iterator]() {
    if (this.generator) {
      yield* this._draws(this.generator);
    } else {
      // The pass's own generator sees no other draws, so all of its draws can be made at
      // once, on one reused generator; only the seed draw has to happen at the first next().
      passGenerator ??= new Generator();
      passGenerator.manual_seed(randomInt64(null));
      yield* [...this._draws(passGenerator)];
    }
  }
  *_draws(generator) {
    const n = datasetLength('RandomSampler', this.data_source);
    const m = this.num_samples;
    if (n === 0) throw new RangeError('RandomSampler: cannot draw samples from an empty dataset');
    if (this.replacement) {
      const chunk = (size) => { // torch.randint(high=n, size=(size,)): one draw per element, eagerly
        const out = [];
        for (let i = 0; i < size; i++) out.push(randintDraw(0, n, generator));
        return out;
      };
      for (let c = 0; c < Math.floor(m / 32); c++) yield* chunk(32);
      yield* chunk(m % 32);
    } else {
      for (let c = 0; c < Math.floor(m / n); c++) yield* randpermArray(n, generator);
      yield* randpermArray(n, generator).subarray(0, m % n);
    }
  }
  len() { return this.num_samples; }
}

/** The given indices in a random order (one randperm per pass). */
export class SubsetRandomSampler extends Sampler {
  constructor(indices, ...args) {
    super();
    const o = bind('SubsetRandomSampler', args, [['generator', null]]);
    generatorPtr('SubsetRandomSampler', o.generator);
    this.indices = indexList('SubsetRandomSampler', indices);
    this.generator = o.generator;
  }
  *[Symbol.iterator]() {
    for (const i of randpermArray(this.indices.length, this.generator)) yield this.indices[i];
  }
  len() { return this.indices.length; }
}

/** Groups a sampler's indices into lists of batch_size (the last one shorter unless drop_last). */
export class BatchSampler extends Sampler {
  constructor(sampler, ...args) {
    super();
    const o = bind('BatchSampler', args, [['batch_size'], ['drop_last']]);
    if (!Number.isInteger(o.batch_size) || o.batch_size <= 0)
      throw new RangeError(`BatchSampler: batch_size should be a positive integer value, but got batch_size=${describe(o.batch_size)}`);
    if (typeof o.drop_last !== 'boolean')
      throw new TypeError(`BatchSampler: drop_last should be a boolean value, but got drop_last=${describe(o.drop_last)}`);
    this.sampler = sampler;
    this.batch_size = o.batch_size;
    this.drop_last = o.drop_last;
  }
  *[Symbol.iterator]() {
    let batch = [];
    for (const i of this.sampler) {
      batch.push(i);
      if (batch.length === this.batch_size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length && !this.drop_last) yield batch;
  }
  len() {
    const n = samplerLength('BatchSampler', this.sampler);
    return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
  }
}

function samplerLength(call, sampler) {
  if (typeof sampler.len === 'function') return sampler.len();
  if (typeof sampler.__len__ === 'function') return sampler.__len__();
  if (typeof sampler.length === 'number') return sampler.length;
  throw new TypeError(`${call}: the sampler has no len()`);
}

// --- collation ------------------------------------------------------------------------------

const isImageLike = (x) => x !== null && typeof x === 'object' && !(x instanceof Tensor) &&
  (x.data instanceof Uint8Array || x.data instanceof Uint8ClampedArray) && Number.isInteger(x.width) && Number.isInteger(x.height);

const numericCode = (values) => (values.every((v) => typeof v === 'boolean') ? BOOL
  : values.every((v) => Number.isInteger(v) || typeof v === 'bigint') ? INT64 : FLOAT32);

function collateError(elem) {
  const hint = isImageLike(elem) ? ' (an image: add transforms.ToTensor() to the dataset\'s transform)' : '';
  return new TypeError(`default_collate: batch must contain tensors, numbers, typed arrays, arrays or plain objects; found ${describe(elem)}${hint}`);
}

/** Stacks same-shaped tensors along a new first dim: one allocation and plain copies. */
function collateTensors(batch) {
  const first = batch[0];
  const shape = first.shape;
  const dtype = first._dtype;
  let simple = true;
  batch.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`default_collate: element ${i} of the batch is ${describe(t)}, element 0 is a Tensor`);
    if (t.shape.length !== shape.length || t.shape.some((d, j) => d !== shape[j]))
      throw new RangeError(`default_collate: stack expects each tensor to be equal size, but got [${shape.join(', ')}] at entry 0 and [${t.shape.join(', ')}] at entry ${i}`);
    if (t._dtype !== dtype || t.requires_grad) simple = false;
  });
  if (!simple) return stack(batch); // autograd and dtype promotion are the op's business
  const out = emptyTensor([batch.length, ...shape], dtype);
  const n = first.numel();
  if (n === 0) return out;
  // Every dtype is stored as 4-byte elements, so copy the bits as int32 (nothing below
  // allocates in the core, so the views stay valid).
  const o = dataView(out);
  const dst = new Int32Array(o.buffer, o.byteOffset, batch.length * n);
  batch.forEach((t, i) => {
    const src = dataView(t);
    dst.set(new Int32Array(src.buffer, src.byteOffset, n), i * n);
  });
  return out;
}

/**
 * PyTorch's default_collate: tensors are stacked, numbers become a tensor (int64 when all are
 * integers, bool for booleans, else float32), typed arrays become rows of a tensor, strings
 * stay a list, arrays (tuples) and plain objects (dicts) are collated element by element.
 */
export const default_collate = strict('default_collate(batch: any)', (batch) => {
  if (!Array.isArray(batch) || !batch.length) throw typeError('default_collate', 'a non-empty array of samples', batch);
  const elem = batch[0];
  if (elem instanceof Tensor) return collateTensors(batch);
  const kind = typeof elem;
  if (kind === 'number' || kind === 'boolean' || kind === 'bigint') {
    batch.forEach((v, i) => {
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint')
        throw new TypeError(`default_collate: element ${i} of the batch is ${describe(v)}, element 0 is a number`);
    });
    return scopedTensor(batch.map(Number), [batch.length], numericCode(batch));
  }
  if (kind === 'string') return batch.slice();
  if (ArrayBuffer.isView(elem) && !(elem instanceof DataView)) {
    const n = elem.length;
    batch.forEach((v, i) => {
      if (!ArrayBuffer.isView(v) || v.length !== n)
        throw new RangeError(`default_collate: each element in the batch should be a typed array of length ${n}; element ${i} is ${describe(v)}`);
    });
    const code = elem instanceof Float32Array || elem instanceof Float64Array ? FLOAT32 : INT64;
    const out = emptyTensor([batch.length, n], code);
    const view = dataView(out);
    batch.forEach((v, i) => view.set(typeof v[0] === 'bigint' ? Array.from(v, Number) : v, i * n));
    return out;
  }
  if (Array.isArray(elem)) {
    const n = elem.length;
    batch.forEach((v) => {
      if (!Array.isArray(v) || v.length !== n) throw new RangeError('default_collate: each element in list of batch should be of equal size');
    });
    return elem.map((_, j) => default_collate(batch.map((v) => v[j])));
  }
  if (isImageLike(elem)) throw collateError(elem);
  if (isOptions(elem)) {
    const out = {};
    for (const key of Object.keys(elem)) out[key] = default_collate(batch.map((d) => d[key]));
    return out;
  }
  throw collateError(elem);
});

/** PyTorch's default_convert (batch_size: null): typed arrays become tensors, the rest is kept. */
export const default_convert = strict('default_convert(data: any)', (data) => {
  if (data instanceof Tensor) return data;
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    const code = data instanceof Float32Array || data instanceof Float64Array ? FLOAT32 : INT64;
    return scopedTensor(typeof data[0] === 'bigint' ? Array.from(data, Number) : data, [data.length], code);
  }
  if (Array.isArray(data)) return data.map((item) => default_convert(item));
  if (isOptions(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, default_convert(v)]));
  return data;
});

// --- DataLoader -----------------------------------------------------------------------------

const isThenable = (x) => x !== null && (typeof x === 'object' || typeof x === 'function') && typeof x.then === 'function';

function asyncError() {
  return new TypeError('DataLoader: the dataset returned a Promise (an async dataset, such as ImageFolder); ' +
    'iterate it with `for await (const batch of loader)`');
}

const isIterableDataset = (ds) => ds instanceof IterableDataset ||
  (ds !== null && typeof ds === 'object' && typeof ds.getitem !== 'function' && typeof ds.__getitem__ !== 'function' &&
    typeof ds.length !== 'number' && (typeof ds[Symbol.iterator] === 'function' || typeof ds[Symbol.asyncIterator] === 'function'));

const LOADER_SPEC = [
  ['batch_size', 1], ['shuffle', null], ['sampler', null], ['batch_sampler', null], ['num_workers', 0],
  ['collate_fn', null], ['pin_memory', false], ['drop_last', false], ['timeout', 0], ['worker_init_fn', null],
  ['multiprocessing_context', null], ['generator', null], ['prefetch_factor', 2], ['persistent_workers', false],
  ['pin_memory_device', ''],
];

/**
 * new DataLoader(dataset, {batch_size = 1, shuffle = false, sampler, batch_sampler,
 * drop_last = false, collate_fn, generator, ...}) — iterate with
 * `for (const [x, y] of loader)` (or `for await` for async datasets); len() / length is the
 * number of batches. Each pass (each `for`) draws PyTorch's base seed from the loader's
 * generator (else the default one), as iter(DataLoader) does, so the random streams after
 * an epoch match PyTorch's too.
 */
export class DataLoader {
  constructor(dataset, ...args) {
    const o = bind('DataLoader', args, LOADER_SPEC);
    if (dataset === null || dataset === undefined) throw typeError('DataLoader', 'a dataset', dataset);
    generatorPtr('DataLoader', o.generator);
    if (!Number.isInteger(o.num_workers) || o.num_workers < 0)
      throw new RangeError('DataLoader: num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.');
    if (o.batch_size !== null && typeof o.batch_size !== 'number')
      throw typeError('DataLoader', 'an integer (or null) for batch_size', o.batch_size);
    if (o.batch_size !== null && (!Number.isInteger(o.batch_size) || o.batch_size <= 0))
      throw new RangeError(`DataLoader: batch_size should be a positive integer value or null, but got batch_size=${describe(o.batch_size)}`);
    if (typeof o.drop_last !== 'boolean') throw typeError('DataLoader', 'a boolean for drop_last', o.drop_last);
    if (o.shuffle !== null && typeof o.shuffle !== 'boolean') throw typeError('DataLoader', 'a boolean for shuffle', o.shuffle);
    if (o.collate_fn !== null && typeof o.collate_fn !== 'function') throw typeError('DataLoader', 'a function for collate_fn', o.collate_fn);

    this.dataset = dataset;
    this.num_workers = o.num_workers;
    this.generator = o.generator;
    this._pass = null;   // the pass in progress: {batches, position}
    this._resume = null; // a pass to continue, from load_state_dict()
    this._iterable = isIterableDataset(dataset);
    let { sampler, batch_sampler, batch_size, drop_last, shuffle } = o;
    if (this._iterable) {
      if (shuffle) throw new Error(`DataLoader with IterableDataset: expected unspecified shuffle option, but got shuffle=${shuffle}`);
      if (sampler !== null) throw new Error(`DataLoader with IterableDataset: expected unspecified sampler option, but got sampler=${describe(sampler)}`);
      if (batch_sampler !== null) throw new Error(`DataLoader with IterableDataset: expected unspecified batch_sampler option, but got batch_sampler=${describe(batch_sampler)}`);
    } else {
      if (sampler !== null && shuffle) throw new Error('DataLoader: sampler option is mutually exclusive with shuffle');
      if (batch_sampler !== null) {
        if (batch_size !== 1 || shuffle || sampler !== null || drop_last)
          throw new Error('DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last');
        batch_size = null;
        drop_last = false;
      } else if (batch_size === null && drop_last) {
        throw new Error('DataLoader: batch_size=None option disables auto-batching and is mutually exclusive with drop_last');
      }
      if (sampler === null) sampler = shuffle ? new RandomSampler(dataset, { generator: this.generator }) : new SequentialSampler(dataset);
      if (batch_size !== null && batch_sampler === null) batch_sampler = new BatchSampler(sampler, batch_size, drop_last);
    }
    this.batch_size = batch_size;
    this.drop_last = drop_last;
    this.sampler = sampler;
    this.batch_sampler = batch_sampler;
    this.collate_fn = o.collate_fn ?? (this._auto_collation ? default_collate : default_convert);
  }

  get _auto_collation() { return this._iterable ? this.batch_size !== null : this.batch_sampler !== null; }
  get _index_sampler() { return this._auto_collation && !this._iterable ? this.batch_sampler : this.sampler; }

  /** The number of batches in a pass. */
  len() {
    if (this._iterable) {
      const n = datasetLength('DataLoader', this.dataset);
      if (this.batch_size === null) return n;
      return this.drop_last ? Math.floor(n / this.batch_size) : Math.ceil(n / this.batch_size);
    }
    return samplerLength('DataLoader', this._index_sampler);
  }
  get length() { return this.len(); }

  _startPass() {
    randomInt64(this.generator); // iter(DataLoader)'s _base_seed: drawn every pass, used by workers only
  }

  _fetch(index, wait) {
    return loaderFetch(() => this._fetchBatch(index, wait));
  }

  _fetchBatch(index, wait) {
    const ds = this.dataset;
    if (!this._auto_collation) {
      const item = datasetItem(ds, index);
      if (isThenable(item)) {
        if (!wait) throw asyncError();
        return item.then((v) => this.collate_fn(v));
      }
      return this.collate_fn(item);
    }
    if (this.collate_fn === default_collate) {
      const fast = fastFetch(ds, index);
      if (fast !== undefined) return fast;
    }
    const samples = index.map((i) => datasetItem(ds, i));
    if (samples.some(isThenable)) {
      if (!wait) throw asyncError();
      return Promise.all(samples).then((s) => this.collate_fn(s));
    }
    return this.collate_fn(samples);
  }

  [Symbol.iterator]() {
    if (this._iterable && typeof this.dataset[Symbol.iterator] !== 'function') throw asyncError();
    if (!this._resume) this._startPass();
    return this._iterable ? this._streamSync() : this._passSync();
  }

  [Symbol.asyncIterator]() {
    if (!this._resume) this._startPass();
    return this._iterable ? this._streamAsync() : this._passAsync();
  }

  /**
   * The position inside the current pass, for checkpoints: the pass's batches of indices
   * and how many were yielded. load_state_dict() makes the next `for` continue that pass
   * (without drawing a new order), so a run resumed mid-epoch sees the same batches.
   */
  state_dict() {
    if (this._iterable) throw new Error('DataLoader.state_dict: an IterableDataset has no position to save');
    const pass = this._pass;
    return { batches: pass ? pass.batches.map((b) => (typeof b === 'number' ? b : Array.from(b))) : null, position: pass ? pass.position : 0 };
  }

  load_state_dict(state) {
    const call = 'DataLoader.load_state_dict';
    if (!state || typeof state !== 'object') throw typeError(call, 'a state_dict from DataLoader.state_dict()', state);
    const { batches, position } = state;
    if (batches === null) {
      this._resume = null;
      return;
    }
    if (!Array.isArray(batches) || !Number.isInteger(position) || position < 0 || position > batches.length)
      throw new RangeError(`${call}: expected {batches: [...], position: 0..${Array.isArray(batches) ? batches.length : 'n'}}, got position ${position}`);
    this._resume = { batches: batches.map((b) => (typeof b === 'number' ? b : Array.from(b))), position };
  }

  /** Starts (or resumes) a pass at its first next(), when PyTorch's sampler draws its order. */
  _beginPass() {
    this._pass = this._resume ?? { batches: [...this._index_sampler], position: 0 };
    this._resume = null;
    return this._pass;
  }

  *_passSync() {
    const pass = this._beginPass();
    while (pass.position < pass.batches.length) {
      const index = pass.batches[pass.position++];
      stepEvent('loader'); // before the batch is made, so the batch belongs to the new step
      yield this._fetch(index, false);
    }
    if (this._pass === pass) this._pass = null;
  }

  async *_passAsync() {
    const pass = this._beginPass();
    while (pass.position < pass.batches.length) {
      const index = pass.batches[pass.position++];
      stepEvent('loader');
      const batch = await this._fetch(index, true);
      yield isThenable(batch) ? await batch : batch;
    }
    if (this._pass === pass) this._pass = null;
  }

  _collateStream(samples) {
    return this._auto_collation ? this.collate_fn(samples) : this.collate_fn(samples[0]);
  }

  *_streamSync() {
    const size = this.batch_size ?? 1;
    let samples = [];
    for (const sample of this.dataset) {
      if (isThenable(sample)) throw asyncError();
      samples.push(sample);
      if (samples.length === size) {
        stepEvent('loader');
        yield loaderFetch(() => this._collateStream(samples));
        samples = [];
      }
    }
    if (samples.length && !this.drop_last) {
      stepEvent('loader');
      yield this._collateStream(samples);
    }
  }

  async *_streamAsync() {
    const size = this.batch_size ?? 1;
    const source = typeof this.dataset[Symbol.asyncIterator] === 'function' ? this.dataset[Symbol.asyncIterator]() : this.dataset;
    let samples = [];
    for await (const sample of source) {
      samples.push(sample);
      if (samples.length === size) {
        stepEvent('loader');
        yield await this._collateStream(samples);
        samples = [];
      }
    }
    if (samples.length && !this.drop_last) {
      stepEvent('loader');
      yield await this._collateStream(samples);
    }
  }
}

// The methods' signatures (args.js): an options object given to any of them is checked.
signatures(Dataset, ['Dataset.add(other)']);
signatures(IterableDataset, ['IterableDataset.add(other)']);
signatures(ChainDataset, ['ChainDataset.len()']);
signatures(TensorDataset, ['TensorDataset.len()', 'TensorDataset.getitem(index)', 'TensorDataset.slice(start=0, end=null)']);
signatures(Subset, ['Subset.len()', 'Subset.getitem(index)']);
signatures(ConcatDataset, ['ConcatDataset.len()', 'ConcatDataset.getitem(index)']);
for (const cls of [SequentialSampler, RandomSampler, SubsetRandomSampler, BatchSampler]) signatures(cls, [`${cls.name}.len()`]);
signatures(DataLoader, ['DataLoader.len()', 'DataLoader.state_dict()', 'DataLoader.load_state_dict(state_dict: any)']);
