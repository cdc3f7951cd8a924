// api-policy.test.js: issue 10's API policy — no silently wrong numbers from a dtype (a
// gradient or weight of another dtype is cast as PyTorch casts it), backward's options
// (retain_graph works, the unsupported ones are refused), JavaScript's 1.0 === 1 and what
// kindling does about it, the device API (torch.device, cuda, .to, .type), PyTorch's tensor
// repr (replayed from tests/fixtures/api.json, made by generate_api.py from PyTorch 1.13),
// TensorDataset slicing, the scheduler's order warning with a user Optimizer, and
// zero_grad's PyTorch 2 default. The unknown-option walk is tests/api-options.test.js.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { compareArrays, loadFixture } from './helpers.js';

const { nn, optim } = torch;
const F = torch.nn.functional;
const fixture = loadFixture('api.json');
const cases = (kind) => fixture.cases.filter((c) => c.kind === kind);

// --- the data of a repr case, as generate_api.py makes it ------------------------------------
const SPECIAL = { inf: Infinity, '-inf': -Infinity, nan: NaN };
const decode = (v) => (Array.isArray(v) ? v.map(decode) : typeof v === 'string' ? SPECIAL[v] : v);
function make(spec) {
  const dtype = spec.dtype ?? 'float32';
  if ('values' in spec) return torch.tensor(decode(spec.values), { dtype });
  const n = spec.shape.reduce((a, b) => a * b, 1);
  let flat;
  if (spec.formula === 'float') flat = Float32Array.from({ length: n }, (_, i) => ((i * 37) % 101) / 7 - 5);
  else if (spec.formula === 'int') flat = Int32Array.from({ length: n }, (_, i) => ((i * 37) % 101) - 50);
  else flat = Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
  return torch.tensor(flat, { shape: spec.shape, dtype });
}

for (const c of cases('repr')) {
  test(`repr as PyTorch's: ${c.name}`, () => {
    let t = make(c);
    if (c.requires_grad) t.requires_grad_(true);
    if (c.parameter) t = new nn.Parameter(t);
    if (c.options) torch.set_printoptions(c.options);
    try {
      assert.equal(String(t), c.repr);
    } finally {
      torch.set_printoptions({ profile: 'default' });
    }
  });
}

test('printing an [8000, 784] tensor is fast and never overflows the stack', () => {
  const t = torch.randn(8000, 784);
  const start = performance.now();
  const text = String(t);
  const ms = performance.now() - start;
  assert.equal(text.split('\n').length, 7);
  assert.ok(ms < 1000, `${ms} ms`);
  // torch.set_printoptions({threshold: Infinity}) prints every element, iteratively
  torch.set_printoptions({ threshold: Infinity });
  try {
    assert.equal(String(torch.zeros(3000, 2)).split('\n').length, 3000);
  } finally {
    torch.set_printoptions({ profile: 'default' });
  }
});

test('set_printoptions checks its arguments and changes nothing on a bad call', () => {
  const before = torch.get_printoptions();
  assert.throws(() => torch.set_printoptions({ precison: 2 }), /unknown option 'precison'; valid options are: precision, threshold/);
  assert.throws(() => torch.set_printoptions({ precision: 2, profile: 'tiny' }), /profile must be 'default', 'short' or 'full'/);
  assert.throws(() => torch.set_printoptions({ threshold: -1 }), TypeError);
  assert.deepEqual(torch.get_printoptions(), before);
  torch.set_printoptions(2); // positional, as Python's set_printoptions(2)
  assert.equal(torch.get_printoptions().precision, 2);
  torch.set_printoptions({ profile: 'default' });
  assert.deepEqual(torch.get_printoptions(), before);
});

// --- gradients of another dtype ------------------------------------------------------------------
for (const c of cases('backward')) {
  test(`backward casts the gradient as PyTorch: ${c.name}`, () => {
    const a = torch.tensor([2.0, 3.0], { requires_grad: true });
    const b = torch.tensor([6.0, 4.0], { requires_grad: true });
    const Q = a.pow(3).mul(3).sub(b.pow(2));
    const gradient = torch.tensor(c.gradient, { dtype: c.gradient_dtype });
    for (let i = 0; i < c.times; i++) Q.backward(gradient, { retain_graph: c.times > 1 });
    assert.ok(compareArrays(a.grad.toTypedArray(), c.a_grad, { rtol: 1e-6, atol: 0 }).ok, `a.grad ${a.grad.tolist()} vs ${c.a_grad}`);
    assert.ok(compareArrays(b.grad.toTypedArray(), c.b_grad, { rtol: 1e-6, atol: 0 }).ok, `b.grad ${b.grad.tolist()} vs ${c.b_grad}`);
  });
}

test("the blitz's Q.backward(torch.tensor([1., 1.])) as written in JS gives PyTorch's 36 and 81", () => {
  const a = torch.tensor([2., 3.], { requires_grad: true });
  const b = torch.tensor([6., 4.], { requires_grad: true });
  const Q = a.pow(3).mul(3).sub(b.pow(2));
  const gradient = torch.tensor([1., 1.]); // JavaScript reads 1. as 1: an int64 tensor
  assert.equal(gradient.dtype, 'int64');
  Q.backward(gradient);
  assert.deepEqual(a.grad.tolist(), [36, 81]);
  assert.deepEqual(b.grad.tolist(), [-12, -8]);
});

test('backward: retain_graph, the options form, and what is refused', () => {
  const w = torch.tensor([1.5, -2.0], { requires_grad: true });
  const loss = w.mul(w).sum();
  loss.backward({ retain_graph: true });
  loss.backward(null, true); // positional, as Python's backward(None, True)
  assert.deepEqual(w.grad.tolist(), [6, -8]);
  loss.backward({ gradient: torch.tensor(1.0) }); // the last one releases the graph
  assert.deepEqual(w.grad.tolist(), [9, -12]);
  assert.throws(() => loss.backward(), /^Error: backward: Trying to backward through the graph a second time.*retain_graph=True/);
  const y = w.mul(2).sum();
  assert.throws(() => y.backward({ create_graph: true }), /backward: create_graph=true \(higher-order gradients\) is not supported/);
  assert.throws(() => y.backward({ inputs: [w] }), /backward: inputs= is not supported/);
  assert.throws(() => y.backward({ retain_grpah: true }), /unknown option 'retain_grpah'; valid options are: gradient, retain_graph, create_graph, inputs/);
  assert.throws(() => y.backward({ gradient: [1] }), /backward: expected a Tensor for gradient/);
  assert.throws(() => y.backward(torch.ones(3)), /gradient of shape \[3\] does not match/);
  assert.deepEqual(w.grad.tolist(), [9, -12], 'refused calls change nothing');
  y.backward(); // the graph was not released by the refused calls
  assert.deepEqual(w.grad.tolist(), [11, -10]);
});

for (const c of cases('loss')) {
  test(`integer loss weights are promoted as PyTorch: ${c.name}`, () => {
    const x = torch.tensor(c.input), t = torch.tensor(c.target);
    const weight = torch.tensor(c.weight);
    assert.equal(weight.dtype, 'int64');
    const options = { weight };
    if (c.pos_weight) options.pos_weight = torch.tensor(c.pos_weight);
    const value = c.fn === 'binary_cross_entropy' ? F.binary_cross_entropy(x.sigmoid(), t, options) : F.binary_cross_entropy_with_logits(x, t, options);
    assert.ok(Math.abs(value.item() - c.value) <= 1e-6 * Math.abs(c.value), `${value.item()} vs ${c.value}`);
  });
}

for (const c of cases('randperm')) {
  test(`factory options are honoured or refused: ${c.name} draws PyTorch's permutation`, () => {
    const generator = new torch.Generator().manual_seed(c.seed);
    const p = torch.randperm(c.n, { generator, dtype: c.dtype });
    assert.equal(p.dtype, c.dtype);
    assert.deepEqual(p.tolist(), c.values);
  });
}

test('factory device / dtype / generator options: honoured or refused, never ignored', () => {
  assert.equal(torch.zeros(2, { device: 'cpu' }).dtype, 'float32');
  assert.equal(torch.tensor([1], { device: torch.device('cpu') }).dtype, 'int64');
  for (const make of [() => torch.tensor([1], { device: 'cuda' }), () => torch.ones(2, { device: 'cuda:0' }),
    () => torch.arange(3, { device: 'mps' }), () => torch.randn(2, { device: 'cuda' }), () => torch.randperm(3, { device: 'cuda' }),
    () => new nn.Linear(2, 3, { device: 'cuda' }), () => new nn.Conv2d(1, 1, 3, { device: 'cuda' })])
    assert.throws(make, /is not available: kindling runs on the CPU/);
  assert.throws(() => new nn.Linear(2, 3, { dtype: torch.int64 }), /kindling's parameters are float32/);
  assert.equal(new nn.Linear(2, 3, { device: 'cpu', dtype: torch.float32 }).weight.dtype, 'float32');
  assert.throws(() => torch.rand(2, { generator: new torch.Generator() }), /generator= is not supported by kindling's rand/);
  assert.throws(() => torch.randint(0, 3, [2], { generator: new torch.Generator() }), /generator= is not supported/);
  const r = torch.randint(0, 5, [4], { dtype: torch.float32 });
  assert.equal(r.dtype, 'float32');
  assert.ok(r.tolist().every((v) => Number.isInteger(v) && v >= 0 && v < 5));
});

test('optimizer and module options PyTorch has: honoured, or refused when kindling cannot honour them', () => {
  const p = () => [new nn.Parameter(torch.ones(2))];
  assert.throws(() => new optim.SGD(p(), { lr: 0.1, differentiable: true }), /differentiable=true .* is not supported/);
  assert.throws(() => new optim.Adam(p(), { capturable: true }), /capturable=true .* is not supported/);
  assert.ok(new optim.Adam(p(), { foreach: false, fused: true }) instanceof optim.Adam); // one fused C kernel either way
  const shared = new nn.Linear(2, 2);
  const model = new nn.Sequential(shared, shared);
  // PyTorch 2's remove_duplicate (1.13 has no such argument)
  assert.deepEqual(model.named_parameters({ remove_duplicate: false }).map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.deepEqual(model.named_parameters().map(([n]) => n), ['0.weight', '0.bias']);
  const destination = { 'extra': torch.zeros(1) };
  assert.equal(model.state_dict({ destination }), destination);
  assert.deepEqual(Object.keys(destination), ['extra', '0.weight', '0.bias']);
});

// --- JavaScript cannot tell 1.0 from 1 ----------------------------------------------------------
test('all-integer data is int64 as in PyTorch, but {requires_grad: true} means float32', () => {
  assert.equal(torch.tensor([1, 2]).dtype, 'int64');
  assert.equal(torch.tensor([1.5, 2]).dtype, 'float32');
  const w = torch.tensor([1, 2], { requires_grad: true });
  assert.equal(w.dtype, 'float32');
  assert.equal(w.requires_grad, true);
  assert.equal(torch.full([2], 3, { requires_grad: true }).dtype, 'float32');
  assert.equal(torch.arange(3, { requires_grad: true }).dtype, 'float32');
  assert.throws(() => torch.tensor([1, 2], { dtype: torch.int64, requires_grad: true }), /only tensors of floating point dtype can require gradients/);
});

test('a dtype error caused by an all-integer JS array says so and gives the fix', () => {
  const hint = /made from a JS array of integers.*\{dtype: torch\.float32\}/;
  const x = torch.tensor([[1, 2], [3, 4]]);
  const w = torch.tensor([[0.5, 1.5], [2.5, 3.5]]);
  assert.throws(() => x.matmul(w), (e) => e instanceof TypeError && /^matmul: expected float32 tensors, got int64/.test(e.message) && hint.test(e.message));
  assert.throws(() => F.mse_loss(w, torch.tensor([[1, 2], [3, 4]])), hint);
  assert.throws(() => torch.tensor([1, 2]).softmax(0), hint);
  assert.throws(() => torch.arange(4).mean(), hint); // arange(4) is int64 for the same reason
  assert.throws(() => x.add(1).softmax(0), hint); // int64 computed from such a tensor
  assert.throws(() => new nn.Parameter(torch.tensor([1, 2])), hint);
  assert.throws(() => new optim.SGD([torch.tensor([1, 2])], { lr: 0.1 }), hint);
  // an int64 tensor that no JS integer array made gets no hint
  assert.throws(() => w.argmax(1).softmax(0), (e) => !hint.test(e.message));
  assert.throws(() => torch.tensor(new Int32Array([1, 2])).softmax(0), (e) => !hint.test(e.message));
  // reading a marked tensor marks nothing made afterwards
  torch.tensor([1, 2]).tolist();
  assert.throws(() => torch.randint(0, 3, [2]).softmax(0), (e) => !hint.test(e.message));
  // and after a hinted error, the next unrelated one is not hinted
  assert.throws(() => torch.randint(0, 3, [2]).softmax(0), (e) => !hint.test(e.message));
});

// --- devices and dtypes ---------------------------------------------------------------------------
test('torch.device, torch.cuda, Tensor.device / type / to / cpu, Module.to: device-generic code runs unchanged', () => {
  const device = torch.cuda.is_available() ? 'cuda' : 'cpu';
  assert.equal(device, 'cpu');
  assert.equal(torch.cuda.device_count(), 0);
  assert.equal(torch.backends.mps.is_available(), false);
  const d = torch.device('cpu');
  assert.equal(String(d), 'cpu');
  assert.equal(d.type, 'cpu');
  assert.ok(new torch.device('cpu') instanceof torch.device);
  assert.equal(String(torch.device('cpu', 0)), 'cpu:0');
  assert.throws(() => torch.device('cuda'), /device "cuda" is not available: kindling runs on the CPU/);
  assert.throws(() => torch.device('gpu'), TypeError);

  const x = torch.tensor([1, 2]);
  assert.equal(`${x.device}`, 'cpu');
  assert.ok(x.device == 'cpu'); // eslint-disable-line eqeqeq -- as Python's x.device == 'cpu'
  assert.equal(x.is_cuda, false);
  assert.equal(x.type(), 'torch.LongTensor');
  assert.equal(x.float().type(), 'torch.FloatTensor');
  assert.equal(x.bool().type(), 'torch.BoolTensor');
  assert.deepEqual(x.type(torch.float32).tolist(), [1, 2]);
  assert.equal(x.type('torch.FloatTensor').dtype, 'float32');
  assert.equal(x.to(device), x, "to('cpu') is the tensor itself");
  assert.equal(x.to(d), x);
  assert.equal(x.cpu(), x);
  assert.equal(x.to('int64'), x, 'to(its own dtype) is the tensor itself, as PyTorch');
  assert.notEqual(x.to('int64', { copy: true }), x);
  assert.equal(x.to(torch.float32).dtype, 'float32');
  assert.equal(x.to({ dtype: torch.float32, device: 'cpu' }).dtype, 'float32');
  assert.equal(x.to('cpu', torch.float32).dtype, 'float32');
  assert.equal(x.to(torch.ones(1)).dtype, 'float32');
  assert.throws(() => x.to('cuda'), /device "cuda" is not available/);
  assert.throws(() => x.cuda(), /not available/);
  assert.throws(() => x.to('float16'), /expected a dtype .* a device .* or a Tensor, got "float16"/);
  assert.throws(() => x.to({ device: 'cpu', dtpye: 'float32' }), /unknown option 'dtpye'; valid options are: dtype, device, non_blocking, copy, memory_format/);

  const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
  assert.equal(model.to(device), model);
  assert.equal(model.to(torch.device('cpu')), model);
  assert.equal(model.to({ dtype: torch.float32 }), model);
  assert.equal(model.cpu(), model);
  assert.throws(() => model.to('cuda'), /not available/);
  assert.throws(() => model.to(torch.int64), /only accepts floating point dtypes/);
});

// --- TensorDataset slicing ("What is torch.nn really?") ---------------------------------------
test("TensorDataset.slice(a, b) is Python's train_ds[a:b]: the (x, y) rows as tensors", () => {
  const x = torch.arange(20, { dtype: torch.float32 }).reshape(10, 2);
  const y = torch.arange(10);
  const train_ds = new torch.utils.data.TensorDataset(x, y);
  const bs = 4;
  const [xb, yb] = train_ds.slice(1 * bs, 1 * bs + bs);
  assert.deepEqual(xb.tolist(), [[8, 9], [10, 11], [12, 13], [14, 15]]);
  assert.deepEqual(yb.tolist(), [4, 5, 6, 7]);
  const [xl, yl] = train_ds.slice(2 * bs, 2 * bs + bs); // past the end: clipped, as Python's slices
  assert.deepEqual(yl.tolist(), [8, 9]);
  assert.deepEqual(xl.shape, [2, 2]);
  assert.deepEqual(train_ds.slice(-2)[1].tolist(), [8, 9]);
  assert.throws(() => train_ds.slice(0, 2, { step: 2 }), /unknown option 'step'; valid options are: start, end/);
});

// --- the scheduler's order warning with a user Optimizer ------------------------------------------
function captureWarnings(fn) {
  const warnings = [];
  const original = console.warn;
  console.warn = (message) => warnings.push(String(message));
  try {
    fn();
  } finally {
    console.warn = original;
  }
  return warnings;
}

test("lr_scheduler's 'step() before optimizer.step()' warning is right for a user Optimizer subclass", () => {
  class PlainSGD extends optim.Optimizer {
    constructor(params, lr) { super(params, { lr }); }
    step() { // its own update; never calls super.step()
      torch.no_grad(() => {
        for (const group of this.param_groups) for (const p of group.params) if (p.grad) p.sub(p.grad.mul(group.lr)).dispose();
      });
    }
  }
  const order = /Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`/;
  const right = captureWarnings(() => {
    const opt = new PlainSGD([new nn.Parameter(torch.ones(2))], 0.1);
    const sched = new optim.lr_scheduler.StepLR(opt, { step_size: 1 });
    for (let i = 0; i < 3; i++) {
      opt.step();
      sched.step();
    }
    assert.ok(Math.abs(sched.get_last_lr()[0] - 0.1 * 0.1 ** 3) < 1e-15);
  });
  assert.ok(!right.some((w) => order.test(w)), right.join('\n'));
  const wrong = captureWarnings(() => {
    const opt = new PlainSGD([new nn.Parameter(torch.ones(2))], 0.1);
    const sched = new optim.lr_scheduler.StepLR(opt, { step_size: 1 });
    sched.step();
    opt.step();
  });
  assert.ok(wrong.some((w) => order.test(w)), 'the warning still fires for the wrong order');
});

// --- PyTorch 2 defaults ------------------------------------------------------------------------
test("zero_grad() sets gradients to None (PyTorch 2's set_to_none=True); {set_to_none: false} zeroes them", () => {
  const model = new nn.Linear(2, 1);
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  model(torch.ones(1, 2)).sum().backward();
  opt.zero_grad();
  assert.equal(model.weight.grad, null);
  model(torch.ones(1, 2)).sum().backward();
  opt.zero_grad({ set_to_none: false });
  assert.deepEqual(model.weight.grad.tolist(), [[0, 0]]);
  model(torch.ones(1, 2)).sum().backward();
  model.zero_grad();
  assert.equal(model.bias.grad, null);
});
