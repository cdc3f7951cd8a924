// bad-input-arbitraries.js: helpers for tests/bad-inputs.test.js — fast-check arbitraries
// for malformed arguments, and the harness that runs one malformed call and checks the
// invariants every failed call must keep:
//   (a) it throws the expected JS error class, and the message names the call;
//   (b) no wasm trap surfaces, and a canary computation still gives the right number;
//   (c) torch.memory_stats().live_tensors / live_bytes are unchanged (nothing leaked);
//   (d) nothing is half-modified: watched tensors and snapshots are bit-identical.
// It is not a test file itself (no *.test.js suffix); it holds no cases.
import fc from 'fast-check';
import * as torch from '../dist/index.js';

// --- seed and run counts ---------------------------------------------------------------
/** One fixed seed for the whole suite (override with KINDLING_FC_SEED to explore). */
export const SEED = Number(process.env.KINDLING_FC_SEED ?? 20240607);
/** Runs per generator; the suite has ~100 generators, so the default gives > 1,000 calls. */
export const RUNS = Number(process.env.KINDLING_FC_RUNS ?? 16);

// --- value arbitraries -------------------------------------------------------------------
// Every value here is *definitely* wrong where it is used; values PyTorch would accept in
// the same slot (booleans as numbers, undefined for an optional argument, a plain object
// that would be read as the trailing options bag) are left out on purpose.

/** Not a number at all: strings, null, arrays, objects that are not an options bag, functions. */
export const nonNumber = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.constantFrom(null, [], [1, 2], new Map(), new Date(0), () => 1, Symbol('s'), 3n),
);
/** Numbers that are not integers: fractions, NaN, +-Infinity. */
export const nonInteger = fc.oneof(
  fc.double({ noInteger: true, noDefaultInfinity: true, noNaN: true, min: -1e6, max: 1e6 }),
  fc.constantFrom(NaN, Infinity, -Infinity, 0.5, -2.5, 1e-300),
);
/** Anything that is not an integer (non-numbers and non-integer numbers). */
export const notAnInteger = fc.oneof(nonInteger, nonNumber);
/** Anything that is not a finite number. */
export const notAFiniteNumber = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity), nonNumber);
/** Negative sizes (within int32, so they cannot wrap around). */
export const negativeSize = fc.integer({ min: -(2 ** 31), max: -1 });
/** Not a boolean (for keepdim, requires_grad_, train). Numbers included: 0 / 1 are not booleans. */
export const notABoolean = fc.oneof(fc.integer({ min: -3, max: 3 }), nonNumber);
/** Not a Tensor, where a Tensor is required. */
export const notATensor = fc.oneof(fc.integer(), fc.double(), nonNumber, fc.constantFrom({ shape: [2] }, [[1, 2]]));
/** Names of Object.prototype members: a lookup `name in table` or `table[name]` finds them. */
export const protoName = fc.constantFrom('toString', 'valueOf', 'constructor', '__proto__', 'hasOwnProperty', 'isPrototypeOf');
/** dtype names kindling does not have. */
export const badDtype = fc.oneof(
  fc.constantFrom('float16', 'half', 'float64', 'double', 'int8', 'uint8', 'complex64', 'bfloat16', 'Float32', ''),
  protoName,
  fc.integer(), fc.constantFrom({}, [], true), // null / undefined mean "the default dtype"
);
/** Option names that are not PyTorch's (camelCase slips, typos, made-up). */
export const badOptionName = fc.oneof(
  fc.constantFrom('requiresGrad', 'weightDecay', 'keepDim', 'Dtype', 'dtype ', 'lr_', 'reduce_mode', 'inplace_'),
  fc.string({ minLength: 1, maxLength: 8 }).map((s) => `x_${s}`),
);
/** A dim outside [-ndim, ndim - 1] for a tensor of ndim dims (ndim 0 counts as 1). */
export const dimOutOfRange = (ndim) => {
  const n = Math.max(ndim, 1);
  return fc.oneof(fc.integer({ min: n, max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: -n - 1 }));
};
/** A small shape: 1 to maxDims dims of sizes 1 to maxSize. */
export const shape = ({ minDims = 1, maxDims = 4, minSize = 1, maxSize = 5 } = {}) =>
  fc.array(fc.integer({ min: minSize, max: maxSize }), { minLength: minDims, maxLength: maxDims });
/**
 * A pair of shapes that definitely do not broadcast: same rank, identical except at one dim
 * where a has size >= 2 and b a different size >= 2 (neither is 1).
 */
export const nonBroadcastablePair = shape({ minSize: 2 }).chain((a) =>
  fc.tuple(fc.integer({ min: 0, max: a.length - 1 }), fc.integer({ min: 1, max: 3 })).map(([d, k]) => {
    const b = a.slice();
    b[d] = a[d] + k;
    return [a, b];
  }));
/**
 * A shape whose float32 tensor needs more than the 2 GiB wasm heap limit, every dim within
 * int32 (so nothing wraps around): 2 or 3 dims, product of sizes > 2^29.
 */
export const tooLargeShape = fc.oneof(
  fc.tuple(fc.integer({ min: 2 ** 15, max: 2 ** 30 }), fc.integer({ min: 2 ** 15, max: 2 ** 30 })),
  fc.tuple(fc.integer({ min: 2 ** 10, max: 2 ** 20 }), fc.integer({ min: 2 ** 10, max: 2 ** 20 }),
    fc.integer({ min: 2 ** 10, max: 2 ** 20 })),
).filter((s) => s.reduce((a, b) => a * b, 1) > 2 ** 29);
/** 7 to 12 dims of size 1 (kindling has at most 6). */
export const tooManyDims = fc.integer({ min: 7, max: 12 }).map((n) => new Array(n).fill(1));
/** Integers beyond int32 (2^31 .. 2^53): kindling writes ints through an Int32Array. */
export const beyondInt32 = fc.oneof(
  fc.integer({ min: 2 ** 31, max: 2 ** 32 + 16 }),
  fc.constantFrom(2 ** 32, 2 ** 32 + 3, 2 ** 40, Number.MAX_SAFE_INTEGER, 1e300),
);

// --- tensors for inputs -------------------------------------------------------------------

/** A kept float32 tensor of the shape (values from a cheap deterministic pattern). */
export function floatTensor(shp, { requires_grad = false } = {}) {
  const n = shp.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = ((i * 7919) % 17) / 8 - 1;
  return torch.tensor(values, { shape: shp, requires_grad });
}
export const intTensor = (shp, high = 3) => {
  const n = shp.reduce((a, b) => a * b, 1);
  return torch.tensor(Int32Array.from({ length: n }, (_, i) => i % high), { shape: shp, dtype: 'int64' });
};
export const boolTensor = (shp) => intTensor(shp, 2).to('bool').keep();

/** A released tensor (dispose() was called on it). */
export function releasedTensor(shp = [2, 3]) {
  const t = floatTensor(shp);
  t.dispose();
  return t;
}

// --- the harness ------------------------------------------------------------------------

/** Totals printed at the end of the suite. */
export const totals = {
  calls: 0,
  accepted: 0,
  errors: { TypeError: 0, RangeError: 0, Error: 0 },
  traps: 0,
  leaks: 0,
  transientResidue: 0,
  internalNames: new Map(), // "call -> named" -> count
  perGenerator: new Map(),
};

const TRAP = /unreachable|memory access out of bounds|table index is out of bounds|divide by zero|integer overflow|float unrepresentable|function signature mismatch|call stack size exceeded/i;

/** True for an error that means the wasm trapped (or the JS stack blew up). */
export function isTrap(error) {
  return error instanceof WebAssembly.RuntimeError || (error && TRAP.test(String(error.message)));
}

// The canary: a matmul + sum whose exact float32 answer is known. Kept tensors, made once.
let canary = null;
function canaryOk() {
  if (!canary) {
    const a = torch.tensor(Float32Array.from({ length: 48 }, (_, i) => (i % 7) - 3), { shape: [6, 8] });
    const b = torch.tensor(Float32Array.from({ length: 40 }, (_, i) => (i % 5) * 0.5), { shape: [8, 5] });
    // exact in float32: small integers and halves
    let expected = 0;
    for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) for (let p = 0; p < 8; p++)
      expected += ((i * 8 + p) % 7 - 3) * (((p * 5 + j) % 5) * 0.5);
    canary = { a, b, expected };
  }
  const product = canary.a.matmul(canary.b);
  const total = product.sum();
  const value = total.item();
  product.dispose();
  total.dispose();
  return value === canary.expected ? null : `canary matmul+sum gave ${value}, expected ${canary.expected}`;
}

/** Ends two steps of the memory rule, so step-scoped leftovers of a failed call are released. */
function flushSteps() {
  for (let i = 0; i < 3; i++) torch.no_grad(() => null);
}

/** Bytes of a tensor's elements (bit patterns, so NaN compares equal to itself). */
function bits(t) {
  const values = t.toTypedArray();
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** A deep, comparable picture of tensors, arrays and plain objects (tensors by bits). */
export function picture(value, depth = 0) {
  if (depth > 6) return '…';
  if (value instanceof torch.Tensor) {
    if (value.is_disposed) return 'released';
    const grad = value.requires_grad && value.grad ? bits(value.grad) : null;
    return { shape: value.shape, dtype: value.dtype, rg: value.requires_grad, bits: bits(value), grad };
  }
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [picture(k, depth + 1), picture(v, depth + 1)]);
  if (Array.isArray(value)) return value.map((v) => picture(v, depth + 1));
  if (value && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value).sort()) out[key] = picture(value[key], depth + 1);
    return out;
  }
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return String(value);
  return value ?? null;
}

/**
 * Releases everything a case made: tensors, modules (parameters, buffers), optimizers (their
 * state; the parameters belong to whoever made them). Tensors in `spare` are left alone.
 */
export function release(things, spare = new Set()) {
  for (const thing of things) {
    if (!thing || spare.has(thing)) continue;
    if (thing instanceof torch.Tensor) {
      if (!thing.is_disposed && thing.requires_grad && thing.is_leaf) {
        const g = thing.grad;
        if (g) g.dispose();
      }
      thing.dispose();
    } else if (Array.isArray(thing)) {
      release(thing, spare);
    } else if (thing instanceof torch.nn.Module) {
      release([...thing.parameters(), ...thing.buffers()], spare);
    } else if (thing instanceof torch.optim.Optimizer) {
      for (const s of thing.state.values()) release(Object.values(s), spare);
    } else if (typeof thing === 'object' && thing.constructor === Object) {
      release(Object.values(thing), spare);
    }
  }
}

function flat(things, out = []) {
  for (const t of things) {
    if (Array.isArray(t)) flat(t, out);
    else if (t instanceof torch.nn.Module) flat([...t.parameters(), ...t.buffers()], out);
    else out.push(t);
  }
  return out;
}

function describeValue(v) {
  try {
    if (v instanceof torch.Tensor) return v.is_disposed ? 'Tensor<released>' : `Tensor${JSON.stringify(v.shape)}:${v.dtype}`;
    if (typeof v === 'symbol' || typeof v === 'bigint' || typeof v === 'function') return String(v);
    if (v instanceof Map) return 'Map';
    if (v instanceof Date) return 'Date';
    // non-finite numbers print bare (NaN, Infinity), not as the strings JSON would need
    return JSON.stringify(v, (k, x) => (typeof x === 'number' && !Number.isFinite(x) ? `\u0000${x}\u0000` : x))
      .replace(/"\\u0000(.*?)\\u0000"/g, '$1');
  } catch {
    return String(v);
  }
}
export const show = (...values) => values.map(describeValue).join(', ');

/**
 * Runs one malformed call. A case is:
 *   label     what is called, with the generated arguments (for failure messages)
 *   call      the public call's name (the one the message should start with)
 *   names     other names the message may start with: PyTorch-level delegates (e.g. an
 *             nn.Linear forward reports 'linear'); internal names are listed in
 *             INTERNAL_NAMES instead, so that they are counted
 *   message   optional RegExp the message must match instead of the name check (released
 *             tensors, PyTorch's own load_state_dict wording)
 *   expect    the error class (TypeError / RangeError / Error), or 'either' when the call
 *             may legitimately be accepted (then only (b)-(d) are asserted, plus the class
 *             `ifError` and the name check when it does throw)
 *   run       () => result
 *   inputs    things to release afterwards (made before measuring)
 *   watch     values that must be bit-identical after a failed call (also after an accepted
 *             one when watchAccepted is set: e.g. an optimizer step with no gradients)
 *   acceptedAllocates  an accepted call may keep new state (not counted as a leak)
 *   residue   'known': a failed call may leave step-scoped intermediates (released by the
 *             memory rule two steps later; reported, not a leak)
 * Returns null when every invariant holds, else a description of what broke.
 */
export function runCase(generator, c) {
  const stat = totals.perGenerator.get(generator) ?? { calls: 0, accepted: 0, errors: 0 };
  totals.perGenerator.set(generator, stat);
  totals.calls++;
  stat.calls++;
  const watched = c.watch ? JSON.stringify(picture(c.watch)) : null;
  // Let the memory rule release what building the case left step-scoped, so that nothing
  // but the call itself changes the counts (a call that ends a step, say step(closure),
  // would otherwise release those and look like a negative leak).
  flushSteps();
  const before = torch.memory_stats();
  let result, error = null;
  try {
    result = c.run();
  } catch (e) {
    error = e;
  }
  try {
    if (error && isTrap(error)) {
      totals.traps++;
      return `${c.label}: wasm trap ${error.constructor.name}: ${error.message}`;
    }
    if (!error) {
      totals.accepted++;
      stat.accepted++;
      release([result], new Set(flat(c.inputs ?? [])));
      if (c.expect !== 'either') return `${c.label}: was accepted, expected a ${c.expect.name}`;
    } else {
      stat.errors++;
      if (!(error instanceof Error)) return `${c.label}: threw a non-Error ${describeValue(error)}`;
      const cls = error.constructor.name;
      const bucket = error instanceof TypeError ? 'TypeError' : error instanceof RangeError ? 'RangeError' : 'Error';
      totals.errors[bucket]++;
      if (c.expect !== 'either' && !classMatches(error, c.expect))
        return `${c.label}: threw ${cls} (${error.message}), expected ${c.expect.name}`;
      if (c.expect === 'either' && c.ifError && !classMatches(error, c.ifError))
        return `${c.label}: threw ${cls} (${error.message}), expected a ${c.ifError.name} if anything`;
      const problem = checkName(c, error.message);
      if (problem) return problem;
    }
    if (!error && c.watchAccepted && JSON.stringify(picture(c.watch)) !== watched)
      return `${c.label}: was accepted but changed what it must not change`;
    // (c): no tensor or byte left behind (an accepted call may legitimately keep state)
    if (!error && c.acceptedAllocates) return canaryOk();
    let after = torch.memory_stats();
    if (after.live_tensors !== before.live_tensors || after.live_bytes !== before.live_bytes) {
      const leftover = `${after.live_tensors - before.live_tensors} tensors, ${after.live_bytes - before.live_bytes} bytes`;
      flushSteps();
      after = torch.memory_stats();
      if (after.live_tensors !== before.live_tensors || after.live_bytes !== before.live_bytes) {
        totals.leaks++;
        return `${c.label}: leaked ${after.live_tensors - before.live_tensors} tensors / ` +
          `${after.live_bytes - before.live_bytes} bytes (${error ? error.message : 'accepted'})`;
      }
      totals.transientResidue++;
      if (c.residue !== 'known')
        return `${c.label}: left ${leftover} behind until the memory rule released them (${error ? error.message : 'accepted'})`;
    }
    // (d): nothing half-modified
    if (error && watched !== null && JSON.stringify(picture(c.watch)) !== watched)
      return `${c.label}: the failed call modified its inputs (${error.message})`;
    // (b): the instance still computes
    const canaryProblem = canaryOk();
    if (canaryProblem) return `${c.label}: ${canaryProblem}`;
    return null;
  } finally {
    release(c.inputs ?? []);
  }
}

/**
 * Names that kindling's messages use instead of the public call, because the public call
 * delegates to another entry point. They are accepted (the message still names a real
 * PyTorch-level function) but counted and printed, so the list stays visible.
 */
export const INTERNAL_NAMES = {
  zeros: ['full'], ones: ['full'], empty: ['full'],
  zeros_like: ['zeros', 'full'], ones_like: ['ones', 'full'], full_like: ['full'],
  rand_like: ['rand'], randn_like: ['randn'],
  tensor: ['empty', 'to', 'requires_grad_'],
  view: ['reshape'], view_as: ['view', 'reshape'], reshape_as: ['reshape'], expand_as: ['expand'],
  squeeze: ['reshape'], unsqueeze: ['reshape'], stack: ['unsqueeze', 'cat'],
  rsub: ['sub'], rdiv: ['div'],
  // index assignment runs index (for the positions) and index_put_ (the write)
  setitem: ['index', 'index_put_'], index_put_: ['index'], masked_fill_: ['expand', 'index_put_'],
  scatter_: ['gather', 'index', 'index_put_'], scatter_add_: ['gather', 'index', 'index_put_'],
  // nn.Linear(...) and nn.Conv2d(...) allocate their weights with torch.empty -> 'full'
  Linear: ['full'], Conv2d: ['full'], BatchNorm1d: ['full'], BatchNorm2d: ['full'],
};

/**
 * The class check: TypeError and RangeError exactly (or a subclass); Error means "neither of
 * those" (a plain Error, or a subclass of Error that is not a TypeError / RangeError, such as
 * the serializer's FormatError).
 */
function classMatches(error, expected) {
  if (expected === Error) return error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError);
  return error instanceof expected;
}

function checkName(c, message) {
  if (c.message) {
    if (!c.message.test(message)) return `${c.label}: message ${JSON.stringify(message)} does not match ${c.message}`;
    return null;
  }
  const starts = (name) => message.startsWith(`${name}:`) || message.startsWith(`${name}.`);
  if (starts(c.call) || (c.names ?? []).some(starts)) return null;
  const internal = (INTERNAL_NAMES[c.call] ?? []).find(starts);
  if (internal) {
    const key = `${c.call} -> ${internal}`;
    totals.internalNames.set(key, (totals.internalNames.get(key) ?? 0) + 1);
    return null;
  }
  return `${c.label}: message ${JSON.stringify(message)} does not name the call ` +
    `(expected it to start with ${[c.call, ...(c.names ?? [])].map((n) => `'${n}:'`).join(' or ')})`;
}

/**
 * Runs a generator: fc.assert over its arbitrary with the suite's seed (offset by the
 * generator's index so each generator draws its own stream) and RUNS runs.
 */
export function check(name, index, arbitrary, makeCase, runs) {
  runs ??= RUNS;
  const seed = SEED + index;
  const details = fc.check(
    fc.property(arbitrary, (args) => {
      const c = makeCase(args);
      const problem = runCase(name, c);
      if (problem) throw new Error(problem);
    }),
    { seed, numRuns: runs, endOnFailure: true },
  );
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${cause}\n  (fast-check seed ${seed}, path ${details.counterexamplePath}, ` +
      `counterexample ${show(...(details.counterexample ?? []))})`);
  }
}

export function summary() {
  const lines = [
    `bad inputs: seed ${SEED}, ${totals.calls} calls tried over ${totals.perGenerator.size} generators`,
    `  errors by class: TypeError ${totals.errors.TypeError}, RangeError ${totals.errors.RangeError}, ` +
      `Error (and subclasses) ${totals.errors.Error}`,
    `  accepted as valid: ${totals.accepted}`,
    `  traps: ${totals.traps} (must be 0), leaks: ${totals.leaks} (must be 0)`,
    `  transient residue (step-scoped intermediates released by the memory rule, known generators only): ${totals.transientResidue}`,
  ];
  if (totals.internalNames.size)
    lines.push(`  messages naming an internal call: ${[...totals.internalNames].map(([k, v]) => `${k} (${v})`).join(', ')}`);
  return lines.join('\n');
}

export { fc, torch };
