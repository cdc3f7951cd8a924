// args.js: binds PyTorch-style arguments — positional in PyTorch's order, then any of
// them by name in a trailing options object — to a plain object of named values.
import { isOptions, typeError } from './errors.js';

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
    if (i < 0) throw new TypeError(`${call}: unknown option '${name}'; valid options are: ${names.join(', ')}`);
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
