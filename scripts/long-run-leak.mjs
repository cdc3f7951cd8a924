#!/usr/bin/env node
// long-run-leak.mjs: does a plain PyTorch-style training loop keep the wasm heap flat?
// Trains LeNet-5 (Conv2d(1,6,5,padding=2) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2)
// Flatten Linear(400,120) ReLU Linear(120,84) ReLU Linear(84,10)) on random 28x28 data at
// batch 64 with SGD(momentum 0.9) and CrossEntropyLoss, written the way a PyTorch tutorial
// writes it — zero_grad / forward / loss / backward / step over a DataLoader, no dispose()
// calls, no forced GC — then runs torch.no_grad evaluations. It reports
// memory_stats().live_bytes and heap_bytes after warm-up and at the end, and the largest
// deviation from the warm-up values seen at any step. Not a benchmark: the loss on random
// labels means nothing; only memory is measured.
//
//   node scripts/long-run-leak.mjs                     10,000 steps + 1,000 evaluations
//   node scripts/long-run-leak.mjs --steps 1500 --evals 200 [--warmup 200] [--json]
//
// tests/long-run.test.js imports runLongRun() with shorter counts and asserts the figures.
import { pathToFileURL } from 'node:url';
import * as torch from '../dist/index.js';

const { nn, optim } = torch;
const MB = 1024 * 1024;

export function lenet5() {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(400, 120), new nn.ReLU(),
    new nn.Linear(120, 84), new nn.ReLU(),
    new nn.Linear(84, 10),
  );
}

/** Random images and labels (kept tensors, made before the loop as a script would load data). */
function randomData(n) {
  return [torch.randn(n, 1, 28, 28), torch.randint(0, 10, [n])];
}

/**
 * Runs `steps` training steps and `evals` no_grad evaluations; returns the memory figures.
 * onProgress(step, stats) is called every `every` steps (for the CLI's progress lines).
 */
export function runLongRun({ steps = 10000, evals = 1000, warmup = 200, batch = 64, seed = 0, onProgress = null, every = 1000 } = {}) {
  warmup = Math.min(warmup, Math.max(1, Math.floor(steps / 5)));
  torch.manual_seed(seed);
  const model = lenet5();
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const haveLoader = Boolean(torch.utils?.data?.DataLoader);
  const [trainX, trainY] = randomData(batch * 40);
  const [testX, testY] = randomData(batch * 8);
  const trainData = haveLoader ? new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(trainX, trainY), { batch_size: batch, shuffle: true }) : null;
  const testData = haveLoader ? new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(testX, testY), { batch_size: batch }) : null;
  // Without torch.utils.data: fixed batches, cut once before the loop.
  const fixed = (x, y) => Array.from({ length: x.shape[0] / batch }, (_, i) => [x.narrow(0, i * batch, batch), y.narrow(0, i * batch, batch)]);
  const trainBatches = haveLoader ? null : fixed(trainX, trainY);
  const testBatches = haveLoader ? null : fixed(testX, testY);
  function* forever(loader, list) {
    for (;;) yield* (loader ?? list);
  }

  const t0 = performance.now();
  // Each phase (training, evaluation) has its own warm-up point: evaluation holds fewer
  // tensors than training (no graph, no activations kept for backward), so its level is lower.
  const phase = (name, warmAt) => ({ name, warmAt, warm: null, end: null, maxLive: 0, maxHeap: 0 });
  const train = phase('training', warmup), evaluation = phase('evaluation', Math.min(warmup, Math.max(Math.min(5, evals), Math.floor(evals / 5))));
  const track = (p, i, s) => {
    if (i === p.warmAt) p.warm = s;
    if (p.warm) {
      p.maxLive = Math.max(p.maxLive, Math.abs(s.live_bytes - p.warm.live_bytes));
      p.maxHeap = Math.max(p.maxHeap, Math.abs(s.heap_bytes - p.warm.heap_bytes));
    }
    p.end = s;
  };
  let lastLoss = NaN;

  model.train();
  let step = 0;
  for (const [x, y] of forever(trainData, trainBatches)) {
    if (step === steps) break;
    optimizer.zero_grad();
    const loss = criterion(model(x), y);
    loss.backward();
    optimizer.step();
    step++;
    if (step % 100 === 0) lastLoss = loss.item();
    const s = torch.memory_stats();
    track(train, step, s);
    if (onProgress && step % every === 0) onProgress(step, s, lastLoss);
  }

  model.eval();
  let correct = 0, seen = 0, e = 0;
  for (const [x, y] of forever(testData, testBatches)) {
    if (e === evals) break;
    correct += torch.no_grad(() => model(x).argmax(1).eq(y).sum().item());
    seen += y.shape[0];
    e++;
    track(evaluation, e, torch.memory_stats());
  }
  const pick = (s) => (s ? { live_bytes: s.live_bytes, heap_bytes: s.heap_bytes, live_tensors: s.live_tensors, scoped_tensors: s.scoped_tensors } : null);
  const report = (p) => ({
    warmup: p.warmAt, warm: pick(p.warm), end: pick(p.end),
    maxDeviation: { live_bytes: p.maxLive, heap_bytes: p.maxHeap },
  });
  return {
    steps, evals, batch, dataloader: haveLoader,
    seconds: (performance.now() - t0) / 1000,
    training: report(train),
    evaluation: report(evaluation),
    lastLoss,
    accuracy: seen ? correct / seen : NaN,
  };
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer, got ${argv[i]}`);
      return v;
    };
    if (a === '--steps') out.steps = value();
    else if (a === '--evals') out.evals = value();
    else if (a === '--warmup') out.warmup = value();
    else if (a === '--batch') out.batch = value();
    else if (a === '--json') out.json = true;
    else throw new Error(`unknown argument ${a} (use --steps N --evals M --warmup W --batch B --json)`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`long-run-leak: ${e.message}`);
    process.exit(2);
  }
  const mb = (b) => `${(b / MB).toFixed(3)} MB`;
  const r = runLongRun({
    ...args,
    onProgress: args.json ? null : (step, s, loss) =>
      console.log(`step ${step}: live ${mb(s.live_bytes)} (${s.live_tensors} tensors), heap ${mb(s.heap_bytes)}, loss ${loss.toFixed(4)}`),
  });
  if (args.json) {
    console.log(JSON.stringify(r, null, 2));
  } else {
    console.log(`LeNet-5, batch ${r.batch}, ${r.steps} SGD steps + ${r.evals} no_grad evaluations in ${r.seconds.toFixed(1)} s` +
      ` (${r.dataloader ? 'DataLoader over a TensorDataset' : 'fixed batches'})`);
    for (const [label, p, unit] of [['training', r.training, 'step'], ['evaluation', r.evaluation, 'evaluation']]) {
      if (!p.warm) continue;
      console.log(`${label}: after warm-up (${unit} ${p.warmup}) live ${mb(p.warm.live_bytes)} (${p.warm.live_tensors} tensors), ` +
        `heap ${mb(p.warm.heap_bytes)}; at the end live ${mb(p.end.live_bytes)} (${p.end.live_tensors} tensors), heap ${mb(p.end.heap_bytes)}; ` +
        `max deviation live ${mb(p.maxDeviation.live_bytes)}, heap ${mb(p.maxDeviation.heap_bytes)}`);
    }
  }
}
