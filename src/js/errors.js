// errors.js: argument checks done in JS, with messages that name the PyTorch-level call,
// what was expected and what was given.

export function describe(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object' && value.constructor && value.constructor.name === 'Tensor')
    return `a Tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value === 'object') return value.constructor ? `a ${value.constructor.name}` : 'an object';
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
    if (!(name in defaults)) {
      const valid = Object.keys(defaults).join(', ');
      throw new TypeError(`${call}: unknown option '${name}'; valid options are: ${valid}`);
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** True for a plain options object (the trailing keyword-argument bag). */
export function isOptions(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    Object.getPrototypeOf(value) === Object.prototype;
}

export function checkInt(call, name, value, { min = -Infinity } = {}) {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw typeError(call, `an integer for '${name}'`, value);
  if (value < min) throw new RangeError(`${call}: '${name}' must be >= ${min}, got ${value}`);
  return value;
}

export function checkNumber(call, name, value) {
  if (typeof value !== 'number') throw typeError(call, `a number for '${name}'`, value);
  return value;
}

export function checkBool(call, name, value) {
  if (typeof value !== 'boolean') throw typeError(call, `a boolean for '${name}'`, value);
  return value;
}
