// long-run.test.js: a plain PyTorch-style LeNet-5 training loop (no dispose calls, no forced
// GC) keeps memory flat (issue 7, part 6). Runs scripts/long-run-leak.mjs's loop with a
// shorter count than the script's 10,000 steps and asserts that, after warm-up, live bytes
// and the wasm heap size never move more than 1 MB from their post-warm-up values — in the
// training phase and in the torch.no_grad evaluation phase (each phase has its own level:
// evaluation keeps no graph). KINDLING_LONG_RUN_STEPS / KINDLING_LONG_RUN_EVALS override
// the counts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { runLongRun } from '../scripts/long-run-leak.mjs';

const MB = 1024 * 1024;
const steps = Number(process.env.KINDLING_LONG_RUN_STEPS ?? 1200);
const evals = Number(process.env.KINDLING_LONG_RUN_EVALS ?? 200);

test(`LeNet-5: ${steps} SGD steps + ${evals} no_grad evaluations keep live bytes and the heap within 1 MB`, () => {
  const r = runLongRun({ steps, evals, warmup: 200 });
  const mb = (b) => `${(b / MB).toFixed(3)} MB`;
  for (const [name, p] of [['training', r.training], ['evaluation', r.evaluation]]) {
    console.log(`${name}: warm-up live ${mb(p.warm.live_bytes)} heap ${mb(p.warm.heap_bytes)}; ` +
      `end live ${mb(p.end.live_bytes)} heap ${mb(p.end.heap_bytes)}; ` +
      `max deviation live ${mb(p.maxDeviation.live_bytes)} heap ${mb(p.maxDeviation.heap_bytes)}`);
    assert.ok(p.maxDeviation.live_bytes <= MB,
      `${name}: live bytes moved ${mb(p.maxDeviation.live_bytes)} from ${mb(p.warm.live_bytes)} after warm-up`);
    assert.ok(p.maxDeviation.heap_bytes <= MB,
      `${name}: the heap moved ${mb(p.maxDeviation.heap_bytes)} from ${mb(p.warm.heap_bytes)} after warm-up`);
  }
  assert.ok(Number.isFinite(r.lastLoss), `the loss is ${r.lastLoss}`);
  console.log(`${steps} steps + ${evals} evaluations in ${r.seconds.toFixed(1)} s (${r.dataloader ? 'DataLoader' : 'fixed batches'})`);
});
