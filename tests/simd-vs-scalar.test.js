// simd-vs-scalar.test.js: every WASM SIMD kernel behind the core ops against its scalar
// reference, in one instance: torch.set_simd(false) makes every kernel run its `_scalar`
// twin. Forward and backward (with a random upstream gradient) are compared for every
// size 0..67 (so every SIMD tail length and the empty tensor are hit) and a few odd shapes.
//
// Expected agreement: bit-exact where both paths do the same IEEE operations in the same
// order (add / sub / mul / div incl. broadcast and scalar forms, neg, abs, relu, leaky_relu,
// sqrt, sum, matmul — the GEMM runs the same blocking with a scalar micro-kernel, and wasm
// has no FMA to contract). exp, sigmoid and softmax use the SIMD polynomial exp (vmath.h,
// ~2 ulp from expf): 1e-6 relative, with an absolute floor where a value is a difference
// that cancels (sigmoid's (1 - y) y, log_softmax's x - shift, softmax's backward).
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { ErrorLog, assertClose, assertExact } from './helpers.js';

const SIZES = Array.from({ length: 68 }, (_, n) => n);
const EXACT = 'exact';
const VEXP = { rtol: 1e-6, atol: 1e-7 };
const log = new ErrorLog();

test('the SIMD path exists in this build', () => {
  assert.equal(torch.simd_available(), true, 'dist/kindling.wasm was built without -msimd128');
});

/** Runs fn with SIMD on, then with the scalar references; always leaves SIMD on. */
function both(fn) {
  try {
    torch.set_simd(true);
    const simd = fn();
    torch.set_simd(false);
    const scalar = fn();
    return [simd, scalar];
  } finally {
    torch.set_simd(true);
  }
}

let seed = 7000;
/** A kept float32 tensor from torch.randn (after manual_seed), values mapped by f. */
function input(shape, f, requires_grad = true) {
  torch.manual_seed(seed++);
  const r = torch.randn(shape);
  let values = r.toTypedArray();
  r.dispose();
  if (f) values = values.map(f);
  return torch.tensor(values, { shape, requires_grad });
}
const positive = (v) => 0.1 + Math.abs(v);
const divisor = (v) => Math.sign(v || 1) * (0.25 + Math.abs(v));

/**
 * Forward fn(...inputs) then backward with a random upstream gradient; returns the output
 * and every input's gradient as typed arrays.
 */
function forwardBackward(fn, inputs, upstream) {
  for (const x of inputs) if (x.requires_grad) x.grad = null;
  const out = fn(...inputs);
  const result = { out: out.toTypedArray() };
  if (out.requires_grad && out.numel() > 0) {
    out.backward(upstream);
    inputs.forEach((x, i) => {
      if (x.requires_grad) result[`grad ${i}`] = x.grad ? x.grad.toTypedArray() : null;
    });
  }
  return result;
}

/** Compares the SIMD and scalar runs of fn on inputs; tol is EXACT or {rtol, atol} or a
 * map from result key ('out', 'grad 0', ...) to either. */
function compareModes(family, label, fn, inputs, tol) {
  let upstream = null;
  try {
    const shape = torch.no_grad(() => fn(...inputs).shape);
    torch.manual_seed(seed++);
    upstream = torch.randn(shape);
    const [simd, scalar] = both(() => forwardBackward(fn, inputs, upstream));
    assert.deepEqual(Object.keys(simd), Object.keys(scalar), `${label}: results differ in kind`);
    for (const key of Object.keys(simd)) {
      const t = tol === undefined || tol === EXACT ? EXACT : 'rtol' in tol ? tol : (tol[key] ?? tol.default ?? EXACT);
      const what = `${label}: ${key}`;
      assert.ok(simd[key] && scalar[key], `${what}: missing (simd ${!!simd[key]}, scalar ${!!scalar[key]})`);
      if (t === EXACT) {
        assertExact(simd[key], scalar[key], { label: `${what} (SIMD vs scalar, bit-exact)` });
        log.record(family, { maxRel: 0, maxAbs: 0 });
      } else {
        log.record(family, assertClose(simd[key], scalar[key], { ...t, label: `${what} (SIMD vs scalar)` }));
      }
    }
  } finally {
    for (const x of inputs) x.dispose();
    if (upstream) upstream.dispose();
  }
}

/** A subtest per op, looping over the sizes (the message names the size that failed). */
function perSize(t, family, name, shapesOf, fn, { tol = EXACT, domains = [] } = {}) {
  return t.test(name, () => {
    for (const n of SIZES) {
      const shapes = shapesOf(n);
      const inputs = shapes.map((s, i) => input(s, domains[i]));
      compareModes(family, `${name} n=${n} shapes ${JSON.stringify(shapes)}`, fn, inputs, tol);
    }
  });
}

test('SIMD vs scalar: add / sub / mul / div', async (t) => {
  for (const op of ['add', 'sub', 'mul', 'div']) {
    const d = op === 'div' ? [undefined, divisor] : [];
    const dl = op === 'div' ? [divisor] : [];
    await perSize(t, 'binary', `${op} [n] & [n]`, (n) => [[n], [n]], (a, b) => a[op](b), { domains: d });
    await perSize(t, 'binary', `${op} [n] & 0-d (splat right)`, (n) => [[n], []], (a, b) => a[op](b), { domains: d });
    await perSize(t, 'binary', `${op} 0-d & [n] (splat left)`, (n) => [[], [n]], (a, b) => a[op](b), { domains: d });
    await perSize(t, 'binary', `${op} [3,n] & [n]`, (n) => [[3, n], [n]], (a, b) => a[op](b), { domains: d });
    await perSize(t, 'binary', `${op} [n,1] & [1,5]`, (n) => [[n, 1], [1, 5]], (a, b) => a[op](b), { domains: d });
    await perSize(t, 'binary', `${op} [2,n,3] & [1,n,1]`, (n) => [[2, n, 3], [1, n, 1]], (a, b) => a[op](b),
      { domains: d });
    await perSize(t, 'binary', `${op} scalar right`, (n) => [[n]], (a) => a[op](1.75), { domains: dl });
  }
  await perSize(t, 'binary', 'rsub scalar left', (n) => [[n]], (a) => a.rsub(1.75));
  await perSize(t, 'binary', 'rdiv scalar left', (n) => [[n]], (a) => a.rdiv(1.75), { domains: [divisor] });
});

test('SIMD vs scalar: unary', async (t) => {
  const cases = [
    ['neg', (a) => a.neg()],
    ['abs', (a) => a.abs()],
    ['relu', (a) => a.relu()],
    ['leaky_relu', (a) => a.leaky_relu()],
    ['leaky_relu 0.3', (a) => a.leaky_relu(0.3)],
    ['sqrt', (a) => a.sqrt(), positive],
    ['exp', (a) => a.exp(), undefined, VEXP],
    // sigmoid's backward is dy (1 - y) y: where y ~ 1 the 2-ulp difference in y is a larger
    // relative difference in (1 - y), so the floor is absolute (|dy| ~ 1).
    ['sigmoid', (a) => a.sigmoid(), undefined, { out: VEXP, 'grad 0': { rtol: 1e-6, atol: 3e-7 } }],
    ['tanh (scalar in both)', (a) => a.tanh()],
    ['log (scalar in both)', (a) => a.log(), positive],
    ['pow 3 (scalar in both)', (a) => a.pow(3)],
  ];
  for (const [name, fn, domain, tol] of cases)
    for (const shape of [(n) => [n], (n) => [2, n]])
      await perSize(t, 'unary', `${name} ${JSON.stringify(shape('n'))}`, (n) => [shape(n)], fn,
        { tol: tol ?? EXACT, domains: [domain] });
  // exp and sigmoid over a wide range, where the polynomial's range reduction matters
  await t.test('exp / sigmoid on [-80, 80]', () => {
    for (const n of [5, 67, 1000]) {
      for (const [name, fn] of [['exp', (a) => a.exp()], ['sigmoid', (a) => a.sigmoid()]])
        compareModes('unary', `${name} wide n=${n}`, fn, [input([n], (v) => 27 * v)],
          { out: VEXP, 'grad 0': { rtol: 1e-6, atol: 3e-7 } });
    }
  });
});

test('SIMD vs scalar: math-ops pointwise, maximum / minimum, clamp', async (t) => {
  // rounding, sign, reciprocal and rsqrt are correctly rounded IEEE ops in both paths: bit-exact
  const exact = [
    ['floor', (a) => a.mul(3).floor()], ['ceil', (a) => a.mul(3).ceil()], ['trunc', (a) => a.mul(3).trunc()],
    ['round (half to even)', (a) => a.mul(4).round()], ['frac', (a) => a.mul(3).frac()], ['sign', (a) => a.sign()],
    ['reciprocal', (a) => a.reciprocal(), divisor], ['rsqrt', (a) => a.rsqrt(), positive],
    ['clamp(-0.5, 0.5)', (a) => a.clamp(-0.5, 0.5)], ['clamp(min=0)', (a) => a.clamp({ min: 0 })],
  ];
  for (const [name, fn, domain] of exact)
    await perSize(t, 'math-ops', `${name} [n]`, (n) => [[n]], fn, { domains: [domain] });
  await perSize(t, 'math-ops', 'silu [n]', (n) => [[n]], (a) => torch.F.silu(a), { tol: { out: VEXP, 'grad 0': EXACT } });
  for (const op of ['maximum', 'minimum']) {
    await perSize(t, 'math-ops', `${op} [n] & [n]`, (n) => [[n], [n]], (a, b) => a[op](b));
    await perSize(t, 'math-ops', `${op} [3,n] & [n]`, (n) => [[3, n], [n]], (a, b) => a[op](b));
    await perSize(t, 'math-ops', `${op} 0-d & [n]`, (n) => [[], [n]], (a, b) => a[op](b));
  }
  await t.test('maximum / minimum / clamp with NaN and signed zeros: as the scalar reference', () => {
    const a = torch.tensor(Float32Array.from([NaN, 1, -0, 0, 2, NaN, -3, 5, 0, -0, 7, NaN]));
    const b = torch.tensor(Float32Array.from([1, NaN, 0, -0, 2, NaN, 4, -5, 0, -0, -7, 3]));
    for (const fn of [(x, y) => x.maximum(y), (x, y) => x.minimum(y), (x) => x.clamp(-1, 1)]) {
      const [simd, scalar] = both(() => fn(a, b).toTypedArray());
      assertExact(new Int32Array(simd.buffer), new Int32Array(scalar.buffer).map((v, i) => (Number.isNaN(scalar[i]) ? new Int32Array(simd.buffer)[i] : v)),
        { label: 'bits (NaN payloads aside)' });
      assert.deepEqual([...simd].map(Number.isNaN), [...scalar].map(Number.isNaN), 'NaN positions');
    }
    a.dispose();
    b.dispose();
  });
});

test('SIMD vs scalar: sum / mean', async (t) => {
  await perSize(t, 'sum', 'sum() [n]', (n) => [[n]], (a) => a.sum());
  await perSize(t, 'sum', 'sum(1) [3,n]', (n) => [[3, n]], (a) => a.sum(1));
  await perSize(t, 'sum', 'sum(0) [3,n]', (n) => [[3, n]], (a) => a.sum(0));
  await perSize(t, 'sum', 'sum(0) [n,5]', (n) => [[n, 5]], (a) => a.sum(0));
  await perSize(t, 'sum', 'sum(1) [2,n,7]', (n) => [[2, n, 7]], (a) => a.sum(1));
  await perSize(t, 'sum', 'mean(-1, keepdim) [3,n]', (n) => [[3, n]], (a) => a.mean(-1, true));
  // The whole-array SIMD sum kicks in from 1024 elements and adds in 16 lanes, so it is a
  // different order from the scalar loop: compare relative to sum |x| (inputs >= 0 here).
  await t.test('sum() of 1024..5000 elements (blocked SIMD sum)', () => {
    for (const n of [1024, 1025, 1091, 2048 + 67, 5000])
      compareModes('sum', `sum() n=${n}`, (a) => a.sum(), [input([n], Math.abs)], { out: { rtol: 1e-6, atol: 0 } });
  });
});

test('SIMD vs scalar: softmax / log_softmax', async (t) => {
  // softmax sums exp() in 4 float lanes then double (SIMD) vs one double (scalar); log_softmax
  // outputs near 0 are x - shift, so the floor is absolute. log_softmax's backward is
  // dy - exp(y) sum(dy): a difference of terms ~ |sum(dy)| ~ 5, so its floor is 1e-6.
  const tols = {
    softmax: { default: { rtol: 1e-6, atol: 1e-7 } },
    log_softmax: { out: { rtol: 1e-6, atol: 1e-7 }, 'grad 0': { rtol: 1e-6, atol: 1e-6 } },
  };
  for (const op of ['softmax', 'log_softmax']) {
    const tol = tols[op];
    await perSize(t, 'softmax', `${op}(1) [3,n]`, (n) => [[3, n]], (a) => a[op](1), { tol });
    await perSize(t, 'softmax', `${op}(-1) [n]`, (n) => [[Math.max(n, 1)]], (a) => a[op](-1), { tol });
    await perSize(t, 'softmax', `${op}(0) [n,4] (strided, scalar in both)`, (n) => [[n, 4]], (a) => a[op](0));
    await t.test(`${op} logits ~100`, () => {
      for (const n of [3, 10, 67])
        compareModes('softmax', `${op} large n=${n}`, (a) => a[op](1), [input([4, n], (v) => 100 + 5 * v)], tol);
    });
  }
});

test('SIMD vs scalar: matmul', async (t) => {
  await perSize(t, 'matmul', 'matmul [3,n] @ [n,5] (K = n)', (n) => [[3, n], [n, 5]], (a, b) => a.matmul(b));
  await perSize(t, 'matmul', 'matmul [n,7] @ [7,n] (M = N = n)', (n) => [[n, 7], [7, n]], (a, b) => a.matmul(b));
  await perSize(t, 'matmul', 'matmul [n] . [n]', (n) => [[n], [n]], (a, b) => a.matmul(b));
  await perSize(t, 'matmul', 'matmul [2,3,n] @ [n,4]', (n) => [[2, 3, n], [n, 4]], (a, b) => a.matmul(b));
  await t.test('odd shapes', () => {
    const shapes = [
      [[3, 67], [67, 5]],
      [[67, 5], [5, 67]],
      [[2, 3, 17], [2, 17, 4]],
      [[2, 3, 17], [17, 9]],
      [[5, 17], [3, 17, 6]],
      [[67, 67], [67, 67]],
      [[1, 1], [1, 1]],
    ];
    for (const [sa, sb] of shapes)
      compareModes('matmul', `matmul ${JSON.stringify(sa)} @ ${JSON.stringify(sb)}`, (a, b) => a.matmul(b),
        [input(sa), input(sb)], EXACT);
  });
});

test('SIMD vs scalar: odd shapes through elementwise ops', async (t) => {
  const shapes = [[3, 67], [67, 5], [2, 3, 17]];
  for (const shape of shapes) {
    await t.test(JSON.stringify(shape), () => {
      compareModes('binary', `add ${shape}`, (a, b) => a.add(b), [input(shape), input(shape)], EXACT);
      compareModes('binary', `div ${shape}`, (a, b) => a.div(b), [input(shape), input(shape, divisor)], EXACT);
      compareModes('unary', `relu ${shape}`, (a) => a.relu(), [input(shape)], EXACT);
      compareModes('unary', `sigmoid ${shape}`, (a) => a.sigmoid(), [input(shape)],
        { out: VEXP, 'grad 0': { rtol: 1e-6, atol: 3e-7 } });
      compareModes('sum', `sum(-1) ${shape}`, (a) => a.sum(-1), [input(shape)], EXACT);
      compareModes('sum', `sum(0) ${shape}`, (a) => a.sum(0), [input(shape)], EXACT);
      compareModes('softmax', `softmax(-1) ${shape}`, (a) => a.softmax(-1), [input(shape)],
        { default: { rtol: 1e-6, atol: 1e-7 } });
    });
  }
});

test('set_simd(false) is undone even when the code under test throws', () => {
  assert.throws(() => both(() => { throw new Error('boom'); }), /boom/);
  // a SIMD-only difference shows that SIMD is back on: exp through the polynomial
  const x = torch.tensor(Float32Array.from({ length: 64 }, (_, i) => (i - 32) / 3));
  try {
    const on = x.exp().toTypedArray();
    torch.set_simd(false);
    const off = x.exp().toTypedArray();
    torch.set_simd(true);
    const again = x.exp().toTypedArray();
    assert.notDeepEqual(off, on, 'these inputs should tell the two exp paths apart');
    assert.deepEqual(again, on);
  } finally {
    torch.set_simd(true);
    x.dispose();
  }
});

after(() => {
  console.log(log.report('simd-vs-scalar: max SIMD-vs-scalar difference per family (0 = bit-exact)'));
});
