// helpers.js: shared helpers of the parity and gradient test suites — loading the PyTorch
// fixtures, turning fixture arrays into kindling tensors, comparing arrays with a relative
// tolerance (the failure message names the worst element), and a finite-difference
// gradient check. Not a test file itself (node --test runs *.test.js only).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** Parses tests/fixtures/<name>. */
export function loadFixture(name) {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

/** A kept kindling tensor from a fixture array {values, shape, dtype} (+ requires_grad). */
export function fixtureTensor(torch, spec, requires_grad = false) {
  const data = spec.dtype === 'float32' ? Float32Array.from(spec.values) : Int32Array.from(spec.values);
  return torch.tensor(data, { shape: spec.shape, dtype: spec.dtype, requires_grad });
}

/** Row-major index -> "[i, j, k]" for messages. */
export function indexString(shape, flat) {
  const idx = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Compares two array-likes: element i passes when |a - e| <= atol + rtol * |e| (NaN only
 * matches NaN, infinities match exactly). Returns {ok, count, maxAbs, maxRel, worst}, where
 * maxRel is |a - e| / max(|e|, atol / rtol) (the relative error, floored near 0) and worst
 * is the element with the largest error relative to its allowance.
 */
export function compareArrays(actual, expected, { rtol = 1e-5, atol = 1e-6 } = {}) {
  const result = { ok: true, count: expected.length, maxAbs: 0, maxRel: 0, worst: null, lengthMismatch: false };
  if (actual.length !== expected.length) {
    result.ok = false;
    result.lengthMismatch = true;
    return result;
  }
  const floor = rtol > 0 ? atol / rtol : 1e-30;
  let worstRatio = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]), e = Number(expected[i]);
    let err, allowed;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      err = Number.isNaN(e) && Number.isNaN(a) ? 0 : Infinity;
      allowed = 0;
    } else if (!Number.isFinite(e) || !Number.isFinite(a)) {
      err = a === e ? 0 : Infinity;
      allowed = 0;
    } else {
      err = Math.abs(a - e);
      allowed = atol + rtol * Math.abs(e);
    }
    const rel = err / Math.max(Math.abs(e), floor);
    if (err > result.maxAbs) result.maxAbs = err;
    if (rel > result.maxRel || Number.isNaN(rel)) result.maxRel = rel;
    const ratio = allowed > 0 ? err / allowed : err === 0 ? 0 : Infinity;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      result.worst = { index: i, actual: a, expected: e, err };
    }
    if (!(err <= allowed)) result.ok = false;
  }
  return result;
}

/**
 * Asserts that actual matches expected (shape given for messages); returns the comparison
 * so callers can record the error they saw.
 */
export function assertClose(actual, expected, { rtol = 1e-5, atol = 1e-6, shape = [expected.length], label = 'values' } = {}) {
  const r = compareArrays(actual, expected, { rtol, atol });
  if (r.lengthMismatch)
    assert.fail(`${label}: ${actual.length} elements, expected ${expected.length} (shape [${shape.join(', ')}])`);
  if (!r.ok) {
    const w = r.worst;
    const bad = countBad(actual, expected, rtol, atol);
    assert.fail(
      `${label}: ${bad} of ${r.count} elements out of tolerance (rtol ${rtol}, atol ${atol}); worst at ` +
        `${indexString(shape, w.index)} (flat ${w.index}): got ${w.actual}, expected ${w.expected}, ` +
        `|diff| ${w.err.toExponential(3)}; max relative error ${r.maxRel.toExponential(3)}`,
    );
  }
  return r;
}

function countBad(actual, expected, rtol, atol) {
  let n = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e)) && a !== e) n++;
  }
  return n;
}

/** Asserts exact equality of integer arrays, naming the first mismatch. */
export function assertExact(actual, expected, { shape = [expected.length], label = 'values' } = {}) {
  if (actual.length !== expected.length)
    assert.fail(`${label}: ${actual.length} elements, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++)
    if (Number(actual[i]) !== Number(expected[i]) && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i])))
      assert.fail(`${label}: first mismatch at ${indexString(shape, i)} (flat ${i}): got ${actual[i]}, expected ${expected[i]}`);
}

/** Keeps the largest error seen per key (for the summary printed at the end of a suite). */
export class ErrorLog {
  constructor() { this.entries = new Map(); }
  record(key, comparison) {
    const e = this.entries.get(key) ?? { maxRel: 0, maxAbs: 0, n: 0 };
    e.maxRel = Math.max(e.maxRel, comparison.maxRel);
    e.maxAbs = Math.max(e.maxAbs, comparison.maxAbs);
    e.n++;
    this.entries.set(key, e);
  }
  report(title) {
    const lines = [...this.entries].map(([k, e]) =>
      `  ${k.padEnd(22)} max rel ${e.maxRel.toExponential(2)}  max abs ${e.maxAbs.toExponential(2)}  (${e.n} arrays)`);
    return `${title}\n${lines.join('\n')}`;
  }
}

/**
 * Finite-difference gradient check of fn (tensors -> one float tensor) at the given
 * kept float32 input tensors (each with requires_grad set).
 *
 * The scalar probed is L = sum(fn(x) * W) for a fixed W (randn, so that every output
 * element counts with a different weight). Analytical: L built in kindling and
 * backward(). Numerical: central differences, per input element, with L summed in double
 * precision in JS from the float32 outputs, so the only float32 noise is that of the
 * outputs the perturbed element actually touches; the step used is the float32 difference
 * (x+h) - (x-h) actually taken, not 2h. Returns the worst comparison per input.
 */
export function gradcheck(torch, fn, inputs, { eps = 1e-2, rtol = 1e-2, atol = 1e-3, W: givenW } = {}) {
  // analytical
  for (const x of inputs) x.grad = null;
  const out = fn(...inputs);
  const W = givenW ?? torch.randn(out.shape);
  const w = W.toTypedArray();
  out.mul(W).sum().backward();
  const analytical = inputs.map((x) => (x.grad ? x.grad.toTypedArray() : new Float32Array(x.numel())));

  const values = inputs.map((x) => x.toTypedArray());
  const loss = (vals) => {
    const ts = vals.map((v, i) => torch.tensor(v, { shape: inputs[i].shape }));
    try {
      return torch.no_grad(() => {
        const y = fn(...ts).toTypedArray();
        let s = 0;
        for (let k = 0; k < y.length; k++) s += y[k] * w[k];
        return s;
      });
    } finally {
      for (const t of ts) t.dispose();
    }
  };
  const results = [];
  for (let i = 0; i < inputs.length; i++) {
    const numerical = new Float64Array(values[i].length);
    for (let j = 0; j < values[i].length; j++) {
      const x0 = values[i][j];
      const xp = Math.fround(x0 + eps), xm = Math.fround(x0 - eps);
      const plus = values.map((v) => v.slice());
      const minus = values.map((v) => v.slice());
      plus[i][j] = xp;
      minus[i][j] = xm;
      numerical[j] = (loss(plus) - loss(minus)) / (xp - xm);
    }
    const label = `d L / d input ${i} (shape [${inputs[i].shape.join(', ')}])`;
    results.push(assertClose(analytical[i], numerical, { rtol, atol, shape: inputs[i].shape, label }));
  }
  if (!givenW) W.dispose();
  return results;
}
