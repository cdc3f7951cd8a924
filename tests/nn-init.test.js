// nn-init.test.js: kindling's parameter initialisation equals PyTorch's bit for bit (issue 3).
// The generator reproduces PyTorch's CPU mt19937 streams and the layers follow PyTorch's
// reset_parameters order, so after the same torch.manual_seed(s) a Conv2d, a Linear, a
// whole model built in the same order, and every torch.nn.init function on a fresh tensor
// must give exactly PyTorch's float32 values (tests/fixtures/nn.json, init cases). No
// tolerance: any difference is a bug (or a libm last-bit difference, which would have to
// be documented here with its cause — none is needed today).
// Also: calculate_gain, and the whole MNIST Net after manual_seed — eval output, and train
// output with PyTorch's dropout masks (seeded init + dropout streams + every layer).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { assertClose, fixtureTensor, loadFixture } from './helpers.js';
import { TOL_SUMS, assertBitExact, defineModels, makeModule } from './nn-helpers.js';

const { nn } = torch;
const fixture = loadFixture('nn.json');
const models = defineModels(torch);
const initCases = fixture.cases.filter((c) => c.kind === 'init');

function assertParams(named, expected) {
  assert.deepEqual(named.map(([n]) => n), expected.map(([n]) => n), 'parameter names, in order');
  named.forEach(([name, p], i) => assertBitExact(p, expected[i][1], name));
}

function runInit(c) {
  torch.manual_seed(c.seed);
  if (c.family === 'init_module') {
    if (c.before) torch.randn(c.before).dispose();
    const m = makeModule(nn, c);
    assertParams(m.named_parameters(), c.params);
  } else if (c.family === 'init_sequence') {
    const named = [];
    c.modules.forEach(([module, args, kwargs], i) => {
      const m = makeModule(nn, { module, args, kwargs });
      for (const [n, p] of m.named_parameters()) named.push([`${i}.${n}`, p]);
    });
    assertParams(named, c.params);
  } else if (c.family === 'init_model') {
    const m = models.make[c.model]();
    assertParams(m.named_parameters(), c.params);
  } else {
    const t = torch.empty(c.shape);
    const fn = nn.init[c.fn];
    assert.equal(typeof fn, 'function', `nn.init.${c.fn} exists`);
    const kw = Object.keys(c.kwargs).length ? [c.kwargs] : [];
    const result = fn(t, ...c.args, ...kw);
    assert.equal(result, t, `${c.fn} returns its tensor (in place)`);
    assertBitExact(t, c.values, c.fn);
    t.dispose();
  }
}

for (const family of [...new Set(initCases.map((c) => c.family))]) {
  test(`init equals PyTorch bit for bit: ${family}`, async (t) => {
    for (const c of initCases.filter((x) => x.family === family)) await t.test(c.name, () => runInit(c));
  });
}

test('init functions run without recording a graph, on a tensor that requires grad', () => {
  const p = new nn.Parameter(torch.empty([4, 3]));
  nn.init.kaiming_uniform_(p, { a: Math.sqrt(5) });
  assert.equal(p.requires_grad, true);
  assert.equal(p.is_leaf, true, 'still a leaf after an in-place init');
  nn.init.zeros_(p);
  assert.deepEqual([...p.toTypedArray()], new Array(12).fill(0));
});

test('calculate_gain equals PyTorch', () => {
  for (const [nonlinearity, param, expected] of fixture.gains) {
    const got = param === null ? nn.init.calculate_gain(nonlinearity) : nn.init.calculate_gain(nonlinearity, param);
    assert.equal(got, expected, `calculate_gain('${nonlinearity}', ${param})`);
  }
});

test('the same seed twice gives the same model (a run is reproducible)', () => {
  torch.manual_seed(123);
  const a = new models.Net();
  torch.manual_seed(123);
  const b = new models.Net();
  const pa = a.named_parameters(), pb = b.named_parameters();
  pa.forEach(([name, p], i) => assert.deepEqual(p.toTypedArray(), pb[i][1].toTypedArray(), name));
});

test('the whole Net after manual_seed: eval output and seeded train output equal PyTorch', async (t) => {
  for (const c of fixture.net_forward) {
    await t.test(c.name, () => {
      torch.manual_seed(c.seed);
      const net = new models.Net();
      const x = fixtureTensor(torch, c.input);
      const W = fixtureTensor(torch, c.W);
      try {
        net.eval();
        const y0 = torch.no_grad(() => net(x));
        // Through two conv layers and two linear layers with seeded (not loaded) weights:
        // sums of up to 9216 products in another order than oneDNN / BLAS.
        assertClose(y0.toTypedArray(), c.eval_output.values, { ...TOL_SUMS, label: 'eval output' });
        net.train();
        torch.manual_seed(c.train_seed);
        const y = net(x);
        assertClose(y.toTypedArray(), c.train_output.values, { ...TOL_SUMS, label: 'train output (dropout masks)' });
        y.mul(W).sum().backward();
        const params = Object.fromEntries(net.named_parameters());
        for (const [name, g] of Object.entries(c.grads))
          assertClose(params[name].grad.toTypedArray(), g.values, { ...TOL_SUMS, shape: g.shape, label: `grad of ${name}` });
      } finally {
        x.dispose();
        W.dispose();
      }
    });
  }
});
