// nn-layers.test.js: PyTorch parity of kindling's torch.nn layers (issue 3). Replays the
// layer and functional cases of tests/fixtures/nn.json (made by
// tests/fixtures/generate_nn.py from PyTorch): build the module with PyTorch's arguments,
// check its repr,
// load PyTorch's weights with load_state_dict, then per step set train /
// eval, seed the generator when the case did (dropout masks must then match exactly),
// compare the output, backward (out * W).sum() and compare the gradients w.r.t. the input
// and every parameter, and the buffers (running stats) after the step.
// Then SIMD vs scalar (torch.set_simd) on randomised shapes for conv2d forward/backward,
// pooling and batch norm.
// Tolerances: tests/nn-helpers.js (TOL, TOL_SUMS, tolFor), with the reasons.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { ErrorLog, assertClose, assertExact, fixtureTensor, loadFixture } from './helpers.js';
import { TOL, TOL_SUMS, prng, replayLayerCase, tolFor } from './nn-helpers.js';

const { nn, F } = torch;
const fixture = loadFixture('nn.json');
const log = new ErrorLog();

/** Compares one tensor with PyTorch's at the family's tolerance and logs the error. */
function compare(family, what, actual, expected, label, logAs = family) {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  const values = actual.toTypedArray();
  if (expected.dtype !== 'float32') {
    assertExact(values, expected.values, { shape: expected.shape, label });
    return;
  }
  const r = assertClose(values, expected.values, { ...tolFor(family, what), shape: expected.shape, label });
  log.record(`${logAs} ${what === 'output' || what === 'buffer' ? what : 'grad'}`, r);
}

/** Functional cases get the tolerance of the layer family they exercise. */
const functionalFamily = (c) => (c.name.startsWith('conv2d') ? 'conv2d' : c.name.startsWith('batch_norm') ? 'batchnorm' : c.family);

function runFunctionalCase(c) {
  const fam = functionalFamily(c);
  const names = c.inputs.map((i) => i.name);
  const inputs = c.inputs.map((i) => fixtureTensor(torch, i, i.requires_grad));
  let W = null;
  try {
    const fn = new Function('torch', 'F', ...names, `return (${c.kindling});`);
    const result = fn(torch, F, ...inputs);
    const outs = Array.isArray(result) ? result : [result];
    assert.equal(outs.length, c.outputs.length, 'number of outputs');
    c.outputs.forEach((expected, k) => compare(fam, 'output', outs[k], expected, `output ${k}`, c.family));
    if (!c.W) return;
    W = fixtureTensor(torch, c.W);
    outs[0].mul(W).sum().backward();
    c.inputs.forEach((spec, k) => {
      if (!c.grads[spec.name]) return;
      assert.ok(inputs[k].grad, `grad of ${spec.name} is None, expected a tensor`);
      compare(fam, spec.name, inputs[k].grad, c.grads[spec.name], `grad of ${spec.name}`, c.family);
    });
  } finally {
    for (const t of inputs) t.dispose();
    if (W) W.dispose();
  }
}

test('fixture is present and was made by PyTorch', () => {
  assert.match(fixture.torch_version, /^\d+\.\d+/);
  assert.ok(fixture.cases.length > 200, `only ${fixture.cases.length} cases`);
});

// softmax_implicit (dim=None, with its warning) is replayed by nn-module.test.js.
const parityCases = fixture.cases.filter((c) => (c.kind === 'layer' || c.kind === 'functional') && c.family !== 'softmax_implicit');
for (const family of [...new Set(parityCases.map((c) => c.family))]) {
  test(`parity with PyTorch: ${family}`, async (t) => {
    for (const c of parityCases.filter((x) => x.family === family)) {
      const label = c.kind === 'layer' ? `${c.name}: ${c.repr.split('\n')[0]}` : `${c.name}: ${c.kindling}`;
      await t.test(label, () => (c.kind === 'layer' ? replayLayerCase(torch, c, compare) : runFunctionalCase(c)));
    }
  });
}

// --- SIMD vs scalar -------------------------------------------------------------------
// Shapes are drawn from a seeded PRNG (KINDLING_TEST_SEED overrides the seed, printed on
// failure) so that kernel tails, odd channel counts and small planes all get exercised.

const SIMD_SEED = Number(process.env.KINDLING_TEST_SEED ?? 20240611);

/** Runs fn with SIMD on, then off; returns both lists of Float32Arrays. */
function bothPaths(fn) {
  const results = [];
  for (const on of [true, false]) {
    torch.set_simd(on);
    try {
      results.push(fn());
    } finally {
      torch.set_simd(true);
    }
  }
  return results;
}

function compareSimd(simd, scalar, labels, tols, family) {
  simd.forEach((a, i) => {
    const r = assertClose(a, scalar[i], { ...tols[i], label: `${labels[i]} (SIMD vs scalar, seed ${SIMD_SEED})` });
    log.record(`simd ${family}`, r);
  });
}

/** Forward + backward of one layer on fixed data; returns [out, input grad, param grads...]. */
function runOnce(make, xValues, xShape, wSeed) {
  const m = make();
  const x = torch.tensor(xValues, { shape: xShape, requires_grad: true });
  try {
    const out = m(x);
    const W = torch.tensor(prng(wSeed).array(out.numel()), { shape: out.shape });
    out.mul(W).sum().backward();
    W.dispose();
    const res = [out.toTypedArray(), x.grad.toTypedArray(), ...m.parameters().map((p) => p.grad.toTypedArray())];
    for (const b of m.buffers()) if (b.dtype === 'float32') res.push(b.toTypedArray());
    return res;
  } finally {
    x.dispose();
  }
}

/** A module factory that builds the same weights every time (seeded init). */
const seeded = (seed, make) => () => {
  torch.manual_seed(seed);
  return make();
};

test('SIMD and scalar kernels agree on randomised shapes', async (t) => {
  assert.equal(torch.simd_available(), true, 'dist/kindling.wasm was built without -msimd128');
  const r = prng(SIMD_SEED);
  const trials = [];
  for (let i = 0; i < 10; i++) {
    const groups = r.pick([1, 1, 1, 2, 3]);
    const cin = groups * r.int(1, 5), cout = groups * r.int(1, 6);
    const k = [r.int(1, 4), r.int(1, 4)], stride = [r.int(1, 2), r.int(1, 3)], dil = [r.int(1, 2), r.int(1, 2)];
    const pad = [r.int(0, 2), r.int(0, 2)];
    const h = dil[0] * (k[0] - 1) + 1 + r.int(0, 9), w = dil[1] * (k[1] - 1) + 1 + r.int(0, 9);
    const n = r.int(1, 3);
    const bias = r() < 0.8;
    trials.push({
      family: 'conv2d', label: `Conv2d(${cin}, ${cout}, [${k}], stride [${stride}], padding [${pad}], dilation [${dil}], groups ${groups}, bias ${bias}) on [${n}, ${cin}, ${h}, ${w}]`,
      make: seeded(i, () => new nn.Conv2d(cin, cout, k, { stride, padding: pad, dilation: dil, groups, bias })),
      shape: [n, cin, h, w], grads: true,
    });
  }
  for (let i = 0; i < 6; i++) {
    const k = [r.int(1, 4), r.int(1, 4)], stride = [r.int(1, 3), r.int(1, 3)];
    const pad = [r.int(0, Math.floor(k[0] / 2)), r.int(0, Math.floor(k[1] / 2))];
    const shape = [r.int(1, 3), r.int(1, 6), k[0] + r.int(0, 11), k[1] + r.int(0, 11)];
    const ceil_mode = r() < 0.5;
    trials.push({ family: 'maxpool2d', label: `MaxPool2d([${k}], [${stride}], [${pad}], ceil ${ceil_mode}) on [${shape}]`,
      make: () => new nn.MaxPool2d(k, stride, pad, { ceil_mode }), shape, distinct: true });
    const count_include_pad = r() < 0.5;
    trials.push({ family: 'avgpool2d', label: `AvgPool2d([${k}], [${stride}], [${pad}], ceil ${ceil_mode}, count_include_pad ${count_include_pad}) on [${shape}]`,
      make: () => new nn.AvgPool2d(k, stride, pad, { ceil_mode, count_include_pad }), shape });
    const out = [r.int(1, shape[2] + 2), r.int(1, shape[3] + 2)];
    trials.push({ family: 'adaptiveavgpool2d', label: `AdaptiveAvgPool2d([${out}]) on [${shape}]`,
      make: () => new nn.AdaptiveAvgPool2d(out), shape });
  }
  for (let i = 0; i < 6; i++) {
    const c = r.int(1, 9);
    const shape = i % 2 ? [r.int(2, 5), c, r.int(1, 7), r.int(1, 9)] : [r.int(2, 17), c];
    const training = i < 4;
    trials.push({ family: 'batchnorm', label: `BatchNorm${shape.length === 4 ? 2 : 1}d(${c}) ${training ? 'train' : 'eval'} on [${shape}]`,
      make: () => {
        const m = shape.length === 4 ? new nn.BatchNorm2d(c) : new nn.BatchNorm1d(c);
        torch.no_grad(() => {
          m.weight.uniform_(0.5, 1.5);
          m.bias.uniform_(-0.5, 0.5);
          m.running_var.uniform_(0.5, 2);
        });
        return m.train(training);
      },
      shape, grads: true });
  }
  for (const [i, trial] of trials.entries()) {
    await t.test(trial.label, () => {
      const n = trial.shape.reduce((a, b) => a * b, 1);
      let x = prng(SIMD_SEED + i).array(n, 1.5);
      if (trial.distinct) { // no ties: the max-pool gradient must not depend on tie-breaking
        const order = [...x.keys()].sort((a, b) => x[a] - x[b]);
        order.forEach((j, rank) => { x[j] = (rank - n / 2) / 16; });
      }
      const make = trial.family === 'batchnorm' ? seeded(1000 + i, trial.make) : trial.make;
      const [simd, scalar] = bothPaths(() => runOnce(make, x, trial.shape, i));
      const sumFamily = trial.family === 'conv2d' || trial.family === 'batchnorm';
      const tols = simd.map((_, j) => (j > 0 && sumFamily ? TOL_SUMS : sumFamily ? { rtol: 1e-5, atol: 3e-6 } : TOL));
      const labels = simd.map((_, j) => (j === 0 ? 'output' : j === 1 ? 'grad of input' : `result ${j}`));
      compareSimd(simd, scalar, labels, tols, trial.family);
    });
  }
});

after(() => {
  const n = parityCases.length;
  console.log(log.report(`nn-layers: max error per family over ${n} PyTorch cases (torch ${fixture.torch_version}) ` +
    'and the SIMD-vs-scalar trials'));
});
