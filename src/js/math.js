// math.js: torch's pointwise functions, pow / maximum / minimum / clamp / where, and the
// reductions min, max, argmin, norm, var, std, prod, sort, topk — as Tensor methods and as
// torch.* functions, with PyTorch's signatures. The arithmetic is the core's (one call per
// op); this file binds arguments, checks them and names the call in every message.
import { cString, k, scratch } from './core.js';
import { isOptions, parseOptions, typeError } from './errors.js';
import { Tensor, wrap } from './tensor.js';
import { tensor } from './creation.js';

const DIM_ALL = 0x7fff;

/** name -> kind code, read from the core's own table (first name wins: gelu before gelu_tanh). */
function kinds(nameOf) {
  const codes = {};
  for (let i = 0; ; i++) {
    const ptr = nameOf(i);
    if (!ptr) return codes;
    codes[cString(ptr)] ??= i;
  }
}
const UN = kinds(k.k_unary_name);
const BIN = kinds(k.k_binary_name);

/** The functions of one tensor that take no arguments, with torch's aliases. */
const POINTWISE = ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'log1p',
  'expm1', 'log2', 'log10', 'exp2', 'rsqrt', 'sign', 'floor', 'ceil', 'trunc', 'reciprocal', 'erf', 'frac'];
const ALIASES = { arcsin: 'asin', arccos: 'acos', arctan: 'atan', arcsinh: 'asinh', arccosh: 'acosh', arctanh: 'atanh',
  fix: 'trunc', sgn: 'sign', absolute: 'abs', negative: 'neg', clip: 'clamp', greater: 'gt', less: 'lt',
  greater_equal: 'ge', less_equal: 'le', not_equal: 'ne' };

/** One of the core's unary kernels by name (nn.functional's silu, softplus). */
export const unary = (name, t, p = 0) => wrap(k.k_unary(UN[name], t.handle, p));

function isTensor(x) { return x instanceof Tensor; }

/** A number or boolean operand as a 0-d tensor of PyTorch's dtype for a Python scalar. */
function operand(call, name, x, like) {
  if (isTensor(x)) return [x, false];
  if (typeof x !== 'number' && typeof x !== 'boolean') throw typeError(call, `a Tensor or a number for ${name}`, x);
  const dtype = typeof x === 'boolean' ? 'bool' : Number.isInteger(x) && like?.dtype !== 'float32' ? 'int64' : 'float32';
  return [tensor(x, { dtype }), true];
}

/** Runs fn(handles...) on tensors made from scalar operands, freeing those afterwards. */
function withOperands(call, pairs, fn) {
  const made = [];
  try {
    const tensors = pairs.map(([name, x, like]) => {
      const [t, fresh] = operand(call, name, x, like);
      if (fresh) made.push(t);
      return t;
    });
    return fn(...tensors);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** Reads values and indices (PyTorch's named tuple): an array [values, indices] with names. */
function valuesIndices(handle) {
  const indices = handle > 0 ? wrap(scratch()[0]) : null; // read before wrap reuses the scratch buffer
  const values = wrap(handle);
  const result = [values, indices];
  result.values = values;
  result.indices = indices;
  return result;
}

/** Refuses arguments a call does not take: an options object naming unknown options is a
 * TypeError listing the valid ones (none here), anything else a TypeError too. */
function noMore(call, args) {
  for (const extra of args) {
    if (extra === undefined) continue;
    if (isOptions(extra)) parseOptions(call, extra, {});
    else throw typeError(call, 'no further arguments', extra);
  }
}

function checkBool(call, name, value) {
  if (typeof value !== 'boolean') throw typeError(call, `a boolean for ${name}`, value);
  return value;
}

/** A dim (or null for all) checked against t; returns the non-negative dim or DIM_ALL. */
function dimArg(call, t, dim) {
  if (dim === undefined || dim === null) return DIM_ALL;
  return t._dim(call, dim);
}

/**
 * Runs a one-dim reduction over several dims: they are moved to the end and merged, so the
 * core reduces one dim; keepdim puts 1s back in their places.
 */
function overDims(call, t, dims, keepdim, reduce) {
  const list = [...new Set(dims.map((d) => t._dim(call, d)))];
  if (list.length === 0 || list.length === t.ndim) {
    const out = reduce(t, DIM_ALL);
    return keepdim ? out.reshape(t.shape.map(() => 1)) : out;
  }
  if (list.length === 1) return reduce(t, list[0], keepdim);
  const rest = [...t.shape.keys()].filter((d) => !list.includes(d));
  const moved = t.permute([...rest, ...list]).reshape([...rest.map((d) => t.shape[d]), -1]);
  const out = reduce(moved, rest.length, false);
  return keepdim ? out.reshape(t.shape.map((s, d) => (list.includes(d) ? 1 : s))) : out;
}

const methods = {
  pow(exponent, ...rest) {
    noMore('pow', rest);
    if (isOptions(exponent)) ({ exponent } = parseOptions('pow', exponent, { exponent: undefined }));
    if (typeof exponent === 'number') return wrap(k.k_unary(UN.pow, this.handle, exponent));
    if (!isTensor(exponent)) throw typeError('pow', 'a number or a Tensor for exponent', exponent);
    return wrap(k.k_binary(BIN.pow, this.handle, exponent.handle));
  },
  square(...rest) { noMore('square', rest); return wrap(k.k_unary(UN.pow, this.handle, 2)); },
  round(options, ...rest) {
    noMore('round', rest);
    const { decimals } = parseOptions('round', isOptions(options) || options === undefined ? options : { decimals: options }, { decimals: 0 });
    if (!Number.isInteger(decimals)) throw typeError('round', 'an integer for decimals', decimals);
    if (decimals === 0) return wrap(k.k_unary(UN.round, this.handle, 0));
    // ATen: nearbyint(x * 10^d) / 10^d, or nearbyint(x / 10^-d) * 10^-d for d < 0
    const scale = 10 ** Math.abs(decimals);
    return decimals > 0 ? this.mul(scale).round().div(scale) : this.div(scale).round().mul(scale);
  },
  maximum(other, ...rest) { noMore('maximum', rest); return binaryMath('maximum', this, other); },
  minimum(other, ...rest) { noMore('minimum', rest); return binaryMath('minimum', this, other); },

  /** clamp(min, max): numbers or Tensors (broadcast); at least one given. */
  clamp(min, max, ...rest) {
    noMore('clamp', rest);
    if (isOptions(min)) ({ min, max } = parseOptions('clamp', min, { min: null, max: null }));
    else if (isOptions(max)) ({ max } = parseOptions('clamp', max, { max: null }));
    min ??= null;
    max ??= null;
    if (min === null && max === null) throw new Error("clamp: at least one of 'min' or 'max' must not be None");
    if (isTensor(min) || isTensor(max)) return clampTensors(this, min, max);
    for (const [name, v] of [['min', min], ['max', max]])
      if (v !== null && typeof v !== 'number') throw typeError('clamp', `a number, a Tensor or null for ${name}`, v);
    return wrap(k.k_clamp(this.handle, min ?? -Infinity, max ?? Infinity));
  },
  clamp_min(min, ...rest) {
    noMore('clamp_min', rest);
    if (isOptions(min)) ({ min } = parseOptions('clamp_min', min, { min: undefined }));
    return this.clamp(min, null);
  },
  clamp_max(max, ...rest) {
    noMore('clamp_max', rest);
    if (isOptions(max)) ({ max } = parseOptions('clamp_max', max, { max: undefined }));
    return this.clamp(null, max);
  },

  /** Tensor.where(condition, other): self where condition, else other. */
  where(condition, other, ...rest) { noMore('where', rest); return where(condition, this, other); },

  max(dim, keepdim, ...rest) { noMore('max', rest); return extreme('max', this, dim, keepdim); },
  min(dim, keepdim, ...rest) { noMore('min', rest); return extreme('min', this, dim, keepdim); },
  argmax(dim, keepdim, ...rest) { noMore('argmax', rest); return argExtreme('argmax', this, dim, keepdim); },
  argmin(dim, keepdim, ...rest) { noMore('argmin', rest); return argExtreme('argmin', this, dim, keepdim); },

  /** norm(p = 'fro', dim = null, keepdim = false): p a number, Infinity, or 'fro'. */
  norm(p, dim, keepdim, ...rest) {
    noMore('norm', rest);
    if (isOptions(p)) ({ p, dim, keepdim } = parseOptions('norm', p, { p: 'fro', dim: null, keepdim: false, dtype: undefined }));
    else if (isOptions(dim)) ({ dim, keepdim } = parseOptions('norm', dim, { dim: null, keepdim: false, dtype: undefined }));
    else if (isOptions(keepdim)) ({ keepdim } = parseOptions('norm', keepdim, { keepdim: false, dtype: undefined }));
    p ??= 'fro';
    keepdim = checkBool('norm', 'keepdim', keepdim ?? false);
    if (p === 'fro') p = 2;
    else if (typeof p !== 'number') throw typeError('norm', "a number, Infinity or 'fro' for p", p);
    return reduceOver('norm', this, dim, keepdim, (t, d, kd) => wrap(k.k_norm(t.handle, p, d, kd ? 1 : 0)));
  },

  var(dim, unbiased, keepdim, ...rest) { return variance('var', this, [dim, unbiased, keepdim, ...rest]); },
  std(dim, unbiased, keepdim, ...rest) { return variance('std', this, [dim, unbiased, keepdim, ...rest]); },

  prod(dim, keepdim, ...rest) {
    noMore('prod', rest);
    if (isOptions(dim)) ({ dim, keepdim } = parseOptions('prod', dim, { dim: null, keepdim: false, dtype: undefined }));
    else if (isOptions(keepdim)) ({ keepdim } = parseOptions('prod', keepdim, { keepdim: false, dtype: undefined }));
    keepdim = checkBool('prod', 'keepdim', keepdim ?? false);
    if (dim === undefined || dim === null) return wrap(k.k_prod(this.handle, DIM_ALL, 0));
    return wrap(k.k_prod(this.handle, this._dim('prod', dim), keepdim ? 1 : 0));
  },

  /** sort(dim = -1, descending = false, {stable}) -> [values, indices]; always stable here. */
  sort(dim, descending, ...rest) {
    noMore('sort', rest);
    let stable;
    if (isOptions(dim)) ({ dim, descending, stable } = parseOptions('sort', dim, { dim: -1, descending: false, stable: undefined }));
    else if (isOptions(descending)) ({ descending, stable } = parseOptions('sort', descending, { descending: false, stable: undefined }));
    dim ??= -1;
    checkBool('sort', 'descending', descending ?? false);
    if (stable !== undefined) checkBool('sort', 'stable', stable);
    // always stable; PyTorch names the stable= overload's node SortBackward1
    return valuesIndices(k.k_sort(this.handle, this._dim('sort', dim), descending ? 1 : 0, stable === undefined ? 0 : 1));
  },
  argsort(dim, descending, ...rest) {
    noMore('argsort', rest);
    const [values, indices] = this.sort(...[dim, descending].filter((x) => x !== undefined));
    values.dispose();
    return indices;
  },

  /** topk(k, dim = -1, largest = true, sorted = true) -> [values, indices]. */
  topk(kk, dim, largest, sorted, ...rest) {
    noMore('topk', rest);
    if (isOptions(kk)) ({ k: kk, dim, largest, sorted } = parseOptions('topk', kk, { k: undefined, dim: -1, largest: true, sorted: true }));
    else if (isOptions(dim)) ({ dim, largest, sorted } = parseOptions('topk', dim, { dim: -1, largest: true, sorted: true }));
    else if (isOptions(largest)) ({ largest, sorted } = parseOptions('topk', largest, { largest: true, sorted: true }));
    else if (isOptions(sorted)) ({ sorted } = parseOptions('topk', sorted, { sorted: true }));
    if (!Number.isInteger(kk)) throw typeError('topk', 'an integer for k', kk);
    dim ??= -1;
    checkBool('topk', 'largest', largest ?? true);
    checkBool('topk', 'sorted', sorted ?? true); // the result is always sorted: a valid order for sorted=false too
    if (kk < -(2 ** 31) || kk >= 2 ** 31) throw new RangeError(`topk: k = ${kk} is out of range`);
    return valuesIndices(k.k_topk(this.handle, kk, this._dim('topk', dim), largest ?? true ? 1 : 0));
  },
};
for (const name of POINTWISE)
  methods[name] = function (...rest) { noMore(name, rest); return wrap(k.k_unary(UN[name], this.handle, 0)); };
for (const [alias, name] of Object.entries(ALIASES))
  methods[alias] = function (...args) { return this[name](...args); };
Object.assign(Tensor.prototype, methods);

function binaryMath(call, a, other) {
  if (!isTensor(other)) throw typeError(call, 'a Tensor for other', other);
  return wrap(k.k_binary(BIN[call], a.handle, other.handle));
}

/** clamp with Tensor bounds (a number beside a Tensor becomes a 0-d tensor), broadcast. */
function clampTensors(x, min, max) {
  return withOperands('clamp', [['min', min ?? 0, x], ['max', max ?? 0, x]],
    (lo, hi) => wrap(k.k_clamp_tensor(x.handle, min === null ? 0 : lo.handle, max === null ? 0 : hi.handle)));
}

/** torch.where(condition, input, other): numbers are allowed for input and other. */
export function where(condition, input, other, ...rest) {
  noMore('where', rest);
  if (!isTensor(condition)) throw typeError('where', 'a bool Tensor for condition', condition);
  if (input === undefined && other === undefined)
    throw new TypeError('where: the one-argument form where(condition) is not supported; use condition.nonzero()');
  const like = isTensor(input) ? input : isTensor(other) ? other : null;
  return withOperands('where', [['input', input, like], ['other', other, like]],
    (a, b) => wrap(k.k_where(condition.handle, a.handle, b.handle)));
}

function extreme(call, t, dim, keepdim) {
  if (isOptions(dim)) ({ dim, keepdim } = parseOptions(call, dim, { dim: undefined, keepdim: false }));
  else if (isOptions(keepdim)) ({ keepdim } = parseOptions(call, keepdim, { keepdim: false }));
  if (isTensor(dim)) return binaryMath(call === 'max' ? 'maximum' : 'minimum', t, dim);
  if (dim === undefined || dim === null) {
    if (keepdim !== undefined) throw new TypeError(`${call}: keepdim needs a dim`);
    return wrap(call === 'max' ? k.k_max_all(t.handle) : k.k_min_all(t.handle));
  }
  keepdim = checkBool(call, 'keepdim', keepdim ?? false);
  const d = t._dim(call, dim);
  return valuesIndices(call === 'max' ? k.k_max_dim(t.handle, d, keepdim ? 1 : 0) : k.k_min_dim(t.handle, d, keepdim ? 1 : 0));
}

function argExtreme(call, t, dim, keepdim) {
  if (isOptions(dim)) ({ dim, keepdim } = parseOptions(call, dim, { dim: undefined, keepdim: false }));
  else if (isOptions(keepdim)) ({ keepdim } = parseOptions(call, keepdim, { keepdim: false }));
  keepdim = checkBool(call, 'keepdim', keepdim ?? false);
  const fn = call === 'argmax' ? k.k_argmax : k.k_argmin;
  if (dim === undefined || dim === null) {
    const flat = wrap(fn(t.handle, DIM_ALL, 0));
    return keepdim ? flat.reshape(t.shape.map(() => 1)) : flat;
  }
  return wrap(fn(t.handle, t._dim(call, dim), keepdim ? 1 : 0));
}

/** A reduction over dim: null (all), an int, or an array of ints. */
function reduceOver(call, t, dim, keepdim, reduce) {
  if (dim === undefined || dim === null) {
    const out = reduce(t, DIM_ALL, false);
    return keepdim ? out.reshape(t.shape.map(() => 1)) : out;
  }
  if (Array.isArray(dim)) return overDims(call, t, dim, keepdim, reduce);
  return reduce(t, t._dim(call, dim), keepdim);
}

/**
 * var / std as PyTorch 2: (dim = null, {correction = 1, keepdim = false}), and the older
 * (dim, unbiased, keepdim) and (unbiased) forms.
 */
function variance(call, t, args) {
  while (args.length && args[args.length - 1] === undefined) args.pop();
  let options = {};
  if (args.length && isOptions(args[args.length - 1])) options = args.pop();
  let { dim, unbiased, correction, keepdim } = parseOptions(call, options, { dim: undefined, unbiased: undefined, correction: undefined, keepdim: undefined });
  const positional = typeof args[0] === 'boolean' ? [undefined, ...args] : args; // std(false): unbiased
  if (positional.length > 3) throw new TypeError(`${call}: takes at most 3 positional arguments, got ${positional.length}`);
  const names = ['dim', 'unbiased', 'keepdim'];
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const given = { dim, unbiased, keepdim }[names[i]];
    if (given !== undefined) throw new TypeError(`${call}: got multiple values for argument '${names[i]}'`);
    if (i === 0) dim = v;
    else if (i === 1) unbiased = v;
    else keepdim = v;
  });
  if (unbiased !== undefined && correction !== undefined)
    throw new TypeError(`${call}: give either unbiased or correction, not both`);
  if (unbiased !== undefined) correction = checkBool(call, 'unbiased', unbiased) ? 1 : 0;
  correction ??= 1;
  if (typeof correction !== 'number' || !Number.isFinite(correction)) throw typeError(call, 'a number for correction', correction);
  keepdim = checkBool(call, 'keepdim', keepdim ?? false);
  const sqrt = call === 'std' ? 1 : 0;
  return reduceOver(call, t, dim, keepdim, (x, d, kd) => wrap(k.k_var(x.handle, d, correction, kd ? 1 : 0, sqrt)));
}

// --- torch.* functions -----------------------------------------------------------------
function tensorArg(call, t) {
  if (!isTensor(t)) throw typeError(call, 'a Tensor for input', t);
  return t;
}
const fn = (name) => (input, ...args) => tensorArg(name, input)[name](...args);

export const sin = fn('sin'), cos = fn('cos'), tan = fn('tan'), asin = fn('asin'), acos = fn('acos'), atan = fn('atan');
export const sinh = fn('sinh'), cosh = fn('cosh'), asinh = fn('asinh'), acosh = fn('acosh'), atanh = fn('atanh');
export const arcsin = fn('arcsin'), arccos = fn('arccos'), arctan = fn('arctan');
export const arcsinh = fn('arcsinh'), arccosh = fn('arccosh'), arctanh = fn('arctanh');
export const log1p = fn('log1p'), expm1 = fn('expm1'), log2 = fn('log2'), log10 = fn('log10'), exp2 = fn('exp2');
export const rsqrt = fn('rsqrt'), sign = fn('sign'), sgn = fn('sgn'), floor = fn('floor'), ceil = fn('ceil');
export const round = fn('round'), trunc = fn('trunc'), fix = fn('fix'), frac = fn('frac');
export const reciprocal = fn('reciprocal'), erf = fn('erf'), square = fn('square');
export const absolute = fn('absolute'), negative = fn('negative');
export const clamp = fn('clamp'), clip = fn('clip'), clamp_min = fn('clamp_min'), clamp_max = fn('clamp_max');
export const maximum = fn('maximum'), minimum = fn('minimum');
export const greater = fn('greater'), less = fn('less'), greater_equal = fn('greater_equal');
export const less_equal = fn('less_equal'), not_equal = fn('not_equal');
export const max = fn('max'), min = fn('min'), argmax = fn('argmax'), argmin = fn('argmin');
export const norm = fn('norm'), prod = fn('prod'), sort = fn('sort'), argsort = fn('argsort'), topk = fn('topk');
export const std = fn('std');
const var_ = fn('var');
export { var_ as var };

/** torch.pow(input, exponent): input or exponent may be a number (not both). */
export function pow(input, exponent, ...rest) {
  if (isTensor(input)) return input.pow(exponent, ...rest);
  noMore('pow', rest);
  if (typeof input !== 'number') throw typeError('pow', 'a Tensor or a number for input', input);
  if (!isTensor(exponent)) throw typeError('pow', 'a Tensor for exponent when input is a number', exponent);
  return wrap(k.k_binary_scalar(BIN.pow, exponent.handle, input, 1));
}
