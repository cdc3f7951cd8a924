// printing.js: PyTorch's tensor repr (torch/_tensor_str.py) and torch.set_printoptions —
// summarised past `threshold` elements with `edgeitems` at each end, fixed or scientific
// notation chosen as PyTorch chooses it, lines wrapped at `linewidth`. Iterative over the
// flat data (no recursion per element), so an [8000, 784] tensor prints as quickly as a small one.
//
// Numbers are rounded as Python's format() rounds them (the exact binary value, ties to
// even), which JS's toFixed does not (it rounds ties up): 0.03125 prints 0.0312 as in PyTorch.
import { strict } from './args.js';
import { typeError } from './errors.js';

const DEFAULTS = { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80, sci_mode: null };
const PROFILES = {
  default: { precision: 4, threshold: 1000, edgeitems: 3, linewidth: 80 },
  short: { precision: 2, threshold: 1000, edgeitems: 2, linewidth: 80 },
  full: { precision: 4, threshold: Infinity, edgeitems: 3, linewidth: 80 },
};
const opts = { ...DEFAULTS };

/** torch.set_printoptions({precision, threshold, edgeitems, linewidth, profile, sci_mode}) */
export const set_printoptions = strict('set_printoptions(precision=null, threshold=null, edgeitems=null, linewidth=null, profile=null, sci_mode=null)',
  (precision = null, threshold = null, edgeitems = null, linewidth = null, profile = null, sci_mode = null) => {
  const o = { precision, threshold, edgeitems, linewidth, profile, sci_mode };
  if (o.profile !== null) {
    if (typeof o.profile !== 'string' || !Object.hasOwn(PROFILES, o.profile))
      throw new TypeError(`set_printoptions: profile must be 'default', 'short' or 'full', got ${JSON.stringify(o.profile)}`);
  }
  for (const name of ['precision', 'edgeitems', 'linewidth'])
    if (o[name] !== null && !(Number.isInteger(o[name]) && o[name] >= 0))
      throw typeError('set_printoptions', `a non-negative integer for ${name}`, o[name]);
  if (o.threshold !== null && !(typeof o.threshold === 'number' && o.threshold >= 0))
    throw typeError('set_printoptions', 'a non-negative number (or Infinity) for threshold', o.threshold);
  if (o.sci_mode !== null && typeof o.sci_mode !== 'boolean') throw typeError('set_printoptions', 'a boolean or null for sci_mode', o.sci_mode);
  if (o.precision !== null && o.precision > 100) throw new RangeError(`set_printoptions: precision must be <= 100, got ${o.precision}`);
  // checked first, then applied: a bad call changes nothing
  if (o.profile !== null) Object.assign(opts, PROFILES[o.profile]);
  for (const name of ['precision', 'threshold', 'edgeitems', 'linewidth']) if (o[name] !== null) opts[name] = o[name];
  opts.sci_mode = o.sci_mode; // as PyTorch: every call sets it (None when not given)
});

/** The current print options (a copy). */
export const get_printoptions = strict('get_printoptions()', () => ({ ...opts }));

// --- Python's float formatting ------------------------------------------------------------

const view = new DataView(new ArrayBuffer(8));

/** The exact decimal value of a finite double: [sign, digits, point] (value = 0.digits * 10^point). */
function exactDecimal(x) {
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = biased - 1075;
  if (biased) mantissa |= 1n << 52n;
  else exp = -1074;
  if (mantissa === 0n) return [sign, '0', 1];
  let digits, point;
  if (exp >= 0) {
    digits = (mantissa << BigInt(exp)).toString();
    point = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-exp)).toString(); // mantissa * 2^exp = that / 10^-exp
    point = digits.length + exp;
  }
  return [sign, digits, point];
}

/** round(0.d * 10^n) for a digit string d and n >= 0, ties to even, as a BigInt. */
function roundTo(d, n) {
  const kept = BigInt(d.slice(0, n).padEnd(n, '0') || '0');
  const rest = d.slice(n);
  if (!rest || rest[0] < '5') return kept;
  const up = rest[0] > '5' || /[1-9]/.test(rest.slice(1)) || kept % 2n === 1n;
  return up ? kept + 1n : kept;
}

/** Python's '{:.{p}f}'.format(x). */
export function pyFixed(x, p) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [sign, digits, point] = exactDecimal(x);
  const n = point + p; // digits of round(x * 10^p)
  const s = (n < 0 ? 0n : roundTo(digits, n)).toString().padStart(p + 1, '0');
  return sign + (p ? `${s.slice(0, -p)}.${s.slice(-p)}` : s);
}

/** Python's '{:.{p}e}'.format(x): 1.2346e+05. */
export function pyExp(x, p) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const [sign, digits, point] = exactDecimal(x);
  let r = '0'.repeat(p + 1);
  let exponent = 0;
  if (digits !== '0') {
    const significant = digits.replace(/^0+/, '');
    exponent = point - (digits.length - significant.length) - 1;
    r = roundTo(significant, p + 1).toString();
    if (r.length > p + 1) { // 9.99995 -> 10.0000: one more power of ten
      r = r.slice(0, p + 1);
      exponent += 1;
    }
  }
  const e = Math.abs(exponent);
  return `${sign}${r[0]}${p ? '.' + r.slice(1) : ''}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

// --- the formatter (PyTorch's _Formatter) -----------------------------------------------

function formatter(values, kind) {
  const f = { kind, intMode: true, sci: false, width: 1 };
  if (kind !== 'float') {
    for (const v of values) f.width = Math.max(f.width, cell(kind, v).length);
    return f;
  }
  const finite = [];
  for (const v of values) if (Number.isFinite(v) && v !== 0) finite.push(v);
  if (finite.length) {
    let min = Infinity, max = 0;
    for (const v of finite) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (f.intMode && v !== Math.ceil(v)) f.intMode = false;
    }
    const wide = max / min > 1000 || max > 1e8;
    if (f.intMode) {
      if (wide) {
        f.sci = true;
        for (const v of finite) f.width = Math.max(f.width, pyExp(v, opts.precision).length);
      } else for (const v of finite) f.width = Math.max(f.width, pyFixed(v, 0).length + 1);
    } else if (wide || min < 1e-4) {
      f.sci = true;
      for (const v of finite) f.width = Math.max(f.width, pyExp(v, opts.precision).length);
    } else for (const v of finite) f.width = Math.max(f.width, pyFixed(v, opts.precision).length);
  }
  if (opts.sci_mode !== null) f.sci = opts.sci_mode;
  return f;
}

function cell(kind, v) {
  if (kind === 'bool') return v ? 'True' : 'False';
  return String(v);
}

function format(f, v) {
  let s;
  if (f.kind !== 'float') s = cell(f.kind, v);
  else if (f.sci) s = pyExp(v, opts.precision);
  else if (f.intMode) s = pyFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
  else s = pyFixed(v, opts.precision);
  return s.padStart(f.width);
}

// --- layout ------------------------------------------------------------------------------

/** The indices kept along a dimension of size n: all, or edgeitems at each end (null = '...'). */
function kept(n, summarize) {
  const e = opts.edgeitems;
  if (!summarize || n <= 2 * e) return Array.from({ length: n }, (_, i) => i);
  return [...Array.from({ length: e }, (_, i) => i), null, ...Array.from({ length: e }, (_, i) => n - e + i)];
}

/**
 * The body of the repr (between 'tensor(' and the suffixes), as _tensor_str(self, indent).
 * data is the flat, contiguous values; kind 'float' | 'int' | 'bool'.
 */
export function tensorBody(data, shape, kind, indent) {
  const numel = shape.reduce((a, b) => a * b, 1);
  if (numel === 0) return '[]';
  const summarize = numel > opts.threshold;
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  // the summarised values decide the format, as get_summarized_data does
  const shown = [];
  const collect = (dim, offset) => {
    if (dim === shape.length) return void shown.push(data[offset]);
    for (const i of kept(shape[dim], summarize)) if (i !== null) collect(dim + 1, offset + i * strides[dim]);
  };
  if (shape.length === 0 || !summarize) for (let i = 0; i < numel; i++) shown.push(data[i]);
  else collect(0, 0); // depth is the tensor's rank (<= 6), not its size
  const f = formatter(shown, kind);
  if (shape.length === 0) return format(f, data[0]);

  const vector = (offset, ind) => {
    const perLine = Math.max(1, Math.floor((opts.linewidth - ind) / (f.width + 2)));
    const cells = kept(shape[shape.length - 1], summarize).map((i) => (i === null ? ' ...' : format(f, data[offset + i])));
    const lines = [];
    for (let i = 0; i < cells.length; i += perLine) lines.push(cells.slice(i, i + perLine).join(', '));
    return '[' + lines.join(',\n' + ' '.repeat(ind + 1)) + ']';
  };
  const render = (dim, offset, ind) => {
    if (dim === shape.length - 1) return vector(offset, ind);
    const parts = kept(shape[dim], summarize).map((i) => (i === null ? '...' : render(dim + 1, offset + i * strides[dim], ind + 1)));
    return '[' + parts.join(',' + '\n'.repeat(shape.length - dim - 1) + ' '.repeat(ind + 1)) + ']';
  };
  return render(0, 0, indent);
}

/** PyTorch's _add_suffixes: ', suffix' on the last line while it fits in linewidth. */
export function addSuffixes(text, suffixes, indent) {
  const out = [text];
  let lastLine = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLine + suffix.length + 2 > opts.linewidth) {
      out.push(',\n' + ' '.repeat(indent) + suffix);
      lastLine = indent + suffix.length;
    } else {
      out.push(', ' + suffix);
      lastLine += suffix.length + 2;
    }
  }
  out.push(')');
  return out.join('');
}
