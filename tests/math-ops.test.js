// math-ops.test.js: PyTorch parity of the math ops of issue 10 — torch's pointwise
// functions, pow with a tensor exponent, maximum / minimum, clamp, where, the reductions
// (min / max / argmin / norm / var / std / prod / sort / topk), linspace / logspace / eye —
// and their grad_fn names. Replays tests/fixtures/math.json (tests/fixtures/generate_math.py
// run by PyTorch): outputs, gradients of (outputs[0] * W).sum(), grad_fn.name() and the names
// of grad_fn.next_functions; then the grad_fn chains of a LeNet-style net; finite-difference
// gradchecks; and bad inputs (clear errors, the next call still works).
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { ErrorLog, assertClose, assertExact, fixtureTensor, gradcheck, loadFixture } from './helpers.js';

const fixture = loadFixture('math.json');
const log = new ErrorLog();

// |kindling - torch| <= ATOL + RTOL |torch|: one float32 op chain rounded in another order.
const RTOL = 1e-5;
const ATOL = 1e-6;
const TOLERANCE = {
  // libm (musl in wasm) vs glibc for sin, tan, erf, ...: within 1-2 ulp; exp2 / sinh of 3-sigma
  // inputs and the gradients multiplying them carry that relative error.
  pointwise: { rtol: 2e-5, atol: 2e-6 },
  // norm / var / std accumulate in double, PyTorch in float32 cascade sums.
  reduction: { rtol: 2e-5, atol: 3e-6 },
};

// grad_fn names kindling cannot give, and why (the values and gradients still match).
const NAME_EXCEPTIONS = {
  // round(decimals) is x.mul(10^d).round().div(10^d) in JS (RoundBackward1 in PyTorch)
  'round decimals=2': 'DivBackward0',
};

// Reductions over several dims move them together first (permute + reshape), so their node's
// next_functions show that ViewBackward0 where PyTorch's show the input (names only), and
// with keepdim a last reshape puts the 1s back (ViewBackward0 on top: not compared).
const MERGED_DIMS = /^(norm|var|std) dims /;

function checkTensor(actual, expected, label, family) {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  const values = actual.toTypedArray();
  if (expected.dtype === 'float32') {
    const tol = TOLERANCE[family] ?? { rtol: RTOL, atol: ATOL };
    log.record(family, assertClose(values, expected.values, { ...tol, shape: expected.shape, label }));
  } else {
    assertExact(values, expected.values, { shape: expected.shape, label });
  }
}

function runCase(c) {
  const names = c.inputs.map((i) => i.name);
  const inputs = c.inputs.map((i) => fixtureTensor(torch, i, i.requires_grad));
  let W = null;
  try {
    const result = new Function('torch', ...names, `return (${c.kindling});`)(torch, ...inputs);
    const outs = Array.isArray(result) ? [...result] : [result];
    assert.equal(outs.length, c.outputs.length, 'number of outputs');
    c.outputs.forEach((expected, k) => {
      const label = c.outputs.length > 1 ? `output ${k}` : 'output';
      checkTensor(outs[k], expected, label, c.family);
      assert.equal(outs[k].requires_grad, expected.requires_grad, `${label}: requires_grad`);
    });
    if (Array.isArray(result) && result.length === 2) {
      assert.equal(result.values, result[0], 'named field values');
      assert.equal(result.indices, result[1], 'named field indices');
    }
    if (!c.W) return;
    const fn = outs[0].grad_fn;
    if (c.name in NAME_EXCEPTIONS) assert.equal(fn.name(), NAME_EXCEPTIONS[c.name], 'grad_fn (known difference)');
    else if (MERGED_DIMS.test(c.name)) {
      if (!c.name.includes('keepdim')) assert.equal(fn.name(), c.grad_fn, 'grad_fn.name()');
    }
    else {
      assert.equal(fn.name(), c.grad_fn, 'grad_fn.name()');
      assert.deepEqual(fn.next_functions.map(([n, i]) => (assert.equal(i, 0), n && n.name())), c.next_functions,
        'grad_fn.next_functions names');
    }
    W = fixtureTensor(torch, c.W);
    outs[0].mul(W).sum().backward();
    c.inputs.forEach((spec, k) => {
      const expected = c.grads[spec.name];
      if (!expected) return;
      assert.ok(inputs[k].grad, `grad of ${spec.name} is None, expected a tensor`);
      checkTensor(inputs[k].grad, expected, `grad of ${spec.name}`, c.family);
    });
  } finally {
    for (const t of inputs) t.dispose();
    if (W) W.dispose();
  }
}

test('fixture is present and was made by PyTorch', () => {
  assert.match(fixture.torch_version, /^\d+\.\d+/);
  assert.ok(fixture.cases.length >= 150, `only ${fixture.cases.length} cases`);
});

for (const family of [...new Set(fixture.cases.map((c) => c.family))]) {
  test(`parity with PyTorch: ${family}`, async (t) => {
    for (const c of fixture.cases.filter((x) => x.family === family))
      await t.test(`${c.name}: ${c.kindling}`, () => runCase(c));
  });
}

// --- grad_fn chains of whole nets -------------------------------------------------------

/** Every node reachable from fn, depth first, as the generator walks PyTorch's. */
function walk(fn, path = [], nodes = []) {
  const next = fn.next_functions;
  nodes.push({ path, name: fn.name(), next_functions: next.map(([n]) => n && n.name()) });
  next.forEach(([n], i) => { if (n) walk(n, [...path, i], nodes); });
  return nodes;
}

class Net extends torch.nn.Module { // the generator's LeNet-style net (pytorch/examples' MNIST layers)
  constructor() {
    super();
    this.conv1 = new torch.nn.Conv2d(1, 4, 3, 1);
    this.conv2 = new torch.nn.Conv2d(4, 8, 3, 1);
    this.fc1 = new torch.nn.Linear(8 * 5 * 5, 16);
    this.fc2 = new torch.nn.Linear(16, 10);
  }
  forward(x) {
    x = torch.F.relu(this.conv1(x));
    x = torch.F.max_pool2d(torch.F.relu(this.conv2(x)), 2);
    x = torch.flatten(x, 1);
    x = torch.F.relu(this.fc1(x));
    return torch.F.log_softmax(this.fc2(x), 1);
  }
}

test('grad_fn chains match PyTorch: LeNet + nll_loss, cross_entropy, Linear-ReLU-Linear + mse_loss', () => {
  const net = new Net();
  const graphs = {
    lenet_nll_loss: torch.F.nll_loss(net(torch.randn(2, 1, 14, 14)), torch.tensor([3, 7])),
    cross_entropy: torch.F.cross_entropy(torch.randn([3, 5], { requires_grad: true }), torch.tensor([0, 1, 4])),
    mse_loss_linear_relu: torch.F.mse_loss(net.fc2(torch.F.relu(net.fc1(torch.randn(2, 200)))), torch.randn(2, 10)),
  };
  for (const [name, loss] of Object.entries(graphs))
    assert.deepEqual(walk(loss.grad_fn), fixture.graphs[name], name);
});

test('grad_fn as the autograd tutorial prints it', () => {
  const x = torch.ones([2, 2], { requires_grad: true });
  const y = x.add(2);
  assert.equal(x.grad_fn, null, 'a leaf has no grad_fn');
  assert.equal(String(y.grad_fn), '<AddBackward0 object>');
  assert.match(String(y.mul(y).mul(3).mean()), /grad_fn=<MeanBackward0>\)$/);
  const [[acc, i]] = y.grad_fn.next_functions;
  assert.equal(acc.name(), 'torch::autograd::AccumulateGrad');
  assert.equal(i, 0);
  assert.deepEqual(acc.next_functions, []);
  assert.throws(() => torch.no_grad(() => x.add(1)).grad_fn.name(), TypeError, 'no graph under no_grad');
  assert.equal(torch.no_grad(() => x.add(1)).grad_fn, null);
  const z = y.sum();
  z.backward();
  assert.equal(z.grad_fn.name(), 'SumBackward0', 'the name survives backward');
  assert.deepEqual(z.grad_fn.next_functions, [], 'the released graph has no edges');
});

// --- finite differences ------------------------------------------------------------------

const EPS = 1e-2;
const TOL = { rtol: 1e-2, atol: 2e-3 };
let seed = 4242;
function input(shape, f = (v) => v) {
  torch.manual_seed(seed++);
  const r = torch.randn(shape);
  const values = r.toTypedArray().map(f);
  r.dispose();
  return torch.tensor(values, { shape, requires_grad: true });
}
const positive = (v) => 0.5 + Math.abs(v);
const unit = (v) => Math.tanh(v) * 0.8;
const awayFromZero = (v) => Math.sign(v || 1) * (0.5 + Math.abs(v));
function distinct(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  torch.manual_seed(seed++);
  const perm = torch.randperm(n).toTypedArray();
  return torch.tensor(Float32Array.from(perm, (p) => (p - n / 2) * 0.3), { shape, requires_grad: true });
}

const GRADCHECKS = [
  ['sin', (a) => a.sin(), () => [input([7])]], ['cos', (a) => a.cos(), () => [input([7])]],
  ['tan', (a) => a.tan(), () => [input([7], unit)]], ['asin', (a) => a.asin(), () => [input([7], unit)]],
  ['acos', (a) => a.acos(), () => [input([7], unit)]], ['atan', (a) => a.atan(), () => [input([7])]],
  ['sinh', (a) => a.sinh(), () => [input([7])]], ['cosh', (a) => a.cosh(), () => [input([7])]],
  ['asinh', (a) => a.asinh(), () => [input([7])]], ['acosh', (a) => a.acosh(), () => [input([7], (v) => 1.5 + Math.abs(v))]],
  ['atanh', (a) => a.atanh(), () => [input([7], unit)]], ['log1p', (a) => a.log1p(), () => [input([7], positive)]],
  ['expm1', (a) => a.expm1(), () => [input([7])]], ['log2', (a) => a.log2(), () => [input([7], positive)]],
  ['log10', (a) => a.log10(), () => [input([7], positive)]], ['exp2', (a) => a.exp2(), () => [input([7])]],
  ['rsqrt', (a) => a.rsqrt(), () => [input([7], positive)]], ['reciprocal', (a) => a.reciprocal(), () => [input([7], awayFromZero)]],
  ['erf', (a) => a.erf(), () => [input([7])]], ['silu', (a) => torch.F.silu(a), () => [input([7])]],
  ['softplus', (a) => torch.F.softplus(a), () => [input([7])]],
  ['softplus beta=2 threshold=1', (a) => torch.F.softplus(a, 2, 1), () => [input([7], (v) => v + (Math.abs(v - 0.5) < 0.05 ? 0.2 : 0))]],
  ['frac', (a) => a.frac(), () => [input([7], (v) => Math.floor(v * 3) + 0.5)]],
  ['pow tensor exponent broadcast', (a, b) => a.pow(b), () => [input([3, 4], positive), input([4])]],
  ['pow scalar base', (b) => torch.pow(2.5, b), () => [input([5])]],
  ['maximum', (a, b) => a.maximum(b), () => { const d = distinct([8]); return [d, input([8])]; }],
  ['minimum broadcast', (a, b) => a.minimum(b), () => [distinct([3, 4]), input([4])]],
  ['clamp', (a) => a.clamp(-0.5, 0.5), () => [input([9], (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v * 2 : v))]],
  ['clamp tensor bounds', (a, lo, hi) => a.clamp(lo, hi), () => [input([3, 4], (v) => 3 * v), input([4], (v) => -1 - Math.abs(v)), input([3, 1], (v) => 1 + Math.abs(v))]],
  ['where broadcast', (a, b) => torch.where(a.gt(0), a.mul(b), b), () => [input([3, 4], awayFromZero), input([4])]],
  ['max dim', (a) => a.max(1).values, () => [distinct([3, 5])]],
  ['min all', (a) => a.min(), () => [distinct([3, 5])]],
  ['sort descending', (a) => a.sort(1, true).values, () => [distinct([3, 5])]],
  ['topk', (a) => a.topk(2, 0).values, () => [distinct([5, 3])]],
  ['norm p=2', (a) => a.norm(), () => [input([3, 4])]], ['norm p=3 dim 1', (a) => a.norm(3, 1), () => [input([3, 4], awayFromZero)]],
  ['norm p=1', (a) => a.norm(1, 0), () => [input([3, 4], awayFromZero)]],
  ['norm dims [0, 2]', (a) => a.norm(2, [0, 2]), () => [input([2, 3, 4])]],
  ['var', (a) => a.var(1), () => [input([3, 6])]], ['std all', (a) => a.std(), () => [input([3, 6])]],
  ['std correction=0 dims', (a) => a.std([0, 1], { correction: 0 }), () => [input([2, 3, 4])]],
  ['prod dim', (a) => a.prod(1), () => [input([3, 4], awayFromZero)]],
];

test('finite-difference gradchecks', async (t) => {
  for (const [name, fn, make] of GRADCHECKS) {
    await t.test(name, () => {
      const inputs = make();
      try {
        for (const r of gradcheck(torch, fn, inputs, { eps: EPS, ...TOL })) log.record('gradcheck', r);
      } finally {
        for (const x of inputs) x.dispose();
      }
    });
  }
});

// --- bad inputs ----------------------------------------------------------------------------

const x = () => torch.randn(3, 4);
const BAD = [
  ['clamp without bounds', () => x().clamp(), Error, "clamp: at least one of 'min' or 'max' must not be None"],
  ['clamp string bound', () => x().clamp('0'), TypeError, /^clamp: expected a number, a Tensor or null for min, got the string '0'/],
  ['clamp unknown option', () => x().clamp({ minimum: 0 }), TypeError, /^clamp: unknown option 'minimum'; valid options are: min, max/],
  ['where float condition', () => torch.where(x(), x(), x()), TypeError, /^where: expected condition to be a bool tensor, got float32/],
  ['where shapes', () => torch.where(x().gt(0), torch.zeros(5), 1), Error, /^where: the size of tensor a \(4\) must match the size of tensor b \(5\)/],
  ['where one argument', () => torch.where(x().gt(0)), TypeError, /^where: the one-argument form/],
  ['where string other', () => torch.where(x().gt(0), x(), 'a'), TypeError, /^where: expected a Tensor or a number for other/],
  ['pow string', () => x().pow('2'), TypeError, /^pow: expected a number or a Tensor for exponent/],
  ['pow broadcast', () => x().pow(torch.ones(5)), Error, /^pow: the size of tensor a \(4\) must match/],
  ['pow number ** number', () => torch.pow(2, 3), TypeError, /^pow: expected a Tensor for exponent/],
  ['maximum number', () => torch.maximum(x(), 1), TypeError, /^maximum: expected a Tensor for other/],
  ['max dim out of range', () => x().max(2), RangeError, /^max: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
  ['min keepdim not boolean', () => x().min(0, 1), TypeError, /^min: expected a boolean for keepdim/],
  ['min of empty', () => torch.zeros(0).min(0), Error, /^min: expected a non-empty tensor/],
  ['argmin unknown option', () => x().argmin({ axis: 0 }), TypeError, /^argmin: unknown option 'axis'/],
  ['norm string p', () => x().norm('nuc'), TypeError, /^norm: expected a number, Infinity or 'fro' for p/],
  ['norm int64', () => torch.tensor([1, 2]).norm(), TypeError, /^norm: expected a floating point tensor, got int64/],
  ['norm dim out of range', () => x().norm(2, 5), RangeError, /^norm: dimension out of range/],
  ['std unbiased and correction', () => x().std({ unbiased: true, correction: 0 }), TypeError, /^std: give either unbiased or correction/],
  ['var bad correction', () => x().var({ correction: 'one' }), TypeError, /^var: expected a number for correction/],
  ['var unknown option', () => x().var({ ddof: 1 }), TypeError, /^var: unknown option 'ddof'; valid options are: dim, unbiased, correction, keepdim/],
  ['std int64', () => torch.tensor([1, 2, 3]).std(), TypeError, /^std: expected a floating point tensor, got int64 \(convert with \.float\(\)\)/],
  ['sort dim', () => x().sort(3), RangeError, /^sort: dimension out of range/],
  ['sort descending not boolean', () => x().sort(0, 'yes'), TypeError, /^sort: expected a boolean for descending/],
  ['topk k too large', () => x().topk(5), Error, /^topk: selected index k out of range \(k = 5, the dimension has size 4\)/],
  ['topk negative k', () => x().topk(-1), Error, /^topk: selected index k out of range/],
  ['topk k not integer', () => x().topk(1.5), TypeError, /^topk: expected an integer for k/],
  ['prod dim', () => x().prod(-3), RangeError, /^prod: dimension out of range/],
  ['linspace negative steps', () => torch.linspace(0, 1, -1), RangeError, /^linspace: 'steps' must be >= 0, got -1/],
  ['linspace steps not integer', () => torch.linspace(0, 1, 2.5), TypeError, /^linspace: expected an integer for steps/],
  ['linspace NaN start', () => torch.linspace(NaN, 1, 3), TypeError, /^linspace: expected a finite number for start/],
  ['linspace bool dtype', () => torch.linspace(0, 1, 3, { dtype: 'bool' }), TypeError, /^linspace: dtype must be float32 or int64, got bool/],
  ['logspace unknown option', () => torch.logspace(0, 1, 3, { bas: 2 }), TypeError, /^logspace: unknown option 'bas'/],
  ['eye negative', () => torch.eye(-1), RangeError, /^eye: 'n' must be >= 0, got -1/],
  ['eye m not integer', () => torch.eye(2, 1.5), TypeError, /^eye: expected an integer for 'm'/],
  ['sin of a string', () => torch.sin('x'), TypeError, /^sin: expected a Tensor for input, got the string 'x'/],
  ['round decimals not integer', () => x().round({ decimals: 0.5 }), TypeError, /^round: expected an integer for decimals/],
  ['sin with an option', () => torch.sin(x(), { out: null }), TypeError, /^sin: the option 'out' is not supported .*; it takes no options$/],
  ['maximum with an extra option', () => x().maximum(x(), { alpha: 2 }), TypeError, /^maximum: unknown option 'alpha'/],
  ['max with a third argument', () => x().max(0, true, { out: null }), TypeError, /^max: the option 'out' is not supported/],
  ['topk with a fifth argument', () => x().topk(1, 0, true, true, 7), TypeError, /^topk: expected no further arguments, got number 7/],
  ['where with a fourth argument', () => torch.where(x().gt(0), 1, 0, { out: null }), TypeError, /^where: the option 'out' is not supported/],
  ['std with four positional arguments', () => x().std(0, true, false, true), TypeError, /^std: takes at most 3 positional arguments, got 4/],
  ['grad_fn of a released tensor', () => { const y = torch.ones([2], { requires_grad: true }).mul(2); const f = y.grad_fn; y.dispose(); return f.name(); },
    Error, /This tensor was released/],
];

test('bad inputs: clear errors, and the next call works', async (t) => {
  for (const [name, fn, type, message] of BAD) {
    await t.test(name, () => {
      assert.throws(fn, (e) => {
        assert.ok(e instanceof type, `expected ${type.name}, got ${e.constructor.name}: ${e.message}`);
        if (typeof message === 'string') assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
      const a = torch.tensor([[3, -1, 2]], { dtype: 'float32' });
      assert.deepEqual(a.sort(1).values.tolist(), [[-1, 2, 3]], 'the next call works');
    });
  }
});

after(() => {
  console.log(log.report(`math-ops: max error per family over ${fixture.cases.length} cases (torch ${fixture.torch_version})`));
});
