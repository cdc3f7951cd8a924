// A two-layer MLP learns the two-moons toy problem with plain PyTorch-style code:
// forward, loss, backward, a gradient step under torch.no_grad, the grads cleared.
// Run: node examples/toy-mlp.mjs   (after ./build.sh)
import * as torch from '../dist/index.js';

torch.manual_seed(0);

// Two interleaved half-moons, 256 points, labels 0 / 1 as a column of floats.
const n = 256;
const points = [], labels = [];
for (let i = 0; i < n; i++) {
  const upper = i % 2 === 0, angle = Math.PI * (i / n);
  const [cx, cy, sign] = upper ? [0, 0, 1] : [1, 0.5, -1];
  points.push([cx + Math.cos(angle) * sign, cy + Math.sin(angle) * sign * 1]);
  labels.push([upper ? 1 : 0]);
}
const x = torch.tensor(points, { dtype: 'float32' }).add(torch.randn(n, 2).mul(0.1));
const y = torch.tensor(labels, { dtype: 'float32' });

const W1 = torch.randn([2, 32]).mul(0.5).requires_grad_();
const b1 = torch.zeros([32], { requires_grad: true });
const W2 = torch.randn([32, 1]).mul(0.2).requires_grad_();
const b2 = torch.zeros([1], { requires_grad: true });
const params = [W1, b1, W2, b2];
const lr = 0.5;

const started = performance.now();
for (let step = 1; step <= 600; step++) {
  const p = x.matmul(W1).add(b1).tanh().matmul(W2).add(b2).sigmoid();
  // binary cross-entropy, written out with tensor ops
  const loss = y.mul(p.log()).add(y.rsub(1).mul(p.rsub(1).log())).mean().neg();
  for (const param of params) param.grad = null;
  loss.backward();
  torch.no_grad(() => {
    for (const param of params) param.copy_(param.sub(param.grad.mul(lr)));
  });
  if (step === 1 || step % 100 === 0) {
    const accuracy = p.gt(0.5).float().eq(y).float().mean().item();
    console.log(`step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(accuracy * 100).toFixed(1)}%`);
  }
}
const { live_tensors, heap_bytes } = torch.memory_stats();
console.log(`done in ${((performance.now() - started) / 1000).toFixed(2)} s; ` +
  `${live_tensors} live tensors, wasm heap ${(heap_bytes / 2 ** 20).toFixed(0)} MiB`);
