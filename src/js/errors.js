// errors.js: argument checks done in JS, with messages that name the PyTorch-level call,
// what was expected and what was given.

export function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  // String() and not a template: a Symbol cannot be converted implicitly (a bare TypeError)
  if (typeof value === 'symbol' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object' && value.constructor && value.constructor.name === 'Tensor')
    return `a Tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'object') return value.constructor ? `a ${value.constructor.name}` : 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return `the string '${value}'`;
  return `${typeof value} ${String(value)}`;
}

export function typeError(call, expected, value) {
  return new TypeError(`${call}: expected ${expected}, got ${describe(value)}`);
}

/**
 * Merges keyword options over defaults. Unknown names are a TypeError listing the valid
 * ones (so `weightDecay` is caught); undefined values keep the default.
 */
export function parseOptions(call, options, defaults) {
  if (options === undefined || options === null) return { ...defaults };
  if (typeof options !== 'object' || Array.isArray(options))
    throw typeError(call, 'an options object', options);
  const out = { ...defaults };
  for (const [name, value] of Object.entries(options)) {
    if (!Object.hasOwn(defaults, name)) // not `in`: {toString: 1} is no option either
      throw unknownOption(call, name, Object.keys(defaults));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The TypeError for an option a call does not take, listing the ones it does. out= gets its
 * own words: kindling's functions return new tensors and never write into a given one.
 */
export function unknownOption(call, name, valid) {
  const list = valid.length ? `valid options are: ${valid.join(', ')}` : 'it takes no options';
  if (name === 'out')
    return new TypeError(`${call}: the option 'out' is not supported (kindling returns a new tensor: assign the result instead); ${list}`);
  return new TypeError(`${call}: unknown option '${name}'; ${list}`);
}

/** True for a plain options object (the trailing keyword-argument bag). */
export function isOptions(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype;
}

/** The core takes every integer as an int32: anything outside wraps around if not caught here. */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

export function checkInt(call, name, value, { min = INT32_MIN, max = INT32_MAX } = {}) {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw typeError(call, `an integer for '${name}'`, value);
  if (value < min) throw new RangeError(`${call}: '${name}' must be >= ${min}, got ${value}`);
  if (value > max) throw new RangeError(`${call}: '${name}' must be <= ${max}, got ${value}`);
  return value;
}

/** A readable value in a message: NaN, Infinity and Symbol(x) as such (JSON.stringify says null or throws). */
export function showValue(value) {
  if (typeof value === 'number' || typeof value === 'symbol' || typeof value === 'bigint' || typeof value === 'function')
    return String(value);
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function checkNumber(call, name, value) {
  if (typeof value !== 'number') throw typeError(call, `a number for '${name}'`, value);
  return value;
}

export function checkBool(call, name, value) {
  if (typeof value !== 'boolean') throw typeError(call, `a boolean for '${name}'`, value);
  return value;
}
