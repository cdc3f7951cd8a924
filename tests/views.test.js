// views.test.js: PyTorch parity of views, indexing and in-place ops (issue 10). Replays
// tests/fixtures/views.json (made by tests/fixtures/generate_views.py from PyTorch):
// t.index(...) values, view-ness and gradients; writes through views reaching the base;
// t.setitem(...) with and without autograd; add_ / sub_ / mul_ / div_ / fill_ / zero_ /
// clamp_ / copy_ values and gradients through autograd; PyTorch's version-counter error;
// gather / scatter_ / index_put_. Then the storage-sharing rules PyTorch documents (view,
// reshape, detach, .data, narrow, select), the memory rule for views, the SIMD path of
// the in-place kernels against their scalar references, and bad inputs.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { assertClose, fixtureTensor, loadFixture } from './helpers.js';

const fixture = loadFixture('views.json');
const cases = (kind) => fixture.cases.filter((c) => c.kind === kind);
// Elementwise results and sums of a few products: float32 rounding only.
const TOL = { rtol: 1e-5, atol: 1e-6 };

/** kindling's index arguments from the fixture's: {bool: [...]} is a boolean mask. */
const indexArgs = (args) => args.map((a) => (a !== null && typeof a === 'object' && !Array.isArray(a) ? a.bool : a));

function checkTensor(actual, expected, label) {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assertClose(actual.toTypedArray(), expected.values, { ...TOL, shape: expected.shape, label });
}

const operand = (spec) => (spec !== null && typeof spec === 'object' ? fixtureTensor(torch, spec) : spec);

test('t.index(...) gives PyTorch\'s values, views and gradients', async (t) => {
  for (const c of cases('getitem')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x, true);
      const out = x.index(...indexArgs(c.index));
      checkTensor(out, c.out, 'value');
      assert.equal(out._is_view(), c.is_view, 'a view exactly where PyTorch gives one');
      out.mul(fixtureTensor(torch, c.W)).sum().backward();
      checkTensor(x.grad, c.grad, 'grad');
    });
  }
});

test('in-place ops on a view write through to the base', async (t) => {
  for (const c of cases('view_write')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x);
      const v = x.index(...indexArgs(c.index));
      if (c.op === 'zero_') v.zero_();
      else if (c.op === 'clamp_') v.clamp_(...c.arg);
      else v[c.op](Array.isArray(c.arg) ? torch.tensor(c.arg) : c.arg);
      checkTensor(x, c.out, 'base after the write');
      checkTensor(v, c.view, 'the view');
    });
  }
});

test('t.setitem(...index, value) is PyTorch\'s t[index] = value, with autograd', async (t) => {
  for (const c of cases('setitem')) {
    await t.test(c.name, () => {
      const value = () => (typeof c.value === 'number' ? c.value : torch.tensor(c.value));
      const x = fixtureTensor(torch, c.x);
      assert.equal(x.setitem(...indexArgs(c.index), value()), x, 'returns self');
      checkTensor(x, c.out, 'after assignment');

      const xg = fixtureTensor(torch, c.x, true);
      const v = typeof c.value === 'number' ? c.value : torch.tensor(c.value, { dtype: 'float32', requires_grad: true });
      const tg = xg.mul(1);
      tg.setitem(...indexArgs(c.index), v);
      tg.mul(fixtureTensor(torch, c.W)).sum().backward();
      checkTensor(xg.grad, c.grad_x, 'grad of x');
      if (c.grad_value) checkTensor(v.grad, c.grad_value, 'grad of value');
    });
  }
});

function runInplace(y, c, other) {
  const o = c.options;
  if (c.op === 'zero_') return y.zero_();
  if (c.op === 'clamp_') return y.clamp_({ min: o.min ?? null, max: o.max ?? null });
  if ('alpha' in o) return y[c.op](other, { alpha: o.alpha });
  return y[c.op](other);
}

test('add_ sub_ mul_ div_ fill_ zero_ clamp_ copy_: PyTorch\'s values and gradients', async (t) => {
  for (const c of cases('inplace')) {
    await t.test(c.name, () => {
      const y = fixtureTensor(torch, c.x);
      const version = y._version;
      assert.equal(runInplace(y, c, operand(c.other)), y, 'returns self');
      checkTensor(y, c.out, 'value');
      assert.ok(y._version > version, 'the version counter moved');

      const x = fixtureTensor(torch, c.x, true);
      const other = c.other !== null && typeof c.other === 'object' ? fixtureTensor(torch, c.other, true) : c.other;
      const yg = x.mul(1);
      runInplace(yg, c, other);
      yg.mul(fixtureTensor(torch, c.W)).sum().backward();
      checkTensor(x.grad, c.grad_x, 'grad of x');
      if (c.grad_other) checkTensor(other.grad, c.grad_other, 'grad of other');
    });
  }
});

// The programs of generate_views.py's version_cases, line for line.
const VERSION_PROGRAMS = {
  sigmoid_then_add_: (x) => { const y = x.sigmoid(); y.add_(1); return y.sum(); },
  exp_then_mul_: (x) => { const y = x.exp(); y.mul_(2); return y.sum(); },
  add_then_add_: (x) => { const y = x.add(1); y.add_(1); return y.mul(y).sum(); },
  mul_saves_input: (x) => { const y = x.mul(1); const z = y.mul(y); y.add_(1); return z.sum(); },
  scalar_mul_does_not_save: (x) => { const y = x.mul(1); const z = y.mul(3); y.mul_(2); return z.add(y).sum(); },
  view_write_into_saved: (x) => { const y = x.tanh(); const v = y.detach().index(0); v.fill_(0); return y.sum(); },
  clone_is_safe: (x) => { const y = x.sigmoid(); const c = y.clone(); c.mul_(2); return y.add(c).sum(); },
  setitem_on_saved: (x) => { const y = x.mul(1); const z = y.exp(); y.setitem(0, 5); return z.add(y).sum(); },
};

test('the version counter: PyTorch\'s error exactly where PyTorch raises it', async (t) => {
  for (const c of cases('version')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x, true);
      const loss = VERSION_PROGRAMS[c.program](x);
      if (c.raises) {
        assert.throws(() => loss.backward(),
          /^Error: backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[torch\.FloatTensor \[\d[\d, ]*\]\], which is used by \w+, is at version \d+; expected version \d+ instead/);
      } else {
        loss.backward();
        checkTensor(x.grad, c.grad, 'grad');
      }
    });
  }
});

test('gather, scatter_, scatter_add_ and index_put_ match PyTorch', async (t) => {
  for (const c of cases('gather')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x, true);
      const out = torch.gather(x, c.dim, torch.tensor(c.index));
      checkTensor(out, c.out, 'value');
      out.mul(fixtureTensor(torch, c.W)).sum().backward();
      checkTensor(x.grad, c.grad, 'grad');
    });
  }
  for (const c of cases('scatter')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x);
      x[c.op](c.dim, torch.tensor(c.index), operand(c.src));
      checkTensor(x, c.out, 'after');
    });
  }
  for (const c of cases('index_put')) {
    await t.test(c.name, () => {
      const x = fixtureTensor(torch, c.x);
      x.index_put_(c.indices.map((i) => torch.tensor(i)), fixtureTensor(torch, c.values), c.accumulate);
      checkTensor(x, c.out, 'after');
    });
  }
});

test('storage sharing follows PyTorch: view, reshape, narrow, select, slices, detach, .data', () => {
  const x = torch.arange(24, { dtype: 'float32' }).view(4, 6);
  let mark = 100;
  const shares = (v) => {
    const before = x.toTypedArray();
    v.fill_(mark++);
    return !x.toTypedArray().every((a, i) => a === before[i]);
  };
  for (const [label, make] of [['view', () => x.view(24)], ['reshape of contiguous', () => x.reshape(6, 4)],
    ['narrow', () => x.narrow(1, 2, 3)], ['select', () => x.select(1, 4)], ['slice', () => x.index('1:3', '::2')],
    ['detach', () => x.detach()], ['.data', () => x.data], ['view of a view', () => x.index(':', 1).view(2, 2)],
    ['flatten', () => x.flatten()], ['unsqueeze', () => x.unsqueeze(0)], ['slice(start, end)', () => x.slice(1, 3)]])
    assert.ok(shares(make()), `${label} shares storage`);
  assert.ok(!shares(x.index([0, 1])), 'advanced indexing copies');
  assert.ok(!shares(x.index('::2').reshape(-1)), 'reshape of a non-viewable tensor copies');
  assert.throws(() => x.index('::2').view(-1), /^Error: view: view size is not compatible with input tensor's size and stride/);
  // strides and offsets as PyTorch reports them
  const y = torch.zeros(4, 6);
  const v = y.index('1:', '::2');
  assert.deepEqual([v.stride(), v.storage_offset(), v.is_contiguous()], [[6, 2], 6, false]);
  assert.deepEqual([y.index(2).stride(), y.index(2).storage_offset(), y.index(2).is_contiguous()], [[1], 12, true]);
  assert.deepEqual(v.contiguous().stride(), [3, 1]);
  // .data has its own version counter (PyTorch), detach() shares it
  const p = torch.ones(3);
  p.detach().add_(1);
  assert.equal(p._version, 1);
  p.data.add_(1);
  assert.equal(p._version, 1, '.data writes are not counted on the original');
  assert.deepEqual(p.tolist(), [3, 3, 3]);
});

test('manual SGD under no_grad: w.sub_(w.grad.mul(lr)) matches the out-of-place update', () => {
  torch.manual_seed(3);
  const w = torch.randn(5, 3, { requires_grad: true });
  const x = torch.randn(8, 5);
  const ref = w.detach().clone();
  for (let step = 0; step < 3; step++) {
    w.grad = null;
    x.matmul(w).relu().sum().backward();
    const expected = ref.sub(w.grad.mul(0.1)).toTypedArray();
    torch.no_grad(() => w.sub_(w.grad.mul(0.1)));
    ref.copy_(w.detach());
    assertClose(w.toTypedArray(), expected, { rtol: 0, atol: 0, label: `step ${step}` });
  }
  assert.throws(() => w.sub_(1), /^Error: sub_: a leaf Variable that requires grad is being used in an in-place operation\./);
  assert.throws(() => w.index(0).fill_(1), /^Error: fill_: a view of a leaf Variable that requires grad is being used in an in-place operation\./);
  assert.throws(() => w.setitem(0, 1), /^Error: index_put_: a leaf Variable that requires grad/);
});

test('SIMD in-place kernels match their scalar references bit for bit', () => {
  torch.manual_seed(11);
  for (const n of [1, 3, 4, 5, 16, 17, 1000]) {
    const a = torch.randn(n).mul(3), b = torch.randn(n);
    const run = (simd) => {
      torch.set_simd(simd);
      try {
        const r = a.clone();
        r.add_(b, { alpha: 0.3 }).sub_(b).mul_(b).div_(1.7).add_(0.25).clamp_(-0.5, 0.6).mul_(-2).clamp_({ min: -0.9 });
        return r.toTypedArray();
      } finally {
        torch.set_simd(true);
      }
    };
    assert.deepEqual(run(true), run(false), `n=${n}`);
  }
});

test('views obey the memory rule: a view keeps its storage, plain loops stay bounded', () => {
  const x = torch.randn(100, 100);
  const v = x.index(':', 3);
  x.dispose();
  assert.equal(v.shape[0], 100, 'a view outlives its base wrapper');
  assert.ok(Number.isFinite(v.sum().item()));
  const w = torch.randn(64, 32, { requires_grad: true });
  const data = torch.randn(16, 64);
  const live = () => torch.memory_stats().live_tensors;
  let after10 = 0;
  for (let step = 0; step < 60; step++) {
    w.grad = null;
    const out = data.matmul(w);
    out.index(':', '::2').sum().add(out.select(1, 0).sum()).backward();
    torch.no_grad(() => { w.sub_(w.grad.mul(1e-3)); w.index(0).clamp_(-1, 1); });
    if (step === 10) after10 = live();
  }
  assert.ok(live() <= after10 + 2, `live tensors stay flat (${after10} at step 10, ${live()} at step 60)`);
});

test('bad indices and in-place arguments give PyTorch\'s errors and change nothing', () => {
  const x = torch.arange(6, { dtype: 'float32' }).view(2, 3);
  const before = x.tolist();
  const cases = [
    [() => x.index(5), RangeError, /^index: index 5 is out of bounds for dimension 0 with size 2$/],
    [() => x.index(':', -4), RangeError, /^index: index -4 is out of bounds for dimension 1 with size 3$/],
    [() => x.index(0, 0, 0), RangeError, /^index: too many indices for tensor of dimension 2$/],
    [() => x.index('::-1'), RangeError, /^index: step must be greater than zero/],
    [() => x.index('...', '...'), RangeError, /^index: an index can only have a single ellipsis/],
    [() => x.index('1:2:3:4'), TypeError, /^index: cannot read the index '1:2:3:4'/],
    [() => x.index(0.5), TypeError, /^index: only integers, slices/],
    [() => x.index({}), TypeError, /^index: only integers, slices/],
    [() => x.index(torch.tensor([0.5])), TypeError, /^index: tensors used as indices must be long, byte or bool tensors/],
    [() => x.index([0, 5]), RangeError, /^index: index 5 is out of bounds for dimension 0 with size 2$/],
    [() => x.index([0, 1], [0, 1, 2]), RangeError, /^index: shape mismatch: indexing tensors could not be broadcast together/],
    [() => x.index([true, false, true]), RangeError, /^index: the shape of the mask \[3\] at index 0 does not match/],
    [() => x.select(1, 3), RangeError, /^select: select\(\): index 3 out of range for tensor of size \[2, 3\] at dimension 1$/],
    [() => x.select(2, 0), RangeError, /^select: dimension out of range/],
    [() => x.narrow(1, 2, 2), RangeError, /^narrow: start \(2\) \+ length \(2\) exceeds dimension size \(3\)\.$/],
    [() => x.setitem(0, torch.ones(4)), Error, /^setitem: the size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 0$/],
    [() => x.setitem(0, torch.ones(2, 3)), Error, /^setitem: output with shape \[3\] doesn't match the broadcast shape \[2, 3\]$/],
    [() => x.setitem([0], torch.ones(4)), Error, /^index_put_: shape mismatch: value tensor of shape \[4\] cannot be broadcast to indexing result of shape \[1, 3\]$/],
    [() => x.setitem(0, 'a'), TypeError, /^setitem: expected a number, a Tensor or an array for the value/],
    [() => x.add_(torch.ones(2, 2, 3)), Error, /^add_: output with shape \[2, 3\] doesn't match the broadcast shape \[2, 2, 3\]$/],
    [() => x.add_(torch.ones(4)), Error, /^add_: the size of tensor a \(3\) must match the size of tensor b \(4\)/],
    [() => x.add_('1'), TypeError, /^add_: expected a Tensor or a number for other/],
    [() => x.add_(1, { alpah: 2 }), TypeError, /^add_: unknown option 'alpah'; valid options are: alpha$/],
    [() => x.mul_(1, { alpha: 2 }), TypeError, /^mul_: unknown option 'alpha'/],
    [() => x.div_(2, { rounding_mode: 'floor' }), TypeError, /^div_: rounding_mode/],
    [() => x.clamp_(), Error, /^clamp_: At least one of 'min' or 'max' must not be None$/],
    [() => x.clamp_('0'), TypeError, /^clamp_: expected a number or null for min/],
    [() => x.clamp_({ lo: 0 }), TypeError, /^clamp_: unknown option 'lo'; valid options are: min, max$/],
    [() => x.fill_(torch.ones(2)), Error, /^fill_: fill_ only supports 0-dimension value tensor but got tensor with 1 dimensions\.$/],
    [() => x.copy_([1, 2]), TypeError, /^copy_: expected a Tensor/],
    [() => torch.arange(3).add_(0.5), Error, /^add_: result type Float can't be cast to the desired output type Long$/],
    [() => torch.arange(3).div_(2), Error, /^div_: result type Float can't be cast to the desired output type Long$/],
    [() => x.gather(1, torch.tensor([[0, 3]])), RangeError, /^gather: index 3 is out of bounds for dimension 1 with size 3$/],
    [() => x.gather(1, torch.tensor([0, 1])), Error, /^gather: Index tensor must have the same number of dimensions as input tensor$/],
    [() => x.gather(0, torch.tensor([[0.5]])), TypeError, /^gather: tensors used as indices must be long/],
    [() => x.scatter_(1, torch.tensor([[0, 5]]), 1), RangeError, /^gather: index 5 is out of bounds/],
    [() => x.scatter_(1, torch.tensor([[0]]), 1, { reduce: 'multiply' }), TypeError, /^scatter_: reduce must be 'add'/],
    [() => x.index_put_(torch.tensor([0]), torch.ones(3)), TypeError, /^index_put_: expected an array of index Tensors/],
  ];
  const live = torch.memory_stats().live_tensors;
  for (const [run, type, message] of cases) {
    assert.throws(run, (e) => e instanceof type && message.test(e.message), String(message));
    assert.deepEqual(x.tolist(), before, `${message}: nothing changed`);
  }
  assert.ok(torch.memory_stats().live_tensors <= live + cases.length * 2, 'no runaway leak');
  // in-place with autograd on a view that is not supported says so instead of computing garbage
  const base = torch.ones(3, 3).mul(torch.ones(1, { requires_grad: true }));
  assert.throws(() => base.index(0).mul_(2), /^Error: mul_: in-place operations with autograd on a view .* are not supported by kindling/);
  assert.deepEqual(base.tolist(), [[1, 1, 1], [1, 1, 1], [1, 1, 1]]);
});

test('a view made before its base changed in place with autograd asks to be made again', () => {
  const x = torch.randn(3, 4, { requires_grad: true });
  const y = x.mul(2);
  const stale = y.index(0);
  y.mul_(3); // y now has new history; stale's history is y's old one
  assert.throws(() => stale.sum(), /^Error: sum: this view's base was modified by an in-place operation with autograd history after the view was made; index the base again/);
  const fresh = y.index(0);
  fresh.sum().backward();
  assert.deepEqual(x.grad.tolist()[0], [6, 6, 6, 6]);
  assert.deepEqual(x.grad.tolist()[1], [0, 0, 0, 0]);
  // without autograd history a view stays usable after in-place writes to its base
  const a = torch.zeros(2, 2);
  const row = a.index(1);
  a.add_(5);
  assert.deepEqual(row.tolist(), [5, 5]);
});

test('strided views are read in row-major order everywhere: backward(gradient), .grad, tolist, torch.tensor', () => {
  const base = torch.arange(12, { dtype: 'float32' }).view(3, 4);
  const g = base.index(':', '1::2'); // [[1, 3], [5, 7], [9, 11]], strided
  const x = torch.ones(3, 2, { requires_grad: true });
  x.mul(2).backward(g);
  assert.deepEqual(x.grad.tolist(), [[2, 6], [10, 14], [18, 22]]);
  const w = torch.zeros(3, 2, { requires_grad: true });
  w.grad = g;
  assert.deepEqual(w.grad.tolist(), [[1, 3], [5, 7], [9, 11]]);
  assert.ok(w.grad.is_contiguous(), 'an assigned strided grad is stored contiguous (optimizers read it flat)');
  assert.deepEqual(torch.tensor(g).tolist(), g.tolist());
  assert.deepEqual(Array.from(g.toTypedArray()), [1, 3, 5, 7, 9, 11]);
});

test('every op reads a strided view by its strides, not its storage in order (op(view) equals op(view.contiguous()))', () => {
  const base = torch.arange(24, { dtype: torch.float32 }).reshape(4, 6).sub(10);
  const view = base.index(':', '::2'); // [4, 3], strides [6, 2]
  assert.equal(view.is_contiguous(), false);
  const dense = view.contiguous();
  const ops = {
    sin: (t) => t.sin(), clamp: (t) => t.clamp(-3, 5), clamp_tensor: (t) => t.clamp(torch.zeros(4, 3), null),
    pow: (t) => t.pow(t.abs().mul(0.1)), where: (t) => torch.where(t.gt(0), t, t.neg()), maximum: (t) => torch.maximum(t, t.flip?.(0) ?? t.neg()),
    norm: (t) => t.norm(), norm_dim: (t) => t.norm(2, 1), std: (t) => t.std(0), prod: (t) => t.mul(0.1).prod(1),
    min: (t) => t.min(1).values, argmin: (t) => t.argmin(0), sort: (t) => t.sort(1, { descending: true }).values,
    topk: (t) => t.topk(2, 0).values, max: (t) => t.max(0).values, sum: (t) => t.sum(1), matmul: (t) => t.matmul(t.t()),
  };
  for (const [name, op] of Object.entries(ops))
    assert.deepEqual(op(view).tolist(), op(dense).tolist(), name);
});
