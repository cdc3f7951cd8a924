// tensor.js: the Tensor class — a JS wrapper around a core handle, with PyTorch's method
// names. Every method checks its arguments, calls the core, and wraps the new handle as a
// step-scoped tensor (see memory.js).
import { bind, signatures } from './args.js';
import { check, f32, i32, intOrigin, k, raise, scratch, writeInts, SCRATCH } from './core.js';
import { CPU, parseTo } from './device.js';
import { addSuffixes, tensorBody } from './printing.js';
import { DTYPES, dtypeCode } from './dtype.js';
import { checkInt, checkNumber, describe, isOptions, parseOptions, typeError } from './errors.js';
import { GradFn } from './grad_fn.js';
import { adopt, dispose, keep, release_later, stepEvent, touch } from './memory.js';
import { getitem, positions, setitem } from './indexing.js';

const BIN = { add: 0, sub: 1, mul: 2, div: 3 };
const CMP = { eq: 0, gt: 1, lt: 2, ne: 3, ge: 4, le: 5 };
const UN = { neg: 0, exp: 1, log: 2, sqrt: 3, relu: 4, sigmoid: 5, tanh: 6, pow: 7, leaky_relu: 8, abs: 9 };
const DIM_ALL = 0x7fff;
const INPLACE = { add_: 0, sub_: 1, mul_: 2, div_: 3, fill_: 4, copy_: 5, clamp_: 6 };
/** Tensor.type() names, by dtype code (DTYPES). */
const TYPE_NAMES = ['torch.FloatTensor', 'torch.LongTensor', 'torch.BoolTensor'];

/** Wraps a fresh handle (or throws the core's error for a status). */
export function wrap(handle, kept = false) {
  const fromInts = intOrigin.touched;
  check(handle);
  const t = adopt(new Tensor(handle), kept);
  if (fromInts && t._dtype === 1) t._fromInts = true; // int64 computed from a JS integer array
  return t;
}

/** Reads a shape given as an array or as separate integers (PyTorch allows both). */
export function shapeArgs(call, args) {
  const dims = args.length === 1 && (Array.isArray(args[0]) || ArrayBuffer.isView(args[0])) ? [...args[0]] : args;
  for (const d of dims)
    if (typeof d !== 'number' || !Number.isInteger(d)) throw typeError(call, 'a shape of integers', d);
  return dims;
}

/** Splits trailing keyword options off a rest-argument list. */
export function splitOptions(args) {
  return args.length && isOptions(args[args.length - 1]) ? [args.slice(0, -1), args[args.length - 1]] : [args, undefined];
}

export class Tensor {
  constructor(handle) {
    this._h = handle;
    this._kept = false;
    this._released = null;
    this._grad = null;
    const info = scratch();
    check(k.k_info(handle, SCRATCH));
    this._dtype = info[0];
    this._shape = Array.from(info.subarray(2, 2 + info[1]));
    this._uid = info[10];
    this._fromInts = false; // made from an all-integer JS array (see intOrigin in core.js)
  }

  /** The live handle, or a clear Error for a released tensor. */
  get handle() {
    if (!this._h) throw new Error(`This tensor was released: ${this._released}. Its numbers are gone.`);
    touch(this);
    if (this._fromInts) intOrigin.touched = true;
    return this._h;
  }

  get shape() { return this._shape.slice(); }
  size(dim) { return dim === undefined || dim === null ? this.shape : this._shape[this._dim('size', dim)]; }
  dim() { return this._shape.length; }
  get ndim() { return this._shape.length; }
  numel() { return this._shape.reduce((a, b) => a * b, 1); }
  get dtype() { return DTYPES[this._dtype]; }
  get is_leaf() { check(k.k_info(this.handle, SCRATCH)); return scratch()[9] === 1; }
  /** The node that made this tensor (PyTorch's names, next_functions), null for a leaf. */
  get grad_fn() { check(k.k_info(this.handle, SCRATCH)); return scratch()[11] ? new GradFn(this) : null; }
  get requires_grad() { check(k.k_info(this.handle, SCRATCH)); return scratch()[8] === 1; }
  set requires_grad(on) { this.requires_grad_(on); }

  requires_grad_(on = true) {
    if (typeof on !== 'boolean') throw typeError('requires_grad_', 'a boolean', on);
    check(k.k_set_requires_grad(this.handle, on ? 1 : 0));
    if (on) keep(this); // a tensor that learns is a parameter: it outlives steps
    return this;
  }

  get grad() {
    const uid = check(k.k_grad_uid(this.handle));
    if (uid === 0) return this._dropGrad();
    if (this._grad && this._grad._h && this._grad._uid === uid) return this._grad;
    this._dropGrad();
    return (this._grad = wrap(k.k_grad(this.handle), true));
  }

  set grad(value) {
    if (value !== null && value !== undefined && !(value instanceof Tensor))
      throw typeError('grad', 'a Tensor or null', value);
    check(k.k_set_grad(this.handle, value ? value.handle : 0));
    this._dropGrad();
    if (value) this._grad = keep(value);
  }

  _dropGrad() {
    release_later(this._grad);
    this._grad = null;
    return null;
  }

  /**
   * backward(gradient = null, retain_graph = null, create_graph = false, inputs = null), each
   * also by name. The gradient is cast to this tensor's dtype, as PyTorch does (a JS [1, 1]
   * is int64). Higher-order gradients (create_graph) and `inputs` are not supported: asking
   * for them is an Error, never silently a plain backward.
   */
  backward(...args) {
    const a = bind('backward', args, [['gradient', null], ['retain_graph', null], ['create_graph', false], ['inputs', null]]);
    if (a.gradient !== null && !(a.gradient instanceof Tensor)) throw typeError('backward', 'a Tensor for gradient', a.gradient);
    for (const name of ['retain_graph', 'create_graph'])
      if (a[name] !== null && typeof a[name] !== 'boolean') throw typeError('backward', `a boolean for ${name}`, a[name]);
    if (a.create_graph) throw new Error('backward: create_graph=true (higher-order gradients) is not supported by kindling');
    if (a.inputs !== null) throw new Error('backward: inputs= is not supported by kindling; gradients go to every leaf');
    const retain = a.retain_graph ?? a.create_graph;
    this.handle;
    const gradient = a.gradient && a.gradient.dtype !== this.dtype ? a.gradient.to(this.dtype) : a.gradient;
    try {
      check(k.k_backward(this.handle, gradient ? gradient.handle : 0, retain ? 1 : 0));
    } finally {
      if (gradient !== a.gradient) gradient.dispose();
    }
    stepEvent('backward');
  }

  detach() { return wrap(k.k_detach(this.handle)); }
  /** Tensor.data: shares storage like detach(), with its own version counter (as PyTorch). */
  get data() { return wrap(k.k_data_alias(this.handle)); }
  _info(slot) { check(k.k_info(this.handle, SCRATCH)); return scratch()[slot]; }
  is_contiguous() { return this._info(12) === 1; }
  contiguous(options) {
    const { memory_format } = parseOptions('contiguous', options, { memory_format: 'contiguous_format' });
    if (memory_format !== 'contiguous_format')
      throw new TypeError(`contiguous: memory_format must be 'contiguous_format', got ${describe(memory_format)}`);
    return wrap(k.k_contiguous(this.handle));
  }
  storage_offset() { return this._info(13); }
  stride(dim) {
    check(k.k_info(this.handle, SCRATCH));
    const strides = Array.from(scratch().subarray(14, 14 + this.ndim));
    return dim === undefined ? strides : strides[this._dim('stride', dim)];
  }
  /** The storage's version counter: in-place writes bump it (PyTorch's t._version). */
  get _version() { return this._info(20); }
  _is_view() { return this._info(21) === 1; }
  clone() { return wrap(k.k_clone(this.handle)); }
  keep() { this.handle; return keep(this); }

  /** Frees the wasm memory now; the tensor throws if touched afterwards. */
  dispose() {
    if (this._h) dispose(this, 'dispose() was called on it');
  }
  get is_disposed() { return !this._h; }

  // --- reading values --------------------------------------------------------------
  toTypedArray() {
    const ptr = k.k_data(this.handle);
    if (!ptr) raise();
    intOrigin.touched = false; // a read, not an op: nothing is computed from this tensor
    const n = this.numel();
    return this._dtype === 0 ? f32(ptr, n).slice() : i32(ptr, n).slice();
  }
  dataSync() { return this.toTypedArray(); }

  item() {
    this.handle;
    const n = this.numel();
    if (n !== 1) throw new RangeError(`item: a Tensor with ${n} elements cannot be converted to Scalar`);
    const v = this.toTypedArray()[0];
    return this._dtype === 2 ? v !== 0 : v;
  }

  tolist() {
    const flat = Array.from(this.toTypedArray(), this._dtype === 2 ? (v) => v !== 0 : (v) => v);
    const build = (dim, offset) => {
      if (dim === this._shape.length) return flat[offset];
      const stride = this._shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this._shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  toString() { return formatTensor(this); }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this._h ? formatTensor(this) : 'tensor(<released>)'; }

  // --- arithmetic and comparisons ---------------------------------------------------
  _binary(name, other, alpha = 1) {
    if (!(other instanceof Tensor) && typeof other !== 'number' && typeof other !== 'boolean')
      throw typeError(name, 'a Tensor or a number for other', other);
    if (typeof alpha !== 'number' && typeof alpha !== 'boolean') throw typeError(name, 'a number for alpha', alpha);
    alpha = Number(alpha);
    if (!(other instanceof Tensor)) return wrap(k.k_binary_scalar(BIN[name], this.handle, Number(other) * alpha, 0));
    if (alpha === 1) return wrap(k.k_binary(BIN[name], this.handle, other.handle));
    // other * alpha is an intermediate: released here whether the op succeeds or not (the
    // graph, if any, holds its own reference in the core)
    this.handle; // a released self is reported before anything is made
    const scaled = wrap(k.k_binary_scalar(BIN.mul, other.handle, alpha, 0));
    try {
      return wrap(k.k_binary(BIN[name], this.handle, scaled.handle));
    } finally {
      scaled.dispose();
    }
  }
  add(other, alpha) { return this._binary('add', other, alpha); }
  sub(other, alpha) { return this._binary('sub', other, alpha); }
  mul(other) { return this._binary('mul', other); }
  div(other) { return this._binary('div', other); }
  rsub(other) { return this._scalarFirst('sub', other); }
  rdiv(other) { return this._scalarFirst('div', other); }
  _scalarFirst(name, s) {
    if (typeof s !== 'number') throw typeError(name, 'a number', s);
    return wrap(k.k_binary_scalar(BIN[name], this.handle, s, 1));
  }

  _compare(name, other) {
    if (other instanceof Tensor) return wrap(k.k_compare(CMP[name], this.handle, other.handle));
    if (typeof other === 'number') return wrap(k.k_compare_scalar(CMP[name], this.handle, other));
    throw typeError(name, 'a Tensor or a number for other', other);
  }
  eq(other) { return this._compare('eq', other); }
  ne(other) { return this._compare('ne', other); }
  gt(other) { return this._compare('gt', other); }
  lt(other) { return this._compare('lt', other); }
  ge(other) { return this._compare('ge', other); }
  le(other) { return this._compare('le', other); }

  _unary(name, p = 0) { return wrap(k.k_unary(UN[name], this.handle, p)); }
  neg() { return this._unary('neg'); }
  exp() { return this._unary('exp'); }
  log() { return this._unary('log'); }
  sqrt() { return this._unary('sqrt'); }
  abs() { return this._unary('abs'); }
  relu() { return this._unary('relu'); }
  sigmoid() { return this._unary('sigmoid'); }
  tanh() { return this._unary('tanh'); }
  leaky_relu(negative_slope = 0.01) {
    return this._unary('leaky_relu', checkNumber('leaky_relu', 'negative_slope', negative_slope));
  }
  matmul(other) {
    if (!(other instanceof Tensor)) throw typeError('matmul', 'a Tensor for other', other);
    return wrap(k.k_matmul(this.handle, other.handle));
  }
  mm(other) {
    if (this.ndim !== 2 || !(other instanceof Tensor) || other.ndim !== 2)
      throw new RangeError(`mm: expected two 2-D tensors, got ${describe(this)} and ${describe(other)}`);
    return this.matmul(other);
  }

  // --- reductions -------------------------------------------------------------------
  _dim(call, dim) {
    if (typeof dim !== 'number' || !Number.isInteger(dim)) throw typeError(call, 'an integer dim', dim);
    const n = Math.max(this.ndim, 1);
    if (dim < -n || dim >= n)
      throw new RangeError(`${call}: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    return dim < 0 ? dim + n : dim;
  }

  _reduce(call, mean, dim, keepdim) {
    keepdim = keepdim ?? false;
    if (typeof keepdim !== 'boolean') throw typeError(call, 'a boolean for keepdim', keepdim);
    if (dim === undefined || dim === null) return wrap(k.k_sum(this.handle, DIM_ALL, 0, mean ? 1 : 0));
    if (Array.isArray(dim)) { // several dims: reduce the highest first so the others keep their place
      const dims = [...new Set(dim.map((d) => this._dim(call, d)))].sort((a, b) => b - a);
      let out = this;
      for (const d of dims) out = out._reduce(call, mean, d, keepdim);
      return out;
    }
    return wrap(k.k_sum(this.handle, this._dim(call, dim), keepdim ? 1 : 0, mean ? 1 : 0));
  }
  sum(dim, keepdim) { return this._reduce('sum', false, dim, keepdim); }
  mean(dim, keepdim) { return this._reduce('mean', true, dim, keepdim); }

  // max, min, argmax, argmin, norm, var, std, prod, sort, topk, pow, clamp, ...: math.js

  softmax(dim) { return this._softmax('softmax', dim, 0); }
  log_softmax(dim) { return this._softmax('log_softmax', dim, 1); }
  _softmax(call, dim, log) {
    if (dim === undefined) throw new TypeError(`${call}: missing required argument 'dim'`);
    return wrap(k.k_softmax(this.handle, this._dim(call, dim), log));
  }

  // --- shapes -----------------------------------------------------------------------
  reshape(...shape) { return wrap(k.k_reshape(this.handle, ...this._shapePtr('reshape', shape))); }
  view(...shape) { return wrap(k.k_view(this.handle, ...this._shapePtr('view', shape))); }
  _shapePtr(call, args) {
    const dims = shapeArgs(call, args);
    if (dims.length > 6) throw new RangeError(`${call}: at most 6 dimensions are supported, got ${dims.length}`);
    return [dims.length, writeInts(call, dims)];
  }
  view_as(other) { return this.view(other.shape); }
  reshape_as(other) { return this.reshape(other.shape); }
  flatten(start_dim = 0, end_dim = -1) {
    checkInt('flatten', 'start_dim', start_dim);
    checkInt('flatten', 'end_dim', end_dim);
    return wrap(k.k_flatten(this.handle, start_dim, end_dim));
  }
  squeeze(dim) {
    const shape = this.shape;
    if (dim === undefined || dim === null) return this.reshape(shape.filter((s) => s !== 1));
    const d = this._dim('squeeze', dim);
    return this.reshape(shape[d] === 1 ? shape.filter((_, i) => i !== d) : shape);
  }
  unsqueeze(dim) {
    checkInt('unsqueeze', 'dim', dim);
    const n = this.ndim + 1;
    if (dim < -n || dim >= n)
      throw new RangeError(`unsqueeze: dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`);
    const shape = this.shape;
    shape.splice(dim < 0 ? dim + n : dim, 0, 1);
    return this.reshape(shape);
  }
  permute(...dims) {
    dims = shapeArgs('permute', dims);
    if (dims.length > 6) throw new RangeError(`permute: at most 6 dimensions are supported, got ${dims.length}`);
    return wrap(k.k_permute(this.handle, dims.length, writeInts('permute', dims)));
  }
  transpose(dim0, dim1) {
    checkInt('transpose', 'dim0', dim0);
    checkInt('transpose', 'dim1', dim1);
    return wrap(k.k_transpose(this.handle, dim0, dim1));
  }
  t() {
    if (this.ndim > 2) throw new RangeError(`t: expects a tensor with <= 2 dimensions, but self is ${this.ndim}D`);
    return this.ndim < 2 ? this.clone() : this.transpose(0, 1);
  }
  get T() { return this.permute([...this._shape.keys()].reverse()); }
  index_select(dim, index) {
    if (!(index instanceof Tensor)) throw typeError('index_select', 'an int64 Tensor for index', index);
    checkInt('index_select', 'dim', dim);
    return wrap(k.k_index_select(this.handle, dim, index.handle));
  }
  narrow(dim, start, length) {
    checkInt('narrow', 'dim', dim);
    checkInt('narrow', 'start', start);
    checkInt('narrow', 'length', length, { min: 0 });
    return wrap(k.k_narrow(this.handle, dim, start, length));
  }
  /** Rows start..end-1 along dim 0 (Python's t[start:end]); negative bounds count from the end. */
  slice(start = 0, end = null) {
    this.handle;
    end ??= this._shape[0];
    if (this.ndim === 0) throw new RangeError('slice: cannot slice a 0-d tensor');
    // checked before any arithmetic, so that a bad bound is reported as the caller gave it
    checkInt('slice', 'start', start, { min: -Infinity, max: Infinity });
    checkInt('slice', 'end', end, { min: -Infinity, max: Infinity });
    const n = this._shape[0];
    const clamp = (i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const from = clamp(start);
    return this.narrow(0, from, Math.max(clamp(end) - from, 0));
  }
  expand(...shape) { return wrap(k.k_expand(this.handle, ...this._shapePtr('expand', shape))); }

  // --- indexing (indexing.js) -------------------------------------------------------
  /** Python's t[...]: t.index(0), t.index(':', 1), t.index('1:3, ::2'), t.index('...', -1), t.index(null). */
  index(...indices) { return getitem(this, indices); }
  /** Python's t[...] = value: t.setitem(':', 1, 0) is t[:, 1] = 0 (in place; returns t). */
  setitem(...args) {
    if (args.length < 1) throw new TypeError('setitem: expected the indices and then the value, got no arguments');
    const value = args.pop();
    return setitem(this, args, value);
  }
  select(dim, index) {
    checkInt('select', 'dim', dim);
    checkInt('select', 'index', index);
    return wrap(k.k_select(this.handle, dim, index));
  }
  index_put_(indices, values, accumulate = false) {
    if (isOptions(accumulate)) ({ accumulate } = parseOptions('index_put_', accumulate, { accumulate: false }));
    if (!Array.isArray(indices) || !indices.every((t) => t instanceof Tensor))
      throw typeError('index_put_', 'an array of index Tensors for indices', indices);
    if (!(values instanceof Tensor)) throw typeError('index_put_', 'a Tensor for values', values);
    if (typeof accumulate !== 'boolean') throw typeError('index_put_', 'a boolean for accumulate', accumulate);
    return setitem(this, indices, values, 'index_put_', accumulate);
  }
  index_put(indices, values, accumulate = false) { return this.clone().index_put_(indices, values, accumulate); }
  masked_fill_(mask, value) {
    if (!(mask instanceof Tensor) || mask.dtype !== 'bool') throw typeError('masked_fill_', 'a bool Tensor for mask', mask);
    if (typeof value !== 'number' && typeof value !== 'boolean' && !(value instanceof Tensor && value.ndim === 0))
      throw typeError('masked_fill_', 'a number or a 0-d Tensor for value', value);
    const full = mask.expand(this.shape);
    try {
      return setitem(this, [full], value, 'masked_fill_');
    } finally {
      full.dispose();
    }
  }
  masked_fill(mask, value) { return this.clone().masked_fill_(mask, value); }
  gather(dim, index) {
    if (isOptions(index)) ({ index } = parseOptions('gather', index, { index: undefined, sparse_grad: false }));
    checkInt('gather', 'dim', dim);
    if (!(index instanceof Tensor)) throw typeError('gather', 'an int64 Tensor for index', index);
    return wrap(k.k_gather(this.handle, dim, index.handle));
  }
  /** scatter_(dim, index, src | value, {reduce: 'add'}): self[index[i][j]][j] = src[i][j] for dim 0. */
  scatter_(dim, index, src, reduce = null) {
    if (reduce !== null && reduce !== 'add')
      throw new TypeError(`scatter_: reduce must be 'add' (kindling has no 'multiply'), got ${describe(reduce)}`);
    return this._scatter('scatter_', dim, index, src, reduce === 'add');
  }
  scatter_add_(dim, index, src) {
    if (!(src instanceof Tensor)) throw typeError('scatter_add_', 'a Tensor for src', src);
    return this._scatter('scatter_add_', dim, index, src, true);
  }
  scatter(dim, index, src, reduce = null) { return this.clone().scatter_(dim, index, src, reduce); }
  scatter_add(dim, index, src) { return this.clone().scatter_add_(dim, index, src); }
  _scatter(call, dim, index, src, accumulate) {
    checkInt(call, 'dim', dim);
    if (!(index instanceof Tensor)) throw typeError(call, 'an int64 Tensor for index', index);
    if (!(src instanceof Tensor) && typeof src !== 'number') throw typeError(call, 'a Tensor or a number for src', src);
    if (src instanceof Tensor) {
      if (src.ndim !== index.ndim || index.shape.some((n, d) => n > src.shape[d]))
        throw new RangeError(`${call}: expected index [${index.shape.join(', ')}] to be no larger than src ` +
          `[${src.shape.join(', ')}] in every dimension`);
    }
    const all = positions(this);
    const temps = [all];
    try {
      const pos = wrap(k.k_gather(all.handle, dim, index.handle));
      temps.push(pos);
      let values = src;
      if (src instanceof Tensor) temps.push((values = src.index(...index.shape.map((n) => `:${n}`))));
      else temps.push((values = wrap(k.k_full(this._dtype, 0, 0, src))));
      check(k.k_put_(this.handle, pos.handle, values.handle, accumulate ? 1 : 0));
      return this;
    } finally {
      for (const t of temps) t.dispose();
    }
  }
  nonzero(options) {
    const { as_tuple } = parseOptions('nonzero', options, { as_tuple: false });
    const coords = wrap(k.k_nonzero(this.handle));
    if (!as_tuple) return coords;
    return Array.from({ length: Math.max(this.ndim, 1) }, (_, j) => coords.select(1, j));
  }
  expand_as(other) { return this.expand(other.shape); }

  // --- dtype and in-place -----------------------------------------------------------
  /**
   * to(dtype | device | tensor, {dtype, device, non_blocking, copy, memory_format}): a cast,
   * or this tensor itself when nothing changes (as PyTorch); devices other than 'cpu' throw.
   */
  to(...args) {
    const { dtype, copy } = parseTo('to', args, Tensor);
    this.handle;
    const code = dtype === undefined ? this._dtype : dtypeCode('to', dtype);
    if (code === this._dtype) return copy ? this.clone() : this;
    return wrap(k.k_cast(this.handle, code));
  }
  float() { return this.to('float32'); }
  long() { return this.to('int64'); }
  int() { return this.to('int64'); }
  bool() { return this.to('bool'); }
  cpu() { this.handle; return this; }
  cuda() { return this.to('cuda'); }
  get device() { return CPU; }
  get is_cuda() { return false; }

  /** type() is 'torch.FloatTensor' / 'torch.LongTensor' / 'torch.BoolTensor'; type(dtype) casts like to(dtype). */
  type(dtype) {
    if (dtype === undefined || dtype === null) return TYPE_NAMES[this._dtype];
    const index = TYPE_NAMES.indexOf(dtype);
    return this.to(index >= 0 ? DTYPES[index] : dtype);
  }

  // In place (ops/inplace.c): every write bumps the version counter autograd checks.
  _inplace(name, other, s = 0, alpha = 1, lo = NaN, hi = NaN) {
    const self = this.handle;
    check(k.k_inplace(INPLACE[name], self, other ? other.handle : 0, s, alpha, lo, hi));
    return this;
  }
  _arith_(name, other, options) {
    let alpha = 1;
    if (name === 'add_' || name === 'sub_') ({ alpha } = parseOptions(name, options, { alpha: 1 }));
    else if (name === 'div_') {
      const { rounding_mode } = parseOptions(name, options, { rounding_mode: null });
      if (rounding_mode !== null)
        throw new TypeError(`div_: rounding_mode ${describe(rounding_mode)} is not supported (only true division)`);
    } else if (options !== undefined) parseOptions(name, options, {});
    if (typeof alpha !== 'number' && typeof alpha !== 'boolean') throw typeError(name, 'a number for alpha', alpha);
    if (other instanceof Tensor) return this._inplace(name, other, 0, Number(alpha));
    if (typeof other !== 'number' && typeof other !== 'boolean') throw typeError(name, 'a Tensor or a number for other', other);
    return this._inplace(name, null, Number(other), Number(alpha));
  }
  add_(other, options) { return this._arith_('add_', other, options); }
  sub_(other, options) { return this._arith_('sub_', other, options); }
  mul_(other, options) { return this._arith_('mul_', other, options); }
  div_(other, options) { return this._arith_('div_', other, options); }
  fill_(value) {
    if (value instanceof Tensor) return this._inplace('fill_', value);
    if (typeof value !== 'number' && typeof value !== 'boolean') throw typeError('fill_', 'a number or a 0-d Tensor', value);
    return this._inplace('fill_', null, Number(value));
  }
  zero_(...extra) {
    if (extra.length) throw new TypeError(`zero_: takes no arguments, got ${extra.map(describe).join(', ')}`);
    return this.fill_(0);
  }
  copy_(src, options) {
    parseOptions('copy_', options, { non_blocking: false });
    if (!(src instanceof Tensor)) throw typeError('copy_', 'a Tensor', src);
    return this._inplace('copy_', src);
  }
  /** clamp_(min, max) or clamp_({min, max}) (bound by SIGNATURES); null or undefined leaves that side open. */
  clamp_(min, max) {
    for (const [name, v] of [['min', min], ['max', max]])
      if (v !== null && v !== undefined && typeof v !== 'number') throw typeError('clamp_', `a number or null for ${name}`, v);
    return this._inplace('clamp_', null, 0, 1, min ?? NaN, max ?? NaN);
  }
  clip_(min, max) { return this.clamp_(min, max); }
  uniform_(from = 0, to = 1) {
    checkNumber('uniform_', 'from', from);
    checkNumber('uniform_', 'to', to);
    check(k.k_uniform_(this.handle, from, to));
    return this;
  }
  normal_(mean = 0, std = 1) {
    checkNumber('normal_', 'mean', mean);
    checkNumber('normal_', 'std', std);
    check(k.k_normal_(this.handle, mean, std));
    return this;
  }
}

/** PyTorch's repr (see printing.js): tensor([[1., 2.], [3., 4.]], requires_grad=True). */
export function formatTensor(t) {
  const shape = t._shape;
  const kind = t._dtype === 0 ? 'float' : t._dtype === 2 ? 'bool' : 'int';
  // a view on wasm memory, not a copy (printing reads a few elements of a summarised tensor);
  // nothing below calls the core until the body is made, so the memory cannot grow under it
  const ptr = k.k_data(t.handle);
  if (!ptr) raise();
  intOrigin.touched = false;
  const body = tensorBody(t._dtype === 0 ? f32(ptr, t.numel()) : i32(ptr, t.numel()), shape, kind, 7);
  const suffixes = [];
  if (t.numel() === 0) {
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`);
    if (t._dtype !== 0) suffixes.push(`dtype=torch.${DTYPES[t._dtype]}`);
  }
  const fn = t.grad_fn;
  if (fn) suffixes.push(`grad_fn=<${typeof fn.name === 'function' ? fn.name() : fn.name}>`);
  else if (t.requires_grad) suffixes.push('requires_grad=True');
  return addSuffixes(`tensor(${body}`, suffixes, 7);
}

// PyTorch's signatures of the methods above. Each method takes its arguments by position or
// by name in a trailing options object; an unknown name is a TypeError listing the valid ones
// (args.js, strict). backward and to() bind their own (richer) arguments.
const SIGNATURES = [
  'requires_grad_(requires_grad=true)', 'detach()', 'clone()', 'keep()', 'dispose()', 'toTypedArray()', 'dataSync()',
  'item()', 'tolist()', 'size(dim=null)', 'dim()', 'numel()',
  'add(other, *, alpha=1)', 'sub(other, *, alpha=1)', 'mul(other)', 'div(other)', 'rsub(other)', 'rdiv(other)',
  'eq(other)', 'ne(other)', 'gt(other)', 'lt(other)', 'ge(other)', 'le(other)',
  'neg()', 'exp()', 'log()', 'sqrt()', 'abs()', 'relu()', 'sigmoid()', 'tanh()', 'leaky_relu(negative_slope=0.01)',
  'matmul(other)', 'mm(mat2)',
  'sum(dim=null, keepdim=false)', 'mean(dim=null, keepdim=false)', 'softmax(dim)', 'log_softmax(dim)',
  'reshape(*shape)', 'view(*shape)', 'view_as(other)', 'reshape_as(other)', 'flatten(start_dim=0, end_dim=-1)',
  'squeeze(dim=null)', 'unsqueeze(dim)', 'permute(*dims)', 'transpose(dim0, dim1)', 't()', 'index_select(dim, index)',
  'narrow(dim, start, length)', 'slice(start=0, end=null)', 'expand(*size)', 'expand_as(other)',
  'float()', 'long()', 'int()', 'bool()', 'cpu()', 'cuda()', 'type(dtype=null)',
  'toString()', 'fill_(value)', 'zero_()', 'uniform_(from=0, to=1)', 'normal_(mean=0, std=1)',
  'is_contiguous()', 'storage_offset()', 'stride(dim=null)', 'select(dim, index)', 'clamp_(min=null, max=null)',
  'clip_(min=null, max=null)', 'masked_fill_(mask, value)', 'masked_fill(mask, value)',
  'scatter_(dim, index, src, *, reduce=null)', 'scatter(dim, index, src, *, reduce=null)',
  'scatter_add_(dim, index, src)', 'scatter_add(dim, index, src)',
];
signatures(Tensor, SIGNATURES);
