// bench/nets.mjs: training and inference throughput (samples/s) of the two reference CNNs in
// kindling, TensorFlow.js (cpu and wasm backends) and PyTorch, in one run, one thread each.
// Reported, never asserted: CI does not run this, and nothing here checks a number.
// Not a correctness test (tests/ is).
//
// usage (from the repo root, after ./build.sh wasm and `cd bench && npm install`):
//   node bench/nets.mjs [--quick] [--only=kindling,tfjs-wasm,tfjs-cpu,torch] [--nets=A,B]
//                       [--rounds=5] [--rep-ms=1500] [--warm-ms=2500] [--tfjs-cpu-ms=30000]
//                       [--no-breakdown] [--profile] [--kindling=path/to/index.js] [--json]
//   --quick        2 rounds of 400 ms, shorter warm-up, tfjs-cpu training on net A skipped
//   --only         systems to run (default: all that are available)
//   --tfjs-cpu-ms  time box per tfjs-cpu job: at least one step, no more steps once spent
//   --profile      also print kindling's self time by function for each job (V8 profiler)
//   --kindling     the kindling entry to load (default: ../dist/index.js)
//   --json         also print every number as one JSON line
//
// The work (as PyTorch's examples write it): batch 64 of random 1x28x28 inputs and random
// labels in [0, 10); SGD(lr=0.01, momentum=0.9) + CrossEntropyLoss.
//   Net A (PyTorch's MNIST example): Conv2d(1,32,3) ReLU Conv2d(32,64,3) ReLU MaxPool2d(2)
//         Flatten Linear(9216,128) ReLU Linear(128,10)       71.6 / 24.0 MFLOP per sample
//   Net B (LeNet-5): Conv2d(1,6,5,padding=2) ReLU MaxPool2d(2) Conv2d(6,16,5) ReLU MaxPool2d(2)
//         Flatten Linear(400,120) ReLU Linear(120,84) ReLU Linear(84,10)
// Training = one step of the plain loop (zero_grad, forward, loss, backward, step), through
// the public API only and with no dispose calls (kindling's memory rule bounds the heap).
// Inference = a forward under no_grad, with the logits read back to JS.
//
// Timing. Node 20's V8 compiles wasm first with Liftoff and moves a function to TurboFan
// only on a call after it has used up its tier-up budget (wasm has no on-stack replacement),
// so a function called a few times per step runs 3-4x slower for the first steps. Every
// job therefore warms up (>= --warm-ms and >= 5 calls) before it is timed; then all jobs
// run in interleaved rounds of >= --rep-ms each, and the best round is reported, because
// the host is shared and noisy. PyTorch takes part in the rounds from a child process
// (bench/nets_torch.py --serve answers one timing request per line). Every round is timed
// by wall clock and by process CPU time; both are reported. tfjs-cpu is too slow for rounds
// (minutes per training step on net A), so it runs last, time-boxed, and the output says
// how many steps were timed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const flags = Object.fromEntries(argv.filter((a) => a.startsWith('--')).map((a) => {
  const [key, value] = a.slice(2).split('=');
  return [key, value === undefined ? true : value];
}));
const quick = Boolean(flags.quick);
const SYSTEMS = ['kindling', 'tfjs-wasm', 'tfjs-cpu', 'torch'];
const only = flags.only ? String(flags.only).split(',') : SYSTEMS;
for (const s of only) if (!SYSTEMS.includes(s)) throw new Error(`--only: unknown system '${s}' (known: ${SYSTEMS.join(', ')})`);
const NETS = flags.nets ? String(flags.nets).split(',') : ['A', 'B'];
const ROUNDS = Number(flags.rounds ?? (quick ? 2 : 5));
const REP_MS = Number(flags['rep-ms'] ?? (quick ? 400 : 1500));
const WARM_MS = Number(flags['warm-ms'] ?? (quick ? 800 : 2500));
const TFJS_CPU_MS = Number(flags['tfjs-cpu-ms'] ?? (quick ? 8000 : 30000));
const BATCH = 64;
const MFLOP = { A: { train: 71.6, infer: 24.0 }, B: { train: 2.26, infer: 0.83 } }; // per sample
const kindlingEntry = flags.kindling ? pathToFileURL(String(flags.kindling)).href : new URL('../dist/index.js', import.meta.url).href;

const log = (...a) => console.error(...a); // progress goes to stderr, the report to stdout
const now = () => performance.now();

// --- timing -------------------------------------------------------------------------------

/** CPU time of this process in ms (hides descheduling on the shared host, not a busy sibling core). */
const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** Runs fn until ms have passed and it ran at least minCalls times; returns ms per call (wall, cpu). */
async function timedRep(fn, ms, minCalls = 2) {
  let n = 0;
  const start = now(), cpu0 = cpuNow();
  for (;;) {
    await fn();
    n++;
    const elapsed = now() - start;
    if (n >= minCalls && elapsed >= ms) return { wall: elapsed / n, cpu: (cpuNow() - cpu0) / n };
  }
}

/** Warm-up: reports the first call and the warm per-call time. */
async function warmUp(job) {
  if (job.remote) return { first: NaN, warm: (await job.remote(WARM_MS)).wall };
  const t0 = now();
  await job.fn();
  const first = now() - t0;
  const warm = (await timedRep(job.fn, WARM_MS, 5)).wall;
  return { first, warm };
}

// --- kindling -----------------------------------------------------------------------------

async function kindlingJobs() {
  const torch = await import(kindlingEntry);
  const { nn, optim } = torch;
  torch.manual_seed(0);
  const build = {
    A: () => new nn.Sequential(new nn.Conv2d(1, 32, 3), new nn.ReLU(), new nn.Conv2d(32, 64, 3), new nn.ReLU(),
      new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(9216, 128), new nn.ReLU(), new nn.Linear(128, 10)),
    B: () => new nn.Sequential(new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
      new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(400, 120),
      new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10)),
  };
  const x = torch.randn(BATCH, 1, 28, 28);
  const y = torch.randint(0, 10, [BATCH]);
  const jobs = [];
  const models = {};
  for (const net of NETS) {
    const model = build[net]();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const criterion = new nn.CrossEntropyLoss();
    models[net] = { model, optimizer, criterion };
    jobs.push({
      system: 'kindling', net, mode: 'train',
      fn: () => {
        optimizer.zero_grad();
        const loss = criterion(model(x), y);
        loss.backward();
        optimizer.step();
      },
    });
    jobs.push({ system: 'kindling', net, mode: 'infer', fn: () => { torch.no_grad(() => model(x)).toTypedArray(); } });
  }
  return { torch, jobs, models, x, y };
}

/** FLOPs of one layer's forward, given its input shape (N, C, H, W) or (N, F). */
function layerFlops(layer, inShape) {
  const N = inShape[0];
  if (layer.constructor.name === 'Conv2d') {
    const [kh, kw] = layer.kernel_size;
    const ho = inShape[2] + 2 * layer.padding[0] - kh + 1, wo = inShape[3] + 2 * layer.padding[1] - kw + 1;
    return 2 * N * layer.out_channels * ho * wo * layer.in_channels * kh * kw;
  }
  if (layer.constructor.name === 'Linear') return 2 * N * layer.in_features * layer.out_features;
  return 0;
}

const shortName = (m) => {
  const c = m.constructor.name;
  if (c === 'Conv2d') return `Conv2d(${m.in_channels}, ${m.out_channels}, ${m.kernel_size[0]}${m.padding[0] ? `, padding=${m.padding[0]}` : ''})`;
  if (c === 'Linear') return `Linear(${m.in_features}, ${m.out_features})`;
  if (c === 'MaxPool2d') return `MaxPool2d(${m.kernel_size})`;
  return `${c}()`;
};

/**
 * Where one warm training step of net A goes: zero_grad, each layer's forward, the loss,
 * backward, the optimizer step; then each layer's backward alone (its output's gradient
 * given, its input requiring grad as in the real net), all through public calls timed with
 * performance.now(). Each row is its best of `steps` steps.
 */
function kindlingBreakdown(k, net = 'A', steps = quick ? 3 : 7) {
  const { torch, models, x, y } = k;
  const { model, optimizer, criterion } = models[net];
  const layers = model.children();
  const names = layers.map((m, i) => `${i} ${shortName(m)}`);
  const samples = new Map();
  const add = (key, ms) => { if (!samples.has(key)) samples.set(key, []); samples.get(key).push(ms); };
  const shapes = [];
  for (let s = 0; s < steps; s++) {
    const t0 = now();
    optimizer.zero_grad();
    const t1 = now();
    add('zero_grad', t1 - t0);
    let h = x;
    layers.forEach((layer, i) => {
      if (s === 0) shapes[i] = h.shape;
      const a = now();
      h = layer(h);
      add(`forward ${names[i]}`, now() - a);
    });
    const t2 = now();
    add('forward (all layers)', t2 - t1);
    const loss = criterion(h, y);
    const t3 = now();
    add('loss (cross_entropy)', t3 - t2);
    loss.backward();
    const t4 = now();
    add('backward (whole graph)', t4 - t3);
    optimizer.step();
    const t5 = now();
    add('optimizer.step (SGD momentum)', t5 - t4);
    add('step total', t5 - t0);
  }
  // Each layer's backward on its own.
  const inputs = [];
  torch.no_grad(() => {
    let h = x;
    layers.forEach((layer, i) => { inputs[i] = h.detach().keep(); h = layer(h); });
  });
  for (let s = 0; s < steps; s++) {
    layers.forEach((layer, i) => {
      const xi = i === 0 ? inputs[i] : inputs[i].detach().requires_grad_(true);
      const out = layer(xi);
      if (!out.requires_grad) return;
      const g = torch.randn(out.shape);
      const a = now();
      out.backward(g);
      add(`backward ${names[i]}`, now() - a);
      g.dispose();
      if (i > 0) xi.dispose();
    });
  }
  optimizer.zero_grad();
  for (const t of inputs) t.dispose();
  const best = (v) => Math.min(...v); // the least disturbed run, as for the throughput table
  const total = best(samples.get('step total'));
  const rows = [];
  for (const [key, v] of samples) {
    const ms = best(v);
    let gflops = '';
    const m = /^(forward|backward) (\d+) /.exec(key);
    if (m) {
      const i = Number(m[2]);
      // backward: weight grad (+ input grad unless it is the first layer) = 1 or 2 forwards
      const f = layerFlops(layers[i], shapes[i]) * (m[1] === 'forward' ? 1 : i === 0 ? 1 : 2);
      if (f) gflops = (f / ms / 1e6).toFixed(1);
    }
    rows.push([key, ms.toFixed(2), key === 'step total' ? '100' : (100 * ms / total).toFixed(1), gflops]);
  }
  return { net, steps, rows };
}

/**
 * Self time by function over `ms` of warm calls of each kindling job, from V8's sampling
 * profiler (node:inspector). dist/kindling.wasm carries no function names, so its functions
 * show as wasm-function[i]; point --kindling at a build made with emcc --profiling-funcs to
 * see names (bench/README.md says how).
 */
async function kindlingProfile(jobs, ms) {
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 250 });
  const out = [];
  for (const job of jobs) {
    await session.post('Profiler.start');
    await timedRep(job.fn, ms);
    const { profile } = await session.post('Profiler.stop');
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const self = new Map();
    let total = 0;
    profile.samples.forEach((id, i) => {
      const { functionName, url } = byId.get(id).callFrame;
      if (functionName === 'dispatch' && !url) return; // the inspector session's own call (Profiler.stop)
      const where = url.startsWith('wasm://') ? 'wasm' : url ? 'js' : '';
      const key = `${functionName || '(anonymous)'}${where ? ` (${where})` : ''}`;
      const us = profile.timeDeltas[i] ?? 0;
      self.set(key, (self.get(key) ?? 0) + us);
      total += us;
    });
    const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([key, us]) => [key, (100 * us / total).toFixed(1)]);
    for (const where of ['wasm', 'js']) {
      let us = 0;
      for (const [key, t] of self) if (key.endsWith(`(${where})`)) us += t;
      rows.push([`all ${where === 'wasm' ? 'wasm (the core)' : 'JS (shim and this harness)'}`, (100 * us / total).toFixed(1)]);
    }
    out.push({ name: `${job.net} ${job.mode}`, rows });
  }
  await session.post('Profiler.disable');
  session.disconnect();
  return out;
}

// --- TensorFlow.js ------------------------------------------------------------------------

function loadTfjs() {
  const require = createRequire(join(here, 'package.json'));
  const quiet = (fn) => { const warn = console.warn; console.warn = () => {}; try { return fn(); } finally { console.warn = warn; } };
  const tf = quiet(() => require('@tensorflow/tfjs-core'));
  // PROD only gates warnings in tfjs-core 4.22 (here: the hint to install tfjs-node), not speed.
  tf.env().set('PROD', true);
  require('@tensorflow/tfjs-backend-cpu');
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  const tfl = require('@tensorflow/tfjs-layers');
  const version = JSON.parse(readFileSync(require.resolve('@tensorflow/tfjs-core/package.json'), 'utf8')).version;
  return { tf, wasm, tfl, version, quiet, require };
}

/** The same nets in tfjs-layers, NHWC (tfjs's cpu and wasm convolutions are NHWC). */
function tfjsModel(tfl, net) {
  const m = tfl.sequential();
  if (net === 'A') {
    m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
    m.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 128, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 10 }));
  } else {
    m.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 6, kernelSize: 5, padding: 'same', activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu' }));
    m.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tfl.layers.flatten());
    m.add(tfl.layers.dense({ units: 120, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 84, activation: 'relu' }));
    m.add(tfl.layers.dense({ units: 10 }));
  }
  return m;
}

function tfjsSetup(T, net) {
  const { tf, tfl } = T;
  const model = tfjsModel(tfl, net);
  // SGD with momentum + cross-entropy from logits, as CrossEntropyLoss does.
  model.compile({ optimizer: tf.train.momentum(0.01, 0.9), loss: (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const x = tf.randomNormal([BATCH, 28, 28, 1]);
  const y = tf.cast(tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32'), 10), 'float32');
  return {
    train: async () => { await model.trainOnBatch(x, y); },
    infer: () => { const out = model.predict(x); out.dataSync(); out.dispose(); },
  };
}

async function tfjsWasmJobs(T) {
  const { tf, wasm, quiet } = T;
  wasm.setWasmPaths(join(dirname(T.require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // threads do not start under Node 20; one thread anyway
  wasm.setThreadsCount(1);
  await quiet(() => tf.setBackend('wasm'));
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const jobs = [];
  const notes = [];
  for (const net of NETS) {
    const s = tfjsSetup(T, net);
    jobs.push({ system: 'tfjs-wasm', net, mode: 'infer', fn: s.infer });
    try { // tfjs-wasm has no Conv2DBackpropFilter kernel: show the error rather than assume it
      await s.train();
      jobs.push({ system: 'tfjs-wasm', net, mode: 'train', fn: s.train });
    } catch (error) {
      notes.push(`tfjs-wasm cannot train net ${net}: ${String(error.message).split('\n')[0]}`);
    }
  }
  return { jobs, notes, simd };
}

/** tfjs-cpu: time-boxed, since a net-A training step takes minutes. */
async function tfjsCpu(T, results, cpuResults, notes) {
  const { tf, quiet } = T;
  await quiet(() => tf.setBackend('cpu'));
  await tf.ready();
  for (const net of NETS) {
    const s = tfjsSetup(T, net);
    for (const mode of ['infer', 'train']) {
      if (quick && net === 'A' && mode === 'train') {
        notes.push('tfjs-cpu A train: skipped in --quick (one step takes minutes)');
        continue;
      }
      const fn = s[mode];
      const times = [], cpuTimes = [];
      const start = now();
      do {
        const t = now(), c = cpuNow();
        await fn();
        times.push(now() - t);
        cpuTimes.push(cpuNow() - c);
        if (times[times.length - 1] > 1000) log(`  tfjs-cpu ${net} ${mode}: step ${times.length} took ${(times[times.length - 1] / 1000).toFixed(1)} s`);
      } while (now() - start + times[times.length - 1] < TFJS_CPU_MS || times.length < 2 && times[0] < TFJS_CPU_MS / 2);
      // The first step includes JS compilation: report the best of the later steps when there are any.
      const timed = times.length > 1 ? times.slice(1) : times;
      const ms = Math.min(...timed), cpuMs = Math.min(...(times.length > 1 ? cpuTimes.slice(1) : cpuTimes));
      results.set(`tfjs-cpu ${net} ${mode}`, BATCH / ms * 1000);
      cpuResults.set(`tfjs-cpu ${net} ${mode}`, BATCH / cpuMs * 1000);
      notes.push(`tfjs-cpu ${net} ${mode}: time-boxed to ${TFJS_CPU_MS / 1000} s, ${times.length} step(s) of 64, ` +
        (times.length > 1 ? `best of the ${timed.length} after the first` : 'only the first (no warm-up)'));
    }
  }
}

// --- PyTorch ------------------------------------------------------------------------------

/**
 * PyTorch in a child process (bench/nets_torch.py --serve): each job is one request line,
 * '<net> <mode> <ms>', answered by one JSON line with seconds per call, so PyTorch takes
 * part in the same interleaved rounds as the in-process systems.
 */
async function torchJobs(notes) {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    notes.push(`PyTorch skipped: \`${python} -c 'import torch'\` failed`);
    return null;
  }
  const child = spawn(python, [join(here, 'nets_torch.py'), '--serve', `--nets=${NETS.join(',')}`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('nets_torch.py exited early (see its error above)');
    return JSON.parse(value);
  };
  const info = await next();
  const request = async (net, mode, ms) => {
    child.stdin.write(`${net} ${mode} ${ms}\n`);
    const r = await next();
    return { wall: r.wall * 1000, cpu: r.cpu * 1000 };
  };
  const jobs = NETS.flatMap((net) => ['train', 'infer'].map((mode) => ({
    system: 'torch', net, mode, remote: (ms) => request(net, mode, ms),
  })));
  return { info, jobs, close: () => child.stdin.end() };
}

// --- report -------------------------------------------------------------------------------

const fmt = (v) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function report({ results, cpuResults, labels, notes, breakdown, meta }) {
  const cols = NETS.flatMap((net) => ['train', 'infer'].map((mode) => [net, mode]));
  const systems = SYSTEMS.filter((s) => only.includes(s));
  const out = [];
  const table = (corner, rows) => {
    out.push(`| ${corner} | ${cols.map(([n, m]) => `${n} ${m}`).join(' | ')} |`);
    out.push(`|---|${cols.map(() => '---:').join('|')}|`);
    for (const [label, cells] of rows) out.push(`| ${label} | ${cells.join(' | ')} |`);
    out.push('');
  };
  const cell = (map, system, n, m) => {
    const v = map.get(`${system} ${n} ${m}`);
    if (v === undefined && system === 'tfjs-wasm' && m === 'train' &&
        notes.some((s) => s.startsWith(`tfjs-wasm cannot train net ${n}`))) return 'cannot train';
    return fmt(v);
  };
  const ratioRows = (map) => systems.filter((s) => s !== 'kindling').map((system) => [labels[system] ?? system,
    cols.map(([n, m]) => {
      const a = map.get(`kindling ${n} ${m}`), b = map.get(`${system} ${n} ${m}`);
      return a !== undefined && b !== undefined ? `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}x` : '—';
    })]);

  out.push(`### Samples/s, batch 64, one thread (best of ${ROUNDS} interleaved rounds of >= ${REP_MS} ms after warm-up)`);
  out.push('');
  out.push(...meta, '');
  table('system', systems.map((system) => [labels[system] ?? system, cols.map(([n, m]) => cell(results, system, n, m))]));
  if (only.includes('kindling') && systems.length > 1) {
    out.push('kindling / peer (above 1: kindling is faster):', '');
    table('kindling /', ratioRows(results));
  }
  const cpuSystems = systems.filter((system) => cols.some(([n, m]) => cpuResults.has(`${system} ${n} ${m}`)));
  if (cpuSystems.length) {
    out.push('The same runs timed by process CPU time instead of wall clock (hides descheduling on the shared host):', '');
    table('system (CPU time)', cpuSystems.map((system) => [labels[system] ?? system, cols.map(([n, m]) => cell(cpuResults, system, n, m))]));
    if (cpuSystems.includes('kindling') && cpuSystems.length > 1) table('kindling / (CPU time)', ratioRows(cpuResults).filter(([label]) =>
      cpuSystems.some((s) => (labels[s] ?? s) === label)));
  }
  if (results.size) {
    out.push('Effective GFLOP/s, wall clock (MFLOP per sample: A 71.6 train / 24.0 infer, B 2.26 / 0.83):', '');
    table('system', systems.map((system) => [labels[system] ?? system, cols.map(([n, m]) => {
      const v = results.get(`${system} ${n} ${m}`);
      if (v === undefined) return '—';
      const g = v * MFLOP[n][m] / 1000;
      return g.toFixed(g >= 1 ? 1 : 2);
    })]));
  }
  if (notes.length) {
    out.push('Notes:');
    for (const n of notes) out.push(`- ${n}`);
  }
  if (breakdown) {
    out.push('');
    out.push(`### kindling: one warm training step of net ${breakdown.net}, by phase and layer (best of ${breakdown.steps} steps)`);
    out.push('');
    out.push('Each layer\'s backward is timed alone (gradient of its output given); the rows do not add up exactly to the step.');
    out.push('GFLOP/s counts the forward pass of a layer once and its backward as weight grad plus input grad (weight grad only for layer 0).');
    out.push('');
    out.push('| phase | ms | % of step | GFLOP/s |');
    out.push('|---|---:|---:|---:|');
    for (const r of breakdown.rows) out.push(`| ${r.join(' | ')} |`);
  }
  return out.join('\n');
}

// --- main ---------------------------------------------------------------------------------

const results = new Map();
const cpuResults = new Map(); // the same runs, by process CPU time
const notes = [];
const labels = {};
const load0 = os.loadavg()[0];
const meta = [`${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, Node ${process.version}; load average at start ${load0.toFixed(2)}`];
const metaEnd = () => { meta[0] += `, at end ${os.loadavg()[0].toFixed(2)}`; };

let kindling = null;
const jobs = [];
if (only.includes('kindling')) {
  kindling = await kindlingJobs();
  jobs.push(...kindling.jobs);
  labels.kindling = `kindling (wasm SIMD${kindling.torch.simd_available?.() ? '' : ' unavailable!'})`;
  const wasmFile = fileURLToPath(new URL('kindling.wasm', kindlingEntry));
  if (existsSync(wasmFile)) {
    const st = statSync(wasmFile);
    meta.push(`kindling: ${wasmFile} (${st.size} bytes, built ${st.mtime.toISOString().replace(/\.\d+Z$/, 'Z')})`);
  }
}
let T = null;
if (only.includes('tfjs-wasm') || only.includes('tfjs-cpu')) {
  if (!existsSync(join(here, 'node_modules', '@tensorflow', 'tfjs-core'))) {
    notes.push('tfjs skipped: run `npm install` in bench/ first');
  } else {
    T = loadTfjs();
  }
}
if (T && only.includes('tfjs-wasm')) {
  const w = await tfjsWasmJobs(T);
  jobs.push(...w.jobs);
  notes.push(...w.notes);
  labels['tfjs-wasm'] = `tfjs-wasm ${T.version} (XNNPACK${w.simd ? ', SIMD' : ', no SIMD'}, 1 thread)`;
}

let torchServer = null;
if (only.includes('torch')) {
  torchServer = await torchJobs(notes);
  if (torchServer) {
    jobs.push(...torchServer.jobs);
    const t = torchServer.info;
    labels.torch = `PyTorch ${t.version} (${t.threads} thread, ${t.blas_library})`;
  }
}

// Warm-up, then interleaved rounds: every job once per round, best round kept.
const sorted = jobs.sort((a, b) => a.net.localeCompare(b.net) || a.mode.localeCompare(b.mode) || a.system.localeCompare(b.system));
for (const job of sorted) {
  const w = await warmUp(job);
  log(`warm-up ${job.system} ${job.net} ${job.mode}: ${Number.isNaN(w.first) ? '' : `first call ${w.first.toFixed(1)} ms, `}warm ${w.warm.toFixed(1)} ms`);
  if (job.system === 'kindling' && job.net === 'A' && job.mode === 'train')
    notes.push(`kindling A train: first step ${w.first.toFixed(0)} ms, warm ${w.warm.toFixed(0)} ms (V8's Liftoff-to-TurboFan tier-up; hence the warm-up)`);
}
const heap0 = kindling?.torch.memory_stats().heap_bytes;
for (let r = 0; r < ROUNDS && sorted.length; r++) {
  const line = [];
  for (const job of sorted) {
    const { wall, cpu } = job.remote ? await job.remote(REP_MS) : await timedRep(job.fn, REP_MS);
    const key = `${job.system} ${job.net} ${job.mode}`;
    results.set(key, Math.max(results.get(key) ?? 0, BATCH / wall * 1000));
    cpuResults.set(key, Math.max(cpuResults.get(key) ?? 0, BATCH / cpu * 1000));
    line.push(`${key} ${fmt(BATCH / wall * 1000)} (cpu ${fmt(BATCH / cpu * 1000)})`);
  }
  log(`round ${r + 1}/${ROUNDS}, samples/s: ${line.join(', ')}`);
}
if (kindling) {
  const m = kindling.torch.memory_stats();
  notes.push(`kindling wasm heap: ${(heap0 / 2 ** 20).toFixed(0)} MiB after warm-up, ${(m.heap_bytes / 2 ** 20).toFixed(0)} MiB ` +
    `after the timed rounds (${m.live_tensors} live tensors, no dispose calls in the loop)`);
}

torchServer?.close();

let breakdown = null;
if (kindling && !flags['no-breakdown'] && NETS.includes('A')) breakdown = kindlingBreakdown(kindling, 'A');
const profiles = kindling && flags.profile ? await kindlingProfile(kindling.jobs, Math.max(REP_MS, 2000)) : null;

if (T && only.includes('tfjs-cpu')) {
  log('tfjs-cpu (time-boxed) ...');
  await tfjsCpu(T, results, cpuResults, notes);
  labels['tfjs-cpu'] = `tfjs-cpu ${T.version} (time-boxed, see notes)`;
}
metaEnd();
console.log(report({ results, cpuResults, labels, notes, breakdown, meta }));
if (profiles) {
  console.log('\n### kindling: self time by function (V8 sampling profiler, warm calls; top 12)\n');
  for (const { name, rows } of profiles) {
    console.log(`| ${name}: function | % |\n|---|---:|`);
    for (const [key, pct] of rows) console.log(`| ${key} | ${pct} |`);
    console.log('');
  }
}
if (flags.json) console.log(JSON.stringify({ wall: Object.fromEntries(results), cpu: Object.fromEntries(cpuResults) }));
