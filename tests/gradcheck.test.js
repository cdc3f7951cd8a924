// gradcheck.test.js: finite-difference checks of every differentiable core op (issue 2).
// Inputs are random, made with kindling's own torch.randn after torch.manual_seed, then
// moved into each op's safe domain (positive for log / sqrt / fractional pow, away from the
// kinks of relu / abs / leaky_relu, without near-ties for max). The probed scalar is
// L = sum(op(x) * W) for a random W; helpers.js's gradcheck compares backward() with
// central differences whose sum is taken in double precision (see there).
//
// Step and tolerance: float32 central differences with h = 1e-2 carry a truncation error
// ~ h^2 |f'''| / 6 (<= ~2e-3 on these domains, worst for pow(-1) at x = 0.5) and a rounding
// error ~ eps32 |y| / h (~1e-5): compared with 1e-2 relative and 2e-3 absolute.
import test, { after } from 'node:test';
import * as torch from '../dist/index.js';
import { ErrorLog, gradcheck } from './helpers.js';

const EPS = 1e-2;
const TOL = { rtol: 1e-2, atol: 2e-3 };
const log = new ErrorLog();

let seed = 1000;

/** A kept float32 leaf of the given shape from torch.randn, its values mapped by f. */
function input(shape, f = (v) => v) {
  torch.manual_seed(seed++);
  const r = torch.randn(shape);
  const values = r.toTypedArray().map(f);
  r.dispose();
  return torch.tensor(values, { shape, requires_grad: true });
}
const positive = (v) => 0.5 + Math.abs(v);                    // [0.5, ~4)
const awayFromZero = (v) => Math.sign(v || 1) * (0.1 + Math.abs(v)); // |x| >= 0.1 > h
const divisor = (v) => Math.sign(v || 1) * (0.5 + Math.abs(v)); // |x| >= 0.5: 1/x^3 stays small
/** A kept leaf with no two values closer than 0.1 (so max / argmax do not flip under +-h). */
function distinct(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  torch.manual_seed(seed++);
  const perm = torch.randperm(n).toTypedArray();
  const noise = torch.rand([n]).toTypedArray();
  const values = Float32Array.from(perm, (p, i) => (p - n / 2) * 0.3 + 0.1 * noise[i]);
  return torch.tensor(values, { shape, requires_grad: true });
}

function check(t, family, name, fn, makeInputs, tol = TOL) {
  return t.test(name, () => {
    const inputs = makeInputs();
    try {
      for (const r of gradcheck(torch, fn, inputs, { eps: EPS, ...tol })) log.record(family, r);
    } finally {
      for (const x of inputs) x.dispose();
    }
  });
}

test('gradcheck: add / sub / mul / div', async (t) => {
  const ops = ['add', 'sub', 'mul', 'div'];
  const shapes = [
    ['same shape', [3, 7], [3, 7]],
    ['[N,C] & [C]', [4, 5], [5]],
    ['[N,C,H,W] & [1,C,1,1]', [2, 3, 2, 3], [1, 3, 1, 1]],
    ['[3,1] & [1,4]', [3, 1], [1, 4]],
    ['0-d & [3,4]', [], [3, 4]],
    ['[3,4] & 0-d', [3, 4], []],
    ['[5] & [2,5] (lower rank first)', [5], [2, 5]],
  ];
  for (const op of ops)
    for (const [label, sa, sb] of shapes)
      await check(t, 'arith', `${op} ${label}`, (a, b) => a[op](b),
        () => [input(sa), input(sb, op === 'div' ? divisor : undefined)]);
  for (const op of ops) {
    await check(t, 'arith', `${op} scalar right`, (a) => a[op](-1.5), () => [input([3, 5])]);
  }
  await check(t, 'arith', 'rsub (2.5 - x)', (a) => a.rsub(2.5), () => [input([3, 5])]);
  await check(t, 'arith', 'rdiv (2.5 / x)', (a) => a.rdiv(2.5), () => [input([3, 5], divisor)]);
  await check(t, 'arith', 'add alpha', (a, b) => a.add(b, { alpha: -2 }), () => [input([3, 4]), input([4])]);
  await check(t, 'arith', 'mul x * x', (a) => a.mul(a), () => [input([6])]);
  await check(t, 'arith', 'div x / x', (a) => a.div(a), () => [input([6], divisor)]);
});

test('gradcheck: unary', async (t) => {
  const cases = [
    ['neg', (a) => a.neg()],
    ['exp', (a) => a.exp()],
    ['log', (a) => a.log(), positive],
    ['sqrt', (a) => a.sqrt(), positive],
    ['relu', (a) => a.relu(), awayFromZero],
    ['sigmoid', (a) => a.sigmoid()],
    ['tanh', (a) => a.tanh()],
    ['abs', (a) => a.abs(), awayFromZero],
    ['leaky_relu', (a) => a.leaky_relu(), awayFromZero],
    ['leaky_relu 0.2', (a) => a.leaky_relu(0.2), awayFromZero],
    ['pow 2', (a) => a.pow(2)],
    ['pow 3', (a) => a.pow(3)],
    ['pow 0.5', (a) => a.pow(0.5), positive],
    ['pow -1', (a) => a.pow(-1), positive],
  ];
  for (const [name, fn, domain] of cases)
    for (const shape of [[7], [3, 17]])
      await check(t, 'unary', `${name} [${shape}]`, fn, () => [input(shape, domain)]);
});

test('gradcheck: sum / mean / max', async (t) => {
  for (const op of ['sum', 'mean']) {
    await check(t, 'reduce', `${op}()`, (a) => a[op](), () => [input([3, 4, 5])]);
    for (const d of [0, 1, 2, -1])
      await check(t, 'reduce', `${op}(${d})`, (a) => a[op](d), () => [input([3, 4, 5])]);
    await check(t, 'reduce', `${op}(1, keepdim)`, (a) => a[op](1, true), () => [input([3, 4, 5])]);
    await check(t, 'reduce', `${op}([0, 2])`, (a) => a[op]([0, 2]), () => [input([3, 4, 5])]);
  }
  await check(t, 'reduce', 'max()', (a) => a.max(), () => [distinct([4, 6])]);
  await check(t, 'reduce', 'max(dim)', (a) => a.max(1)[0], () => [distinct([4, 6])]);
});

test('gradcheck: matmul', async (t) => {
  const cases = [
    ['1-D . 1-D', [7], [7]],
    ['2-D', [3, 5], [5, 4]],
    ['2-D odd', [7, 17], [17, 3]],
    ['1-D @ 2-D', [5], [5, 4]],
    ['2-D @ 1-D', [3, 5], [5]],
    ['3-D batched', [2, 3, 5], [2, 5, 4]],
    ['3-D @ 2-D', [2, 3, 5], [5, 4]],
    ['2-D @ 3-D', [3, 5], [2, 5, 4]],
  ];
  for (const [label, sa, sb] of cases)
    await check(t, 'matmul', `matmul ${label}`, (a, b) => a.matmul(b), () => [input(sa), input(sb)]);
});

test('gradcheck: shape ops', async (t) => {
  const cases = [
    ['reshape(4, -1)', (a) => a.reshape(4, -1), [2, 3, 4]],
    ['view(-1)', (a) => a.view(-1), [3, 5]],
    ['flatten(1)', (a) => a.flatten(1), [2, 3, 4]],
    ['transpose(0, 2)', (a) => a.transpose(0, 2), [2, 3, 4]],
    ['permute(2, 0, 1)', (a) => a.permute(2, 0, 1), [2, 3, 4]],
    ['t()', (a) => a.t(), [3, 5]],
    ['squeeze()', (a) => a.squeeze(), [1, 3, 1, 4]],
    ['unsqueeze(1)', (a) => a.unsqueeze(1), [3, 4]],
    ['expand [3,1]->[3,4]', (a) => a.expand(3, 4), [3, 1]],
    ['expand [4]->[2,3,4]', (a) => a.expand(2, 3, 4), [4]],
    ['clone', (a) => a.clone(), [3, 4]],
    ['float()', (a) => a.float(), [3, 4]],
  ];
  for (const [name, fn, shape] of cases) await check(t, 'shape', name, fn, () => [input(shape)]);
});

test('gradcheck: softmax / log_softmax', async (t) => {
  for (const op of ['softmax', 'log_softmax']) {
    for (const d of [0, 1, 2, -1])
      await check(t, 'softmax', `${op}(${d}) [2,3,4]`, (a) => a[op](d), () => [input([2, 3, 4])]);
    await check(t, 'softmax', `${op}(1) [4,10]`, (a) => a[op](1), () => [input([4, 10], (v) => 2 * v)]);
  }
});

test('gradcheck: composite', async (t) => {
  await check(t, 'composite', 'linear + tanh + log_softmax', (x, w, b) => x.matmul(w).add(b).tanh().log_softmax(1),
    () => [input([4, 6]), input([6, 5]), input([5], (v) => v + 0.5)]);
  await check(t, 'composite', 'normalize', (x) => x.sub(x.mean(1, true)).div(x.pow(2).mean(1, true).sqrt()),
    () => [input([3, 8])]);
});

after(() => {
  console.log(log.report('gradcheck: max |analytical - numerical| error per family (relative, floored at atol/rtol)'));
});

test('gradcheck: views, indexing and in-place ops', async (t) => {
  const cases = [
    ['index(":", 1)', (a) => a.index(':', 1), [[3, 4]]],
    ['index("1:3, ::2")', (a) => a.index('1:3, ::2'), [[4, 5]]],
    ['index("...", -1, null)', (a) => a.index('...', -1, null), [[2, 3, 4]]],
    ['select then narrow', (a) => a.select(1, 2).narrow(1, 1, 2), [[3, 4, 5]]],
    ['view of a strided view', (a) => a.index('::2').reshape(-1), [[4, 3]]],
    ['advanced, repeated indices', (a) => a.index([0, 2, 2], [1, 1, 3]), [[3, 4]]],
    ['bool mask', (a) => a.index([[true, false, true], [false, true, true]]), [[2, 3]]],
    ['gather', (a) => a.gather(1, torch.tensor([[0, 0, 2], [1, 2, 2]])), [[2, 3]]],
    ['setitem tensor (value and base)', (a, v) => { const y = a.mul(1); y.setitem(':', '1:3', v); return y.mul(y); }, [[3, 4], [2]]],
    ['add_ alpha (tensor)', (a, b) => a.mul(1).add_(b, { alpha: -1.5 }), [[3, 4], [4]]],
    ['mul_ (tensor)', (a, b) => a.mul(1).mul_(b), [[3, 4], [3, 1]]],
    ['div_ (tensor)', (a, b) => a.mul(1).div_(b), [[2, 5], [2, 5]]],
    ['copy_ broadcast', (a, b) => { const y = a.mul(2); y.copy_(b); return y.mul(a); }, [[3, 2], [2]]],
    ['index_put_ accumulate', (a, v) => a.mul(1).index_put_([torch.tensor([0, 2, 0])], v, true), [[3, 2], [3, 2]]],
  ];
  for (const [name, fn, shapes] of cases)
    await check(t, 'views', name, fn, () => shapes.map((s, i) => input(s, name.startsWith('div_') && i === 1 ? divisor : undefined)));
  await check(t, 'views', 'clamp_ away from the bounds', (a) => a.mul(1).clamp_(-0.3, 0.4),
    () => [input([4, 5], (v) => (Math.abs(v - 0.4) < 0.05 || Math.abs(v + 0.3) < 0.05 ? v + 0.2 : v))]);
});
