// The memory rule (README, "Memory"): plain PyTorch loops with no dispose calls and no
// forced garbage collection keep the wasm heap bounded; released tensors throw.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';

const MB = 1024 * 1024;
const ITERATIONS = 5000;

function measure(loop) {
  let atWarmup;
  for (let i = 1; i <= ITERATIONS; i++) {
    loop(i);
    if (i === 100) atWarmup = torch.memory_stats();
  }
  return [atWarmup, torch.memory_stats()];
}

test('a plain training loop keeps live bytes and the heap within 1 MB', () => {
  torch.manual_seed(0);
  const x = torch.randn(64, 32);
  const W = torch.randn([32, 16], { requires_grad: true });
  const b = torch.zeros([16], { requires_grad: true });
  const [warm, end] = measure(() => {
    if (W.grad) { W.grad.zero_(); b.grad.zero_(); }
    x.matmul(W).add(b).relu().sum().backward();
  });
  assert.ok(Math.abs(end.live_bytes - warm.live_bytes) <= MB, `live bytes ${warm.live_bytes} -> ${end.live_bytes}`);
  assert.ok(Math.abs(end.heap_bytes - warm.heap_bytes) <= MB, `heap ${warm.heap_bytes} -> ${end.heap_bytes}`);
  assert.ok(W.grad.abs().sum().item() > 0, 'gradients still flow');
});

test('grads set to None each step (zero_grad set_to_none) stay bounded too', () => {
  const x = torch.randn(8, 4);
  const W = torch.randn([4, 4], { requires_grad: true });
  const [warm, end] = measure(() => {
    W.grad = null;
    x.matmul(W).tanh().mean().backward();
  });
  assert.ok(Math.abs(end.live_bytes - warm.live_bytes) <= MB, `live bytes ${warm.live_bytes} -> ${end.live_bytes}`);
  assert.ok(Math.abs(end.heap_bytes - warm.heap_bytes) <= MB);
});

test('no_grad forward passes keep live bytes and the heap within 1 MB', () => {
  const x = torch.randn(64, 32);
  const W = torch.randn([32, 10], { requires_grad: true });
  let correct = 0;
  const [warm, end] = measure(() => {
    const out = torch.no_grad(() => x.matmul(W).softmax(1));
    correct += out.argmax(1).eq(0).sum().item();
  });
  assert.ok(correct >= 0);
  assert.ok(Math.abs(end.live_bytes - warm.live_bytes) <= MB, `live bytes ${warm.live_bytes} -> ${end.live_bytes}`);
  assert.ok(Math.abs(end.heap_bytes - warm.heap_bytes) <= MB);
});

test('a whole evaluation loop inside one no_grad stays bounded through backward-free steps', () => {
  const W = torch.randn([32, 10]);
  const x = torch.randn(16, 32);
  const before = torch.memory_stats().live_bytes;
  torch.no_grad(() => {
    for (let i = 0; i < 50; i++) x.matmul(W).relu().sum().item();
  });
  // Everything made inside is released two steps after the no_grad returns.
  torch.no_grad(() => 0);
  torch.no_grad(() => 0);
  assert.ok(torch.memory_stats().live_bytes - before < 64 * 1024);
});

test('a step-scoped tensor left unused for two steps is released, and throws when touched', () => {
  const W = torch.randn([4, 4], { requires_grad: true });
  W.sum().backward();                           // loop turns: one backward each
  const out = W.matmul(W);                      // made during a turn, then left alone
  W.sum().backward();                           // ends the step out was made in
  W.sum().backward();                           // ends the following step: out is released
  assert.throws(() => out.item(), { message: /released: it was last used during step \d+.*step-scoped memory.*keep\(\)/s });
  assert.throws(() => out.add(1), /released/);
});

test('a step-scoped tensor used on every turn lives on', () => {
  const W = torch.randn([4, 4], { requires_grad: true });
  W.sum().backward();
  const data = W.detach().mul(2);               // made inside the loop's steps
  for (let i = 0; i < 10; i++) W.matmul(data).sum().backward();
  assert.ok(Number.isFinite(data.sum().item()));
});

test('kept tensors, parameters and their grads survive any number of steps', () => {
  const W = torch.randn([3, 3], { requires_grad: true });
  const kept = W.mul(2).keep();
  const data = torch.ones(3, 3);
  for (let i = 0; i < 5; i++) W.matmul(data).sum().backward();
  assert.equal(kept.shape[0], 3);
  assert.equal(data.sum().item(), 9);
  assert.ok(W.grad.sum().item() !== 0);
});

test('dispose() frees now and the tensor throws afterwards; double dispose is harmless', () => {
  const t = torch.ones(1000);
  const before = torch.memory_stats().live_bytes;
  t.dispose();
  assert.equal(torch.memory_stats().live_bytes, before - 4000);
  assert.throws(() => t.sum(), { message: /released: dispose\(\) was called/ });
  t.dispose();
});

test('releasing a tensor never breaks the graph that still needs it', () => {
  const W = torch.tensor([1, 2, 3], { dtype: 'float32', requires_grad: true });
  const h = W.mul(W);
  const loss = h.sum();
  h.dispose();                                  // the graph holds its own reference
  loss.backward();
  assert.deepEqual(Array.from(W.grad.toTypedArray()), [2, 4, 6]);
});

test('tensors a Dataset creates in getitem are released like the batches made from them', () => {
  class Squares extends torch.utils.data.Dataset {
    len() { return 256; }
    getitem(i) { return [torch.tensor([i, i * i], { dtype: 'float32' }), torch.tensor(i % 3)]; }
  }
  const loader = new torch.utils.data.DataLoader(new Squares(), { batch_size: 8 });
  let warm;
  for (let epoch = 0; epoch < 40; epoch++) {
    for (const [x, y] of loader) x.sum().item() + y.sum().item();
    if (epoch === 2) warm = torch.memory_stats();
  }
  const end = torch.memory_stats();
  assert.ok(end.live_tensors - warm.live_tensors < 100, `live tensors ${warm.live_tensors} -> ${end.live_tensors}`);
  assert.ok(Math.abs(end.live_bytes - warm.live_bytes) <= MB);
});
