// oom.test.js: out of memory (issue 7, part 2). The wasm heap may grow to 2 GiB
// (build.sh: MAXIMUM_MEMORY, KINDLING_HEAP_LIMIT). An allocation beyond it must be a clear
// RangeError naming the call, the size and the limit — never a wasm trap — and the instance
// must keep working with nothing leaked:
//   - single allocations too large for the heap (factories, matmul outputs, nn weights);
//   - a conv2d whose im2col workspace (2-4 GiB) cannot be allocated, and conv / pooling
//     geometry (padding, kernel, dilation) near int32 overflow: refused up front;
//   - a sequence of 400 MB tensors that exhausts the heap; then, with the heap full, ops that
//     allocate inside the core (matmul, conv workspace, softmax, backward, an optimizer's
//     state) fail cleanly; after dispose() memory_stats returns to its baseline.
// The wasm memory itself never shrinks (heap_bytes stays at its high-water mark): only the
// live tensor counts and bytes are compared with the baseline.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as torch from '../dist/index.js';

const { nn, F, optim } = torch;
const LIMIT = 2147483648;
const MB = 1024 * 1024;

function canary() {
  const a = torch.ones(8, 8), b = torch.full([8, 8], 0.5);
  const c = a.matmul(b), s = c.sum();
  const v = s.item();
  for (const t of [a, b, c, s]) t.dispose();
  return v;
}

/** FNV-1a of a tensor's bytes: compares values bit for bit without printing them. */
function fingerprint(t) {
  let h = 0x811c9dc5;
  for (const b of new Uint8Array(t.toTypedArray().buffer)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16);
}

const live = () => {
  const s = torch.memory_stats();
  return { tensors: s.live_tensors, bytes: s.live_bytes };
};

/** Asserts call() throws a RangeError naming the call, the shape and the limit; no trap, no leak. */
function expectOom(label, call, { names, mentions = [], limit = true } = {}) {
  const before = live();
  let error = null;
  try {
    const r = call();
    if (r instanceof torch.Tensor) r.dispose();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${label}: was accepted`);
  assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trap: ${error.message}`);
  assert.equal(error.constructor, RangeError, `${label}: ${error.constructor.name}: ${error.message}`);
  assert.ok(names.some((n) => error.message.startsWith(`${n}:`)), `${label}: message does not name ${names.join(' / ')}: ${error.message}`);
  for (const m of mentions) assert.ok(error.message.includes(m), `${label}: message does not mention ${m}: ${error.message}`);
  if (limit) assert.ok(error.message.includes(String(LIMIT)), `${label}: message does not name the limit: ${error.message}`);
  assert.deepEqual(live(), before, `${label}: leaked`);
  assert.equal(canary(), 256, `${label}: canary`);
  return error;
}

test('single allocations beyond the 2 GiB heap: RangeError naming the call, the size and the limit', () => {
  const cases = [
    ['torch.zeros(30000, 30000)', () => torch.zeros(30000, 30000), ['zeros', 'full'], ['[30000, 30000]']],
    ['torch.empty(100000, 100000)', () => torch.empty(100000, 100000), ['empty', 'full'], ['[100000, 100000]']],
    ['torch.empty(2**20, 2**12)', () => torch.empty(2 ** 20, 2 ** 12), ['empty', 'full'], ['[1048576, 4096]']],
    ['torch.empty([8, 8, 8, 1024, 1025])', () => torch.empty([8, 8, 8, 1024, 1025]), ['empty', 'full'], ['[8, 8, 8, 1024, 1025]']],
    // exactly the limit passes the shape check and fails in malloc: the message names the bytes
    ['torch.empty([8, 8, 8, 1024, 1024])', () => torch.empty([8, 8, 8, 1024, 1024]), ['empty', 'full'], ['2147483648 bytes']],
    ['torch.ones(3, 20000, 10000)', () => torch.ones(3, 20000, 10000), ['ones', 'full'], ['[3, 20000, 10000]']],
    ['torch.full([65536, 65536], 1.5)', () => torch.full([65536, 65536], 1.5), ['full'], ['[65536, 65536]']],
    ['torch.randn(40000, 40000)', () => torch.randn(40000, 40000), ['randn'], ['[40000, 40000]']],
    ['torch.rand(40000, 40000)', () => torch.rand(40000, 40000), ['rand'], ['[40000, 40000]']],
    ['torch.randint(0, 5, [50000, 50000])', () => torch.randint(0, 5, [50000, 50000]), ['randint'], ['[50000, 50000]']],
    ['torch.randperm(1e9)', () => torch.randperm(1e9), ['randperm'], ['[1000000000]']],
    ['new nn.Linear(100000, 100000)', () => new nn.Linear(100000, 100000), ['Linear', 'full'], ['[100000, 100000]']],
    ['new nn.Conv2d(30000, 30000, 3)', () => new nn.Conv2d(30000, 30000, 3), ['Conv2d', 'full'], ['[30000, 30000, 3, 3]']],
  ];
  for (const [label, call, names, mentions] of cases) expectOom(label, call, { names, mentions });
});

test('matmul and other ops whose output does not fit: RangeError naming the output shape and the limit', () => {
  const col = torch.ones(50000, 1), row = torch.ones(1, 50000);
  const batch = torch.ones(40000, 1, 1), wide = torch.ones(1, 40000);
  const one = torch.ones(1, 1), x = torch.ones(1, 1, 2, 2);
  try {
    expectOom('matmul [50000, 1] @ [1, 50000]', () => col.matmul(row), { names: ['matmul'], mentions: ['[50000, 50000]'] });
    expectOom('torch.matmul batched [40000, 1, 1] @ [1, 40000]', () => torch.matmul(batch, wide), { names: ['matmul'], mentions: ['[40000, 1, 40000]'] });
    expectOom('mul broadcasting to [50000, 50000]', () => col.mul(row), { names: ['mul'], mentions: ['[50000, 50000]'] });
    expectOom('expand(65536, 65536).clone()', () => one.expand(65536, 65536).clone(), { names: ['expand', 'clone'], mentions: ['[65536, 65536]'] });
    expectOom('F.adaptive_avg_pool2d to 50000 x 50000', () => F.adaptive_avg_pool2d(x, [50000, 50000]), { names: ['adaptive_avg_pool2d'], mentions: ['[1, 1, 50000, 50000]'] });
  } finally {
    for (const t of [col, row, batch, wide, one, x]) t.dispose();
  }
});

test('a conv2d whose im2col workspace (about 2.8 GB) cannot be allocated: RangeError, no trap, no leak', () => {
  // C*R*S = 64*11*11 = 7744 rows of OH*OW = 300*300 columns: 6.97e8 floats, 2.79 GB (< 4 GiB)
  const x = torch.zeros(1, 64, 310, 310), w = torch.zeros(1, 64, 11, 11);
  const xg = torch.zeros([1, 64, 310, 310], { requires_grad: true }), wg = torch.zeros([1, 64, 11, 11], { requires_grad: true });
  const x2 = torch.ones(1, 1, 2, 2), w1 = torch.ones(1, 1, 1, 1);
  try {
    expectOom('F.conv2d workspace 2.8 GB', () => F.conv2d(x, w), { names: ['conv2d'], limit: false });
    expectOom('F.conv2d workspace 2.8 GB (graph recorded)', () => F.conv2d(xg, wg), { names: ['conv2d'], limit: false });
    // The output [1, 1, 60002, 60002] (14 GB) is refused by the shape check, before any allocation.
    expectOom('F.conv2d with padding 30000', () => F.conv2d(x2, w1, null, 1, 30000), { names: ['conv2d'], mentions: ['[1, 1, 60002, 60002]'] });
  } finally {
    for (const t of [x, w, xg, wg, x2, w1]) t.dispose();
  }
});

test('conv2d workspace errors name the size and the limit', () => {
  const x = torch.zeros(1, 64, 310, 310), w = torch.zeros(1, 64, 11, 11);
  try {
    // 7744 x 90000 floats: the workspace is computed (and refused) before anything is allocated
    expectOom('F.conv2d workspace 2.8 GB', () => F.conv2d(x, w), { names: ['conv2d'], mentions: ['2787840000 bytes'] });
  } finally {
    x.dispose();
    w.dispose();
  }
});

test('a conv2d whose workspace is 4 GiB or more is refused, not a trap (child process)', () => {
  // In a child process, as a regression would overwrite the heap before it traps: the
  // workspace (2^30 + 2^14 floats) once wrapped around 32-bit size_t to 65536 bytes.
  const script = `
    import * as torch from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
    const x = torch.zeros(1, 64, 16, 65552), w = torch.zeros(1, 64, 16, 16);
    let out;
    try { torch.nn.functional.conv2d(x, w); out = 'accepted'; }
    catch (e) { out = (e instanceof WebAssembly.RuntimeError ? 'trap: ' : e.constructor.name + ': ') + e.message; }
    console.log(out);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 300000 }).trim();
  assert.match(out, /^RangeError: conv2d: the convolution needs a workspace of 4295032832 bytes, beyond the wasm heap limit of 2147483648 bytes$/, out);
});

test('conv2d and pooling geometry near int32 overflow: RangeError before anything is allocated', () => {
  const x = torch.zeros(1, 1, 8, 8), w = torch.zeros(1, 1, 3, 3);
  try {
    for (const padding of [2 ** 31 - 1, 2 ** 30, 2 ** 29])
      expectOom(`F.conv2d padding ${padding}`, () => F.conv2d(x, w, null, 1, padding), { names: ['conv2d'], limit: padding === 2 ** 29 });
    expectOom('F.avg_pool2d kernel 2^31 - 1, padding 2^30 - 1', () => F.avg_pool2d(x, 2 ** 31 - 1, 1, 2 ** 30 - 1), { names: ['avg_pool2d'], limit: false });
    expectOom('F.max_pool2d kernel 2^31 - 1, padding 2^30 - 1', () => F.max_pool2d(x, 2 ** 31 - 1, 1, 2 ** 30 - 1), { names: ['max_pool2d'], limit: false });
  } finally {
    x.dispose();
    w.dispose();
  }
});

test('a shape with a zero is an empty tensor, however large its other sizes', () => {
  const before = live();
  const t = torch.zeros(2 ** 20, 2 ** 20, 0);
  assert.deepEqual(t.shape, [2 ** 20, 2 ** 20, 0]);
  assert.equal(t.numel(), 0);
  t.dispose();
  assert.deepEqual(live(), before);
});

test('optimizer state is one kept tensor per buffer, freed by dispose()', () => {
  const p = torch.zeros([1000], { requires_grad: true });
  p.mul(2).sum().backward();
  const adam = new optim.Adam([p], { lr: 0.1 }), sgd = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
  const before = live();
  adam.step();
  sgd.step();
  // exp_avg, exp_avg_sq and momentum_buffer: three tensors of 4000 bytes, nothing unreachable
  assert.deepEqual(live(), { tensors: before.tensors + 3, bytes: before.bytes + 12000 });
  for (const o of [adam, sgd]) for (const s of o.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor) v.dispose();
  assert.deepEqual(live(), before);
  p.grad.dispose();
  p.dispose();
});

test('400 MB tensors until the heap is exhausted: RangeError, the instance keeps working, disposal returns to baseline', async (t) => {
  // Everything the pressure checks need is made before the heap fills up.
  const a = torch.ones(2000, 1), b = torch.ones(1, 2000), square = torch.ones(2000, 2000);
  const xs = torch.zeros(1, 16, 64, 64), ws = torch.zeros(4, 16, 5, 5);
  const p = torch.zeros([1000000], { requires_grad: true });
  const pending = p.mul(2).sum().keep(); // a graph whose backward needs a 4 MB gradient
  const small = torch.zeros([4], { requires_grad: true }), big = torch.zeros([2000000], { requires_grad: true });
  small.mul(3).sum().add(big.mul(3).sum()).backward();
  const adam = new optim.Adam([small, big], { lr: 0.1 });
  const baseline = live();
  const held = [];
  let failure = null;
  const started = performance.now();
  try {
    for (let i = 0; i < 8 && !failure; i++) {
      try {
        held.push(torch.empty(100000000)); // 400,000,000 bytes
      } catch (e) {
        failure = e;
      }
    }
    const bigBlocks = held.length;
    await t.test('the first allocation that does not fit is a RangeError naming its size and the limit', () => {
      assert.ok(failure, 'eight 400 MB tensors fit in a 2 GiB heap?');
      assert.ok(!(failure instanceof WebAssembly.RuntimeError), `trap: ${failure.message}`);
      assert.equal(failure.constructor, RangeError, failure.message);
      assert.match(failure.message, /^(empty|full): /);
      assert.ok(failure.message.includes('400000000') && failure.message.includes(String(LIMIT)), failure.message);
      assert.ok(bigBlocks >= 3 && bigBlocks <= 5, `${bigBlocks} blocks of 400 MB fit`);
    });
    // Fill what is left with 4 MB blocks, so that the heap is really full.
    for (let i = 0; i < 200; i++) {
      try {
        held.push(torch.empty(1000000));
      } catch {
        break;
      }
    }
    const full = torch.memory_stats();
    const pressure = [
      ['matmul output', () => a.matmul(b), ['matmul']],
      ['conv2d workspace', () => F.conv2d(xs, ws), ['conv2d']],
      ['softmax', () => square.softmax(1), ['softmax']],
      ['randn', () => torch.randn(2000, 2000), ['randn']],
      ['clone', () => square.clone(), ['clone']],
      ['cat', () => torch.cat([square, square]), ['cat']],
      ['backward (gradient allocation)', () => pending.backward(), ['backward', 'mul', 'sum']],
    ];
    await t.test(`with the heap full (${(full.live_bytes / MB).toFixed(0)} MB live), ops that allocate fail cleanly`, () => {
      for (const [label, call, names] of pressure) {
        const before = live();
        let error = null;
        try {
          const r = call();
          if (r instanceof torch.Tensor) r.dispose();
        } catch (e) {
          error = e;
        }
        assert.ok(error, `${label}: succeeded with the heap full`);
        assert.ok(!(error instanceof WebAssembly.RuntimeError), `${label}: wasm trap: ${error.message}`);
        assert.equal(error.constructor, RangeError, `${label}: ${error.message}`);
        assert.ok(names.some((n) => error.message.startsWith(`${n}:`)), `${label}: ${error.message}`);
        assert.deepEqual(live(), before, `${label}: leaked`);
        assert.equal(canary(), 256, `${label}: canary`);
      }
    });
    await t.test('with the heap full, a failed optimizer step leaves parameters and state unchanged', () => {
      const before = [small, big].map(fingerprint);
      const counts = live();
      assert.throws(() => adam.step(), RangeError);
      // all state is allocated before any update, and what was made is freed on failure
      assert.deepEqual(live(), counts, 'the failed step kept state it allocated');
      assert.equal(adam.state.size, 0, 'the failed step left state behind');
      assert.deepEqual([small, big].map(fingerprint), before, 'the step was half applied: a parameter changed');
    });
  } finally {
    for (const h of held) h.dispose();
  }
  await t.test('after dispose(): live tensors and bytes are back at the baseline, and the heap is reusable', () => {
    assert.deepEqual(live(), baseline);
    assert.equal(canary(), 256);
    const again = torch.empty(100000000);
    again.dispose();
    assert.deepEqual(live(), baseline);
    const s = torch.memory_stats();
    console.log(`heap ${(s.heap_bytes / MB).toFixed(0)} MB after the exhaustion (wasm memory never shrinks); ` +
      `live ${s.live_tensors} tensors, ${(s.live_bytes / MB).toFixed(1)} MB; ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });
  for (const q of [a, b, square, xs, ws, p, pending, small, big]) q.dispose();
  for (const s of adam.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor) v.dispose();
});
