// args.js: binds PyTorch-style arguments — positional in PyTorch's order, then any of
// them by name in a trailing options object — to a plain object of named values.
import { isOptions, typeError, unknownOption } from './errors.js';

/**
 * bind('conv2d', args, [['input'], ['weight'], ['bias', null], ['stride', 1], ...])
 * Entries without a default are required. Unknown option names are a TypeError listing the
 * valid ones; a value given both by position and by name is a TypeError, as in Python.
 */
export function bind(call, args, spec) {
  let positional = args;
  let options = {};
  if (args.length > 0 && isOptions(args[args.length - 1]) && args.length <= spec.length + 1) {
    const last = args.length - 1;
    // A trailing plain object is the options bag unless it stands where a spec entry that
    // accepts objects is expected — none of torch's arguments are plain objects.
    positional = args.slice(0, last);
    options = args[last];
  }
  if (positional.length > spec.length)
    throw new TypeError(`${call}: takes at most ${spec.length} positional arguments but ${positional.length} were given`);
  const out = {};
  const names = spec.map(([name]) => name);
  spec.forEach(([name, ...rest], i) => {
    if (i < positional.length && positional[i] !== undefined) out[name] = positional[i];
    else if (rest.length) out[name] = rest[0];
  });
  for (const [name, value] of Object.entries(options)) {
    const i = names.indexOf(name);
    if (i < 0) throw unknownOption(call, name, names);
    if (i < positional.length && positional[i] !== undefined)
      throw new TypeError(`${call}: got multiple values for argument '${name}'`);
    if (value !== undefined) out[name] = value;
  }
  for (const [name, ...rest] of spec)
    if (!rest.length && out[name] === undefined) throw new TypeError(`${call}: missing required argument '${name}'`);
  return out;
}

/** An int or a pair of ints, as PyTorch's _pair: returns [a, b]. */
export function pair(call, name, value, { min = -Infinity } = {}) {
  const values = typeof value === 'number' ? [value, value] : value;
  if (!Array.isArray(values) || values.length !== 2 || !values.every((v) => Number.isInteger(v)))
    throw typeError(call, `an int or a pair of ints for ${name}`, value);
  for (const v of values) if (v < min) throw new RangeError(`${call}: ${name} must be >= ${min}, got ${JSON.stringify(value)}`);
  return values;
}

/** Python's repr of a float (1e-05, 0.1, 1.0) for module reprs. */
export function pyFloat(v) {
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  if (v !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e16)) {
    const [mantissa, exponent] = v.toExponential().split('e');
    const sign = exponent[0] === '-' ? '-' : '+';
    return `${mantissa}e${sign}${exponent.replace(/^[-+]/, '').padStart(2, '0')}`;
  }
  return String(v);
}

/** Python's repr of a value inside a module repr: tuples for pairs, True/False, None. */
export function pyRepr(v) {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (Array.isArray(v)) return `(${v.map(pyRepr).join(', ')}${v.length === 1 ? ',' : ''})`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' && !Number.isInteger(v)) return pyFloat(v);
  return String(v);
}

/**
 * A PyTorch-style signature, parsed once: strict('add(other, *, alpha=1)', impl) returns a
 * function that takes its arguments by position (in that order; none after '*') or by name in
 * a trailing options object, rejects unknown names (TypeError listing the valid ones), extra
 * positional arguments and missing required ones, and calls impl with the values in
 * signature order (undefined where not given, so impl's own defaults apply; the defaults
 * written in the signature are documentation). '*name' takes the remaining positional
 * arguments (reshape(*shape)), also given by name as an array.
 */
/** bindArgs('Sampler(data_source=null)', args): the values strict() would pass, for constructors. */
export const bindArgs = (text, args) => bindSignature(parseSignature(text), args);

/**
 * Gives methods of a class their signatures: signatures(Foo, ['len()', 'getitem(index)']) wraps
 * each Foo.prototype method with strict(). Subclasses that override a method define their own.
 */
export function signatures(cls, texts) {
  for (const text of texts) {
    const sig = parseSignature(text);
    const name = sig.call.slice(sig.call.lastIndexOf('.') + 1);
    const impl = cls.prototype[name];
    if (typeof impl !== 'function') throw new Error(`signatures: ${cls.name} has no method ${name} (${text})`);
    // 'Module.parameters(...)' names the instance's own class in messages (Net.parameters)
    const named = sig.call.includes('.') ? (self) => ({ ...sig, call: `${self?.constructor?.name ?? cls.name}.${name}` }) : () => sig;
    Object.defineProperty(cls.prototype, name, {
      value: function (...args) { return impl.apply(this, bindSignature(named(this), args)); },
      writable: true, configurable: true,
    });
  }
}

export function strict(text, impl) {
  const sig = parseSignature(text);
  return function (...args) { return impl.apply(this, bindSignature(sig, args)); };
}

const parsed = new Map();
export function parseSignature(text) {
  if (parsed.has(text)) return parsed.get(text);
  const m = /^([\w.]+)\((.*)\)$/.exec(text);
  if (!m) throw new Error(`strict: bad signature ${text}`);
  const params = [];
  let kwonly = false;
  for (const part of m[2].split(',').map((p) => p.trim()).filter(Boolean)) {
    if (part === '*') { kwonly = true; continue; }
    const rest = part.startsWith('*');
    const [head, def] = (rest ? part.slice(1) : part).split('=');
    const [name, type] = head.split(':').map((w) => w.trim());
    params.push({ name, required: def === undefined && !rest, kwonly, rest, any: type === 'any' });
  }
  const sig = {
    call: m[1], params, names: params.map((p) => p.name),
    // for the fast path: plain positional calls need no binding
    simple: !params.some((p) => p.rest), positional: params.filter((p) => !p.kwonly).length,
    required: params.filter((p) => p.required).length,
  };
  parsed.set(text, sig);
  return sig;
}

function bindSignature(sig, args) {
  const n = args.length;
  // the common case first (every op in a training loop): positional only, all required given
  if (sig.simple && n <= sig.positional && n >= sig.required && !(n && isOptions(args[n - 1]))) {
    let ok = true;
    for (let j = 0; j < sig.required; j++) if (args[j] === undefined) ok = false;
    if (ok) return args;
  }
  const { call, params, names } = sig;
  let options = null;
  const at = params[args.length - 1];
  // a plain object where an `any` parameter stands is that argument, not the options
  if (args.length && isOptions(args[args.length - 1]) && !(at && at.any && !at.kwonly && !at.rest)) {
    options = args[args.length - 1];
    args = args.slice(0, -1);
  }
  const values = new Array(params.length).fill(undefined);
  const given = new Array(params.length).fill(false);
  let i = 0;
  for (const [j, p] of params.entries()) {
    if (p.kwonly || i >= args.length) break;
    if (p.rest) { values[j] = args.slice(i); given[j] = true; i = args.length; break; }
    values[j] = args[i++];
    given[j] = values[j] !== undefined;
  }
  if (i < args.length) {
    const positional = params.filter((p) => !p.kwonly).length;
    if (!params.length) throw new TypeError(`${call}: takes no arguments (${args.length} given)`);
    throw new TypeError(`${call}: takes ${positional ? `at most ${positional}` : 'no'} positional argument${positional === 1 ? '' : 's'} but ${args.length} were given`);
  }
  if (options)
    for (const [name, value] of Object.entries(options)) {
      const j = names.indexOf(name);
      if (j < 0) throw unknownOption(call, name, names);
      if (given[j]) throw new TypeError(`${call}: got multiple values for argument '${name}'`);
      if (value === undefined) continue;
      if (params[j].rest && !Array.isArray(value)) throw typeError(call, `an array for ${name}`, value);
      values[j] = value;
      given[j] = true;
    }
  for (const [j, p] of params.entries())
    if (p.required && !given[j]) throw new TypeError(`${call}: missing required argument '${p.name}'`);
  // a rest parameter is spread back: impl(...values) sees reshape(2, 3) either way
  const restAt = params.findIndex((p) => p.rest);
  if (restAt >= 0) return [...values.slice(0, restAt), ...(values[restAt] ?? []), ...values.slice(restAt + 1)];
  return values;
}
