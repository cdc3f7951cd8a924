// nn-helpers.js: shared helpers of the torch.nn test suites (nn-layers, nn-init, nn-module,
// nn-errors, nn-live-parity): the tolerances, building a module from a fixture case, the
// reference models written exactly as tests/fixtures/generate_nn.py writes them in PyTorch,
// exact (bit-for-bit) comparison of float32 tensors, and a small seeded PRNG for randomised
// shapes. Not a test file itself (node --test runs *.test.js only).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { fixtureTensor, indexString } from './helpers.js';

// --- tolerances -------------------------------------------------------------------------
// |kindling - torch| <= atol + rtol * |torch|.
// rtol: 1e-5 is the rounding of one float32 op chain taken in a different order. Conv and
// batch-norm gradients are sums over N*H*W (and C*kh*kw) products that kindling's GEMM /
// reduction kernels add in another order than oneDNN / ATen, so they get 1e-4.
// atol (the floor near 0): a value that is a sum cancelling to ~0 carries the absolute
// error of its terms (~1e-7 * sum|terms|), not of itself. Elementwise layers: 1e-6.
// Conv / batch-norm gradients (sums of up to a few hundred O(1) terms): 1e-5, i.e. the
// relative 1e-4 applies from |value| >= 0.1 (seen: 7e-6 absolute on values ~0.5).
export const TOL = { rtol: 1e-5, atol: 1e-6 };
export const TOL_SUMS = { rtol: 1e-4, atol: 1e-5 };

/** Tolerance for a fixture family and what is compared ('output', 'input', param name, buffer). */
export function tolFor(family, what) {
  const isGrad = what !== 'output' && what !== 'buffer';
  if ((family === 'conv2d' || family.startsWith('batchnorm')) && isGrad) return TOL_SUMS;
  // Convolution / linear outputs are sums of up to C*kh*kw = 144 products (oneDNN / BLAS
  // add them in another order), batch-norm outputs divide by sqrt(var + eps) computed from
  // a sum: 1e-5 relative, with an absolute floor of 3e-6 for outputs that cancel to near 0
  // (seen: up to ~1.5e-6).
  if (family === 'conv2d' || family.startsWith('batchnorm') || family === 'linear') return { rtol: 1e-5, atol: 3e-6 };
  // GELU(tanh)'s derivative for x < -4.5 is a tail of ~1e-6 made of 1 + tanh(u) and
  // 1 - tanh(u)^2 with tanh(u) ~ -1: in float32 PyTorch's tail is off by up to ~0.5e-6 and
  // becomes exactly 0 once tanh rounds to -1 (x = -5.06: PyTorch 0, float64 -1.3e-6,
  // kindling -1.57e-6). So activation gradients get a 3e-6 absolute floor.
  if (family === 'activation' && isGrad) return { rtol: 1e-5, atol: 3e-6 };
  return TOL;
}

// --- building modules from fixture cases ---------------------------------------------

/** new nn[module](...args, kwargs) — kwargs only when there are some. */
export function makeModule(nn, c) {
  const Cls = nn[c.module];
  assert.ok(Cls, `nn.${c.module} does not exist`);
  return Object.keys(c.kwargs ?? {}).length ? new Cls(...c.args, c.kwargs) : new Cls(...c.args);
}

/** A state_dict of kept kindling tensors from a fixture {name: tensor spec}. */
export function stateFromFixture(torch, state) {
  return Object.fromEntries(Object.entries(state).map(([name, spec]) => [name, fixtureTensor(torch, spec)]));
}

export function disposeState(state) {
  for (const t of Object.values(state)) t.dispose();
}

// --- replaying a layer case ------------------------------------------------------------

// Known kindling bug (reported; remove this when src/js/nn/layers.js is fixed): Conv2d's
// repr quotes a string padding (padding='same'), PyTorch prints padding=same.

/** Dropout with p > 0 in training: the kept / dropped pattern must be PyTorch's exactly. */
export function assertSameMask(actual, expected, label) {
  const a = actual.toTypedArray();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === 0) !== (expected.values[i] === 0))
      assert.fail(`${label}: dropout mask differs from PyTorch's at flat index ${i} ` +
        `(kindling ${a[i] === 0 ? 'dropped' : 'kept'}, PyTorch ${expected.values[i] === 0 ? 'dropped' : 'kept'})`);
  }
}

/**
 * Replays a layer case (see generate_nn.py): build the module, check its repr, load
 * PyTorch's state_dict, then per step: train / eval, seed, forward, compare the output,
 * backward (out * W).sum(), compare the input and parameter grads and the buffers.
 * compare(family, what, actualTensor, expectedSpec, label) does the comparisons; what is
 * 'output', 'input', a parameter name, or 'buffer'.
 */
export function replayLayerCase(torch, c, compare) {
  const m = makeModule(torch.nn, c);
  assert.equal(String(m), c.repr, 'repr');
  const state = stateFromFixture(torch, c.state);
  const owned = [];
  try {
    m.load_state_dict(state);
    c.steps.forEach((step, s) => {
      const at = c.steps.length > 1 ? `step ${s}: ` : '';
      m.train(step.training);
      m.zero_grad();
      const x = fixtureTensor(torch, step.input, true);
      const W = fixtureTensor(torch, step.W);
      owned.push(x, W);
      if (step.seed !== null) torch.manual_seed(step.seed);
      const out = m(x);
      compare(c.family, 'output', out, step.output, `${at}output`);
      if (c.family === 'dropout' && step.training) assertSameMask(out, step.output, `${at}output`);
      out.mul(W).sum().backward();
      compare(c.family, 'input', x.grad, step.grads.input, `${at}grad of input`);
      const params = Object.fromEntries(m.named_parameters());
      assert.deepEqual(Object.keys(params).filter((n) => params[n].grad), Object.keys(step.grads).filter((n) => n !== 'input'),
        `${at}parameters with a grad`);
      for (const [name, p] of Object.entries(params)) compare(c.family, name, p.grad, step.grads[name], `${at}grad of ${name}`);
      const buffers = Object.fromEntries(m.named_buffers());
      assert.deepEqual(Object.keys(buffers).sort(), Object.keys(step.buffers).sort(), `${at}buffers`);
      for (const [name, b] of Object.entries(buffers)) compare(c.family, 'buffer', b, step.buffers[name], `${at}${name} after the step`);
    });
  } finally {
    disposeState(state);
    for (const t of owned) t.dispose();
  }
}

// --- exact comparison ----------------------------------------------------------------

export function sha256Float32(values) {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return createHash('sha256').update(new Uint8Array(f.buffer, f.byteOffset, f.byteLength)).digest('hex');
}

/**
 * Asserts a float32 tensor equals the fixture bit for bit: {values} inline, or {sha256,
 * head} for large tensors (the head locates the first mismatch when the hash differs).
 * Returns the number of differing elements found (0) for the log.
 */
export function assertBitExact(tensor, spec, label) {
  assert.deepEqual(tensor.shape, spec.shape, `${label}: shape`);
  const values = tensor.toTypedArray();
  const expected = spec.values ?? spec.head;
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(values[i], Math.fround(expected[i])))
      assert.fail(`${label}: first difference at ${indexString(spec.shape, i)} (flat ${i}): got ${values[i]}, ` +
        `PyTorch ${expected[i]} (|diff| ${Math.abs(values[i] - expected[i]).toExponential(3)})`);
  }
  if (spec.sha256) {
    const got = sha256Float32(values);
    if (got !== spec.sha256) {
      assert.fail(`${label}: the first ${expected.length} of ${values.length} values match PyTorch's, but the ` +
        `SHA-256 of the float32 bytes differs (got ${got.slice(0, 16)}…, expected ${spec.sha256.slice(0, 16)}…)`);
    }
  }
}

// --- reference models (as in generate_nn.py) -----------------------------------------

/** The models of tests/fixtures/generate_nn.py (MODELS), transcribed line by line. */
export function defineModels(torch) {
  const { nn, F } = torch;

  /** PyTorch's MNIST example (pytorch/examples, mnist/main.py). */
  class Net extends nn.Module {
    constructor() {
      super();
      this.conv1 = new nn.Conv2d(1, 32, 3, 1);
      this.conv2 = new nn.Conv2d(32, 64, 3, 1);
      this.dropout1 = new nn.Dropout(0.25);
      this.dropout2 = new nn.Dropout(0.5);
      this.fc1 = new nn.Linear(9216, 128);
      this.fc2 = new nn.Linear(128, 10);
    }
    forward(x) {
      x = this.conv1(x);
      x = F.relu(x);
      x = this.conv2(x);
      x = F.relu(x);
      x = F.max_pool2d(x, 2);
      x = this.dropout1(x);
      x = torch.flatten(x, 1);
      x = this.fc1(x);
      x = F.relu(x);
      x = this.dropout2(x);
      x = this.fc2(x);
      return F.log_softmax(x, { dim: 1 });
    }
  }

  const MnistSequential = () => new nn.Sequential(
    new nn.Conv2d(1, 32, 3, 1), new nn.ReLU(), new nn.Conv2d(32, 64, 3, 1), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Dropout(0.25), new nn.Flatten(), new nn.Linear(9216, 128), new nn.ReLU(), new nn.Dropout(0.5),
    new nn.Linear(128, 10), new nn.LogSoftmax({ dim: 1 }));

  /** LeNet-5 with batch norm and average pooling, for 28x28 input. */
  class LeNet5 extends nn.Module {
    constructor() {
      super();
      this.features = new nn.Sequential(
        new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.BatchNorm2d(6), new nn.Tanh(), new nn.AvgPool2d(2, 2),
        new nn.Conv2d(6, 16, 5), new nn.BatchNorm2d(16), new nn.Tanh(), new nn.AvgPool2d(2, 2));
      this.classifier = new nn.Sequential(
        new nn.Flatten(), new nn.Linear(400, 120), new nn.Tanh(), new nn.Linear(120, 84), new nn.Tanh(),
        new nn.Linear(84, 10));
    }
    forward(x) { return this.classifier(this.features(x)); }
  }

  /** One of each layer with non-default options, for repr and key order. */
  class Zoo extends nn.Module {
    constructor() {
      super();
      this.stem = new nn.Sequential(
        new nn.Conv2d(3, 8, [3, 5], { stride: [2, 1], padding: [1, 2], bias: false }),
        new nn.BatchNorm2d(8, { eps: 1e-3, momentum: null }), new nn.LeakyReLU(0.2),
        new nn.MaxPool2d(3, 2, 1, { ceil_mode: true }));
      this.same = new nn.Conv2d(8, 8, 3, { padding: 2, dilation: 2, groups: 4 });
      this.pool = new nn.AdaptiveAvgPool2d([1, 1]);
      this.avg = new nn.AvgPool2d(3, { stride: 1, padding: 1, count_include_pad: false });
      this.drop2d = new nn.Dropout2d(0.1);
      this.head = new nn.ModuleList([new nn.Flatten(), new nn.Linear(8, 16), new nn.BatchNorm1d(16, { affine: false }),
        new nn.GELU({ approximate: 'tanh' }), new nn.ELU({ alpha: 0.5 }), new nn.Dropout({ p: 0.3 }),
        new nn.Linear(16, 4, { bias: false }), new nn.Softmax({ dim: -1 })]);
      this.extra = new nn.Sequential(new nn.Unflatten(1, [2, 2]), new nn.Identity(), new nn.Sigmoid(), new nn.Tanh(),
        new nn.ReLU(), new nn.LogSoftmax({ dim: 1 }), new nn.BatchNorm1d(2, { track_running_stats: false }));
    }
  }

  return { Net, MnistSequential, LeNet5, Zoo, make: { Net: () => new Net(), MnistSequential, LeNet5: () => new LeNet5(), Zoo: () => new Zoo() } };
}

// --- randomness for randomised shapes --------------------------------------------------

/** mulberry32: a small seeded PRNG (uniform in [0, 1)). */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)); // inclusive
  next.pick = (items) => items[Math.floor(next() * items.length)];
  next.normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  next.array = (n, scale = 1) => Float32Array.from({ length: n }, () => next.normal() * scale);
  return next;
}

/** Captures console.warn during fn (sync); returns [result, messages]. */
export function captureWarnings(fn) {
  const messages = [];
  const original = console.warn;
  console.warn = (...args) => messages.push(args.join(' '));
  try {
    return [fn(), messages];
  } finally {
    console.warn = original;
  }
}

/** Asserts that fn throws an error of class Cls whose message matches re (a RegExp or string). */
export function assertThrowsWith(fn, Cls, re, label = '') {
  let thrown = null;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown, `${label}: expected ${Cls.name} matching ${re}, but nothing was thrown`);
  assert.ok(thrown instanceof Cls, `${label}: expected ${Cls.name}, got ${thrown.constructor.name}: ${thrown.message}`);
  if (typeof re === 'string') assert.ok(thrown.message.includes(re), `${label}: message "${thrown.message}" lacks "${re}"`);
  else assert.match(thrown.message, re, `${label}: message`);
  return thrown;
}
