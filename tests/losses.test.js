// losses.test.js: PyTorch parity of kindling's losses (issue 4, part 1) and their argument
// errors (part 3). Replays every case of tests/fixtures/loss.json (made by
// tests/fixtures/generate_loss.py from PyTorch) through the public JS API twice: as the
// module (`new nn[module]({...options, weight})`, then `criterion(input, target)`) with
// (output * W).sum().backward() compared against PyTorch's gradients w.r.t. the input and
// the float target, and as the function (`F[functional](input, target, {...options})`).
// Then the bad arguments: each a clear error naming the call, and the next call works.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { ErrorLog, assertClose, compareArrays, fixtureTensor, loadFixture } from './helpers.js';

const { nn, F } = torch;
const fixture = loadFixture('loss.json');
const log = new ErrorLog();

// |kindling - torch| <= ATOL + RTOL * |torch|. 1e-5 relative; the 1e-6 absolute floor is
// for values near 0 (per-element losses and gradients of ~1e-7, 'sum' reductions whose
// terms cancel), where float32 rounding in a different order is ~1e-7 absolute.
const RTOL = 1e-5;
const ATOL = 1e-6;

function checkTensor(actual, expected, label, family) {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  const values = actual.toTypedArray();
  assertClose(values, expected.values, { rtol: RTOL, atol: ATOL, shape: expected.shape, label });
  // the summary's errors over the finite expected values (NaN matched NaN above)
  const finite = [...expected.values.keys()].filter((i) => Number.isFinite(Number(expected.values[i])));
  log.record(family, compareArrays(finite.map((i) => values[i]), finite.map((i) => Number(expected.values[i])), { rtol: RTOL, atol: ATOL }));
}

function tensorsOf(c) {
  return Object.fromEntries(Object.entries(c.tensors).map(([k, spec]) => [k, fixtureTensor(torch, spec)]));
}

function runModule(c) {
  const input = fixtureTensor(torch, c.input, true);
  const target = fixtureTensor(torch, c.target, c.target.requires_grad);
  const criterion = new nn[c.module]({ ...c.options, ...tensorsOf(c) });
  const out = criterion(input, target);
  checkTensor(out, c.output, 'output', c.family);
  assert.equal(out.requires_grad, true, 'output requires_grad');
  out.mul(fixtureTensor(torch, c.W)).sum().backward();
  assert.ok(input.grad, 'input.grad is null');
  checkTensor(input.grad, c.grads.input, 'grad of input', c.family);
  if (c.grads.target) {
    assert.ok(target.grad, 'target.grad is null, PyTorch gives one');
    checkTensor(target.grad, c.grads.target, 'grad of target', c.family);
  }
}

function runFunctional(c) {
  const input = fixtureTensor(torch, c.input);
  const target = fixtureTensor(torch, c.target);
  const out = F[c.functional](input, target, { ...c.options, ...tensorsOf(c) });
  checkTensor(out, c.output, 'output', c.family);
}

const describeCase = (c) => `${c.name}: ${c.module}(${JSON.stringify({ ...c.options, ...Object.fromEntries(Object.keys(c.tensors).map((k) => [k, 'T'])) })})`;

test('fixture is present and was made by PyTorch', () => {
  assert.match(fixture.torch_version, /^\d+\.\d+/);
  assert.ok(fixture.cases.length > 300, `only ${fixture.cases.length} cases`);
  const tutorial = fixture.cases.find((c) => c.name.includes('tutorial weight'));
  assertClose(tutorial.tensors.weight.values, [0.633, 0.095, 0.271], { rtol: 0, atol: 1e-3, label: 'tutorial weight' });
});

const families = [...new Set(fixture.cases.map((c) => c.family))];
for (const family of families) {
  test(`parity with PyTorch: ${family}`, async (t) => {
    for (const c of fixture.cases.filter((x) => x.family === family)) {
      await t.test(`module ${describeCase(c)}`, () => runModule(c));
      await t.test(`F.${c.functional} ${c.name}`, () => runFunctional(c));
    }
  });
}

// ------------------------------------------------------------------------------------
// bad arguments: the error type, a message that names the call and says what was wrong
// (PyTorch's words where it has them), and the next call still works.

const x = torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 2.0]], { requires_grad: true });
const y = torch.tensor([0, 2], { dtype: 'int64' });
const baseline = F.cross_entropy(x, y).item();
const good = () => {
  const loss = F.cross_entropy(x, y);
  assert.equal(loss.item(), baseline, 'cross_entropy after an error');
  x.grad = null;
  loss.backward();
  assert.ok(x.grad, 'backward after an error');
};

const BAD = [
  ['unknown reduction string (F)', () => F.cross_entropy(x, y, { reduction: 'avg' }), RangeError,
    /^cross_entropy: "avg" is not a valid value for reduction/],
  ['unknown reduction string (module)', () => new nn.MSELoss({ reduction: 'elementwise_mean' }), RangeError,
    /^MSELoss: "elementwise_mean" is not a valid value for reduction/],
  ['batchmean outside KLDivLoss', () => F.l1_loss(x, x.detach(), { reduction: 'batchmean' }), RangeError,
    /^l1_loss: "batchmean" is not a valid value for reduction/],
  ['unknown option name', () => new nn.CrossEntropyLoss({ ignoreIndex: 1 }), TypeError,
    /^CrossEntropyLoss: unknown option 'ignoreIndex'.*ignore_index/],
  ['weight of the wrong length', () => F.cross_entropy(x, y, { weight: torch.tensor([1.0, 2.0], { dtype: 'float32' }) }),
    Error, /^cross_entropy: weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: \[2\]/],
  ['NLLLoss weight of the wrong length', () => F.nll_loss(x, y, { weight: torch.ones([4]) }),
    Error, /^nll_loss: weight tensor should be defined either for all 3 classes or no classes/],
  ['target out of range', () => F.cross_entropy(x, torch.tensor([0, 12], { dtype: 'int64' })), Error,
    /^cross_entropy: Target 12 is out of bounds\./],
  ['negative target other than ignore_index', () => F.cross_entropy(x, torch.tensor([-1, 0], { dtype: 'int64' })), Error,
    /^cross_entropy: Target -1 is out of bounds\./],
  ['NLLLoss target out of range', () => F.nll_loss(x, torch.tensor([3, 0], { dtype: 'int64' })), Error,
    /^nll_loss: Target 3 is out of bounds\./],
  ['ignore_index other than the target still checks the others',
    () => F.cross_entropy(x, torch.tensor([-100, 5], { dtype: 'int64' }), { ignore_index: -100 }), Error,
    /^cross_entropy: Target 5 is out of bounds\./],
  ['probability targets of the wrong shape', () => F.cross_entropy(x, torch.rand([2, 4])), Error,
    /^cross_entropy: .*\[2, 3\].*\[2, 4\]/],
  ['index targets of the wrong batch size', () => F.cross_entropy(x, torch.tensor([0, 1, 2], { dtype: 'int64' })), Error,
    /^cross_entropy: expected input batch_size \(2\) to match target batch_size \(3\)/],
  ['float targets for NLLLoss', () => F.nll_loss(x, torch.rand([2, 3])), TypeError,
    /^nll_loss: expected class-index targets of dtype int64/],
  ['BCELoss input outside [0, 1]',
    () => F.binary_cross_entropy(torch.tensor([0.5, 1.5], { dtype: 'float32' }), torch.tensor([0, 1], { dtype: 'float32' })), Error,
    /^binary_cross_entropy: all elements of input should be between 0 and 1/],
  ['BCELoss target shape differs', () => F.binary_cross_entropy(torch.rand([3]), torch.rand([4])), Error,
    /^binary_cross_entropy: .*target size/i],
  ['MSELoss target of another shape', () => F.mse_loss(torch.rand([3, 2]), torch.rand([3, 3])), Error,
    /^mse_loss: /],
  ['BCELoss weight that does not broadcast', () => F.binary_cross_entropy(torch.rand([4, 3]), torch.rand([4, 3]), { weight: torch.ones([2]) }),
    Error, /^binary_cross_entropy: weight of shape \[2\] does not broadcast/],
  ['SmoothL1Loss negative beta', () => new nn.SmoothL1Loss({ beta: -1 })(torch.rand([3]), torch.rand([3])), RangeError,
    /^smooth_l1_loss: beta must be non-negative, got -1/],
  ['HuberLoss delta 0', () => F.huber_loss(torch.rand([3]), torch.rand([3]), { delta: 0 }), RangeError,
    /^huber_loss: delta must be positive, got 0/],
  ['BCEWithLogitsLoss pos_weight of the wrong length',
    () => F.binary_cross_entropy_with_logits(torch.rand([4, 3]), torch.rand([4, 3]), { pos_weight: torch.ones([2]) }), Error,
    /^binary_cross_entropy_with_logits: pos_weight must be .*one entry per class/],
  ['input not a Tensor', () => F.mse_loss([1, 2], torch.rand([2])), TypeError, /^mse_loss: expected a Tensor for input/],
  ['label_smoothing not a number', () => F.cross_entropy(x, y, { label_smoothing: '0.1' }), TypeError,
    /^cross_entropy: expected a number for label_smoothing/],
];

test('bad loss arguments: clear errors, and the next call works', async (t) => {
  for (const [name, fn, type, message] of BAD) {
    await t.test(name, () => {
      assert.throws(fn, (e) => {
        assert.ok(e instanceof type, `expected ${type.name}, got ${e.constructor.name}: ${e.message}`);
        assert.match(e.message, message);
        return true;
      });
      good();
    });
  }
});

test('label_smoothing outside [0, 1] is an error like PyTorch\'s', () => {
  assert.throws(() => F.cross_entropy(x, y, { label_smoothing: 1.5 }),
    { name: 'RangeError', message: 'cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: 1.5' });
  good();
});

after(() => {
  console.log(log.report(`losses: max error per family over ${fixture.cases.length} cases ` +
    `(torch ${fixture.torch_version}, rtol ${RTOL}, atol ${ATOL})`));
});
