// indexing.js: Python's subscripts in JavaScript. `t[i]`, `t[:, i]`, `t[1:3, ::2]`,
// `t[..., -1]`, `t[None]` are written t.index(i), t.index(':', i), t.index('1:3', '::2')
// (or t.index('1:3, ::2')), t.index('...', -1), t.index(null): numbers are integers,
// strings are Python's own slice syntax, '...' is the ellipsis and null (or 'None') is
// None. Index tensors, arrays of integers and boolean masks give advanced indexing, with
// PyTorch's broadcasting and placement of the indexed dims. `t[idx] = v` is
// t.setitem(...idx, v). Basic indexing returns a view (ops/view.c); advanced indexing a
// copy (ops/gather.c); both are differentiable. The parsing and argument policy live
// here, every check on shapes and bounds in the core.
import { check, k, writeInts } from './core.js';
import { tensor } from './creation.js';
import { describe } from './errors.js';
import { Tensor, wrap } from './tensor.js';

const INT = 0, SLICE = 1, NONE = 2, ELLIPSIS = 3;
const NONE_BOUND = -(2 ** 31); // an omitted slice bound (IDX_NONE_BOUND in ops.h)
const SLICE_RE = /^(-?\d+)?:(-?\d+)?(?::(-?\d+)?)?$/;

const bound = (s) => (s === undefined ? NONE_BOUND : Math.min(Math.max(Number(s), -(2 ** 31) + 1), 2 ** 31 - 1));

function parseString(call, text, out) {
  for (const part of text.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (p === '...') out.push({ kind: ELLIPSIS });
    else if (p === 'None') out.push({ kind: NONE });
    else if (/^-?\d+$/.test(p)) out.push({ kind: INT, i: Number(p) });
    else {
      const m = SLICE_RE.exec(p);
      if (!m)
        throw new TypeError(`${call}: cannot read the index '${text}': each part must be an integer, a slice such as ` +
          `'1:3' or '::2', '...' or 'None'`);
      out.push({ kind: SLICE, start: bound(m[1]), stop: bound(m[2]), step: m[3] === undefined ? 1 : Number(m[3]) });
    }
  }
}

const isBoolArray = (a) => Array.isArray(a) ? a.length > 0 && a.every(isBoolArray) : typeof a === 'boolean';

/** Turns the arguments into items; temporaries made here are pushed onto owned. */
function parseItems(call, args, owned) {
  const items = [];
  for (const a of args) {
    if (typeof a === 'string') parseString(call, a, items);
    else if (typeof a === 'number') {
      if (!Number.isInteger(a))
        throw new TypeError(`${call}: only integers, slices (':'), ellipsis ('...'), None (null) and int64 or bool ` +
          `tensors are valid indices, got ${describe(a)}`);
      items.push({ kind: INT, i: a });
    } else if (a === null) items.push({ kind: NONE });
    else if (a instanceof Tensor || Array.isArray(a)) {
      let t = a;
      if (Array.isArray(a)) {
        t = tensor(a, isBoolArray(a) ? { dtype: 'bool' } : undefined);
        owned.push(t);
      }
      items.push({ kind: t.dtype === 'bool' ? 'mask' : 'tensor', t });
    } else {
      throw new TypeError(`${call}: only integers, slices (':'), ellipsis ('...'), None (null) and int64 or bool ` +
        `tensors are valid indices, got ${describe(a)}`);
    }
  }
  return items;
}

/**
 * The view part of an index (tensor indices replaced by ':') and, per dim of that view,
 * the index tensor that applies there (or null). Masks become their nonzero coordinates.
 */
function plan(call, self, items, owned) {
  const ndim = self.ndim;
  if (items.filter((it) => it.kind === ELLIPSIS).length > 1)
    throw new RangeError(`${call}: an index can only have a single ellipsis ('...')`);
  const consumed = items.reduce((n, it) =>
    n + (it.kind === INT || it.kind === SLICE || it.kind === 'tensor' ? 1 : it.kind === 'mask' ? it.t.ndim : 0), 0);
  if (consumed > ndim) throw new RangeError(`${call}: too many indices for tensor of dimension ${ndim}`);
  const view = [], advanced = [];
  let inDim = 0, outDim = 0;
  const full = () => { view.push({ kind: SLICE, start: NONE_BOUND, stop: NONE_BOUND, step: 1 }); inDim++; outDim++; };
  for (const it of items) {
    if (it.kind === INT) { view.push(it); inDim++; }
    else if (it.kind === SLICE) { view.push(it); inDim++; outDim++; }
    else if (it.kind === NONE) { view.push(it); outDim++; }
    else if (it.kind === ELLIPSIS) {
      view.push(it);
      inDim += ndim - consumed;
      outDim += ndim - consumed;
    } else if (it.kind === 'tensor') {
      advanced[outDim] = it.t;
      full();
    } else { // a boolean mask over the next mask.ndim dims
      const mask = it.t, shape = self.shape;
      for (let j = 0; j < mask.ndim; j++)
        if (mask.shape[j] !== shape[inDim + j])
          throw new RangeError(`${call}: the shape of the mask [${mask.shape.join(', ')}] at index ${j} does not ` +
            `match the shape of the indexed tensor [${shape.join(', ')}] at index ${inDim + j}`);
      const coords = wrap(k.k_nonzero(mask.handle));
      owned.push(coords);
      for (let j = 0; j < mask.ndim; j++) {
        const column = wrap(k.k_select(coords.handle, 1, j));
        owned.push(column);
        advanced[outDim] = column;
        full();
      }
    }
  }
  return [view, advanced];
}

function viewOf(self, view) {
  const ints = [];
  for (const it of view) {
    if (it.kind === INT) ints.push(INT, it.i, 0, 0);
    else if (it.kind === SLICE) ints.push(SLICE, it.start, it.stop, it.step);
    else ints.push(it.kind, 0, 0, 0);
  }
  const handle = self.handle;
  return wrap(k.k_index_view(handle, view.length, writeInts('index', ints)));
}

/** self[...args] (Python's __getitem__). */
export function getitem(self, args, call = 'index') {
  const owned = [];
  try {
    const [view, advanced] = plan(call, self, parseItems(call, args, owned), owned);
    const v = viewOf(self, view);
    if (!advanced.length) return v;
    owned.push(v);
    const handles = Array.from({ length: v.ndim }, (_, d) => (advanced[d] ? advanced[d].handle : 0));
    return wrap(k.k_index(v.handle, handles.length, writeInts(call, handles)));
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** The row-major position of every element of self, shaped like self (int64). */
function positions(self) {
  const flat = wrap(k.k_arange(0, self.numel(), 1, 1));
  try {
    return wrap(k.k_reshape(flat.handle, self.ndim, writeInts('setitem', self.shape)));
  } finally {
    flat.dispose();
  }
}

function valueTensor(call, self, value, owned) {
  if (value instanceof Tensor) return value;
  let t;
  if (typeof value === 'number' || typeof value === 'boolean')
    t = wrap(k.k_full(self._dtype, 0, 0, Number(value)));
  else if (Array.isArray(value)) t = tensor(value, { dtype: self.dtype });
  else throw new TypeError(`${call}: expected a number, a Tensor or an array for the value, got ${describe(value)}`);
  owned.push(t);
  return t;
}

/**
 * self[...index] = value (Python's __setitem__), in place. Basic indices without autograd
 * write through a view (fill_ / copy_); otherwise the element positions are computed by
 * indexing a tensor of positions the same way, and put_ writes them — recorded for
 * autograd like PyTorch's index_put_ when self or value requires grad.
 */
export function setitem(self, args, value, call = 'setitem', accumulate = false) {
  const owned = [];
  try {
    const items = parseItems(call, args, owned);
    const v = valueTensor(call, self, value, owned);
    const recording = k.k_grad_enabled() === 1 && (self.requires_grad || v.requires_grad);
    const advanced = items.some((it) => it.kind === 'tensor' || it.kind === 'mask');
    if (!advanced && !recording && !accumulate) {
      const region = getitem(self, args, call);
      owned.push(region);
      try {
        check(k.k_inplace(5 /* copy_ */, region.handle, v.handle, 0, 1, NaN, NaN));
      } catch (e) { // the core names the copy_ it ran; the user called setitem
        throw new e.constructor(e.message.replace(/^copy_:/, `${call}:`));
      }
      return self;
    }
    const all = positions(self);
    owned.push(all);
    const pos = getitem(all, args, call);
    owned.push(pos);
    check(k.k_put_(self.handle, pos.handle, v.handle, accumulate ? 1 : 0));
    return self;
  } finally {
    for (const t of owned) t.dispose();
  }
}

export { positions };
