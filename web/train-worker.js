// train-worker.js: the module Web Worker that does all of the page's heavy work with
// kindling — loading the datasets, training (the loop of codegen.js's "train" code, line
// for line), evaluation, inference for the drawing canvas, saving / loading weights
// (torch.save / torch.load) and the autosaved checkpoint (IndexedDB, lib/autosave.js) —
// so the page's main thread only draws. It yields to its message queue between batches,
// so pause / stop / predict are answered within one batch. Not here: anything about the DOM.
// Messages that arrive while the imports below are still evaluating (kindling instantiates
// its wasm with top-level await) would reach no listener and be lost, so the listener is
// installed first, from this module's synchronous start, and queues them until ready.
const early = [];
let dispatch = null;
self.addEventListener('message', ({ data }) => (dispatch ? dispatch(data) : early.push(data)));

const torch = await import('./dist/index.js');
const { loadDataset } = await import('./lib/data-source.js');
const { buildModel, disposeModule, parseLayers, serializeLayers } = await import('./lib/model-spec.js');
const { normOf, optimizerSpec, schedulerSpec, trainCount } = await import('./lib/codegen.js');
const { toQuery } = await import('./lib/state.js');
const { clearCheckpoint, probeStorage, saveCheckpoint } = await import('./lib/autosave.js');
const { nn, optim } = torch;

const cache = new Map(); // dataset name -> Promise of loaded data
let model = null;        // the model inference uses: the last trained one, or an untrained one
let modelInfo = null;    // {key (layers text), trained, norm}
let run = null;          // the training run in progress: {paused, stopped, wake, at, checkpoint}

function getData(name) {
  if (!cache.has(name)) {
    const p = loadDataset(torch, name);
    p.catch(() => cache.delete(name));
    cache.set(name, p);
  }
  return cache.get(name);
}

// --- yielding to the message queue --------------------------------------------------------
// setTimeout(0) is clamped to 4 ms after a few nestings; a MessageChannel round trip is not.
const channel = new MessageChannel();
const waiting = [];
channel.port1.onmessage = () => waiting.shift()?.();
const tick = () => new Promise((resolve) => { waiting.push(resolve); channel.port2.postMessage(0); });
let lastYield = 0;
async function breathe() {
  if (performance.now() - lastYield < 30) return;
  await tick();
  lastYield = performance.now();
  if (run?.paused && !run.stopped) {
    await run.checkpoint?.(); // a paused page may be closed: keep what was trained so far
    if (run.paused && !run.stopped) post({ type: 'halted' }); // every batch before the pause has been reported
    while (run.paused && !run.stopped) await new Promise((resolve) => { run.wake = resolve; });
  }
}

// --- messages ---------------------------------------------------------------------------
const handlers = {
  hello: () => ({ simd: torch.simd_available?.() ?? null }),
  memory: () => torch.memory_stats(),

  async load({ dataset }) {
    const d = await getData(dataset);
    return { trainLabels: d.trainLabels.slice(), testLabels: d.testLabels.slice(), testImages: d.testImages.slice(),
      samples: d.trainImages.slice(0, 32 * 784) };
  },

  async predict({ pixels, layers, seed, norm, features }) {
    ensureModel(layers, seed, norm);
    const wasTraining = model.training;
    model.eval();
    try {
      return torch.no_grad(() => {
        const x = normalizedInput(pixels, modelInfo.norm);
        const probs = Array.from(model(x).softmax(1).toTypedArray());
        const out = { probs, trained: modelInfo.trained };
        if (features) out.features = firstLayerView(x);
        return out;
      });
    } finally {
      if (wasTraining) model.train();
    }
  },

  /** The current model's state_dict as .pt or .safetensors bytes (torch.save). */
  exportWeights({ format, layers, seed, norm }) {
    ensureModel(layers, seed, norm);
    const state = model.state_dict();
    try {
      const bytes = torch.save(state, { format });
      return { bytes, trained: modelInfo.trained, tensors: Object.keys(state).length };
    } finally {
      disposeTree(state);
    }
  },

  /**
   * Loads a state_dict file into a model of the page's current layers and evaluates it on
   * the test set. Any error (not a state_dict, another architecture, other shapes, a
   * corrupt file) leaves the current model as it was: load_state_dict checks every key and
   * shape before it copies anything, and a new model replaces the old only once loaded.
   */
  async importWeights({ bytes, settings: s, layers: layersText }) {
    if (run) throw new Error('a training run is in progress');
    const layers = parseLayers(layersText);
    if (!layers) throw new Error('invalid layers');
    const loaded = torch.load(bytes);
    try {
      const state = stateDictOf(loaded);
      const reuse = model && modelInfo.key === layersText;
      let target = model;
      if (!reuse) {
        torch.manual_seed(s.seed);
        target = buildModel(nn, layers);
      }
      try {
        target.load_state_dict(state);
      } catch (error) {
        if (!reuse) disposeModule(target);
        throw error;
      }
      if (!reuse) {
        if (model) disposeModule(model);
        model = target;
      }
      modelInfo = { key: layersText, trained: true, norm: normOf(s) };
    } finally {
      disposeTree(loaded);
    }
    const d = await getData(s.dataset);
    const { test_set } = d.datasets(normOf(s));
    const result = await evaluate(new torch.utils.data.DataLoader(test_set, { batch_size: 1000 }), test_set.length);
    return { ...result, testSize: test_set.length };
  },

  /** Puts a finished run's saved model (an autosave record) back as the current model. */
  restore({ record }) {
    if (run) throw new Error('a training run is in progress');
    const layers = parseLayers(record.layers);
    if (!layers) throw new Error('invalid layers');
    const saved = torch.load(record.tensors);
    try {
      torch.manual_seed(record.settings.seed);
      const target = buildModel(nn, layers);
      try {
        target.load_state_dict(saved.model);
      } catch (error) {
        disposeModule(target);
        throw error;
      }
      if (model) disposeModule(model);
      model = target;
      modelInfo = { key: serializeLayers(layers), trained: true, norm: normOf(record.settings) };
    } finally {
      disposeTree(saved);
    }
    return true;
  },

  train(msg) {
    if (run) throw new Error('a training run is already in progress');
    trainRun(msg).catch((error) => post({ type: 'error', error: error.message }));
    return true;
  },
  pause() { if (run) run.paused = true; return true; },
  resume() {
    if (run) { run.paused = false; run.wake?.(); }
    return true;
  },
  stop() {
    if (run) { run.stopped = true; run.paused = false; run.wake?.(); }
    return true;
  },
};

const post = (msg, transfer) => postMessage(msg, transfer);

dispatch = async (msg) => {
  const handler = handlers[msg.type];
  try {
    if (!handler) throw new Error(`unknown request ${msg.type}`);
    const result = await handler(msg);
    if (msg.id) post({ id: msg.id, result });
  } catch (error) {
    if (msg.id) post({ id: msg.id, error: error.message || String(error) });
    else post({ type: 'error', error: error.message || String(error) });
  }
};
for (const msg of early.splice(0)) dispatch(msg);

// --- models -------------------------------------------------------------------------------
function ensureModel(layersText, seed, norm) {
  // During a run the model being trained is the model, whatever the editor shows now.
  if (model && (run || modelInfo.trained || modelInfo.key === layersText)) return;
  const layers = parseLayers(layersText);
  if (!layers) throw new Error('invalid layers');
  if (model) disposeModule(model);
  torch.manual_seed(seed);
  model = buildModel(nn, layers);
  modelInfo = { key: layersText, trained: false, norm };
}

/** Disposes every kept tensor in a loaded (or state_dict) object tree. */
function disposeTree(x) {
  if (x instanceof torch.Tensor) { if (!x.is_disposed) x.dispose(); return; }
  if (x && typeof x === 'object') for (const v of Object.values(x)) disposeTree(v);
}

const isStateDict = (x) => x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0 &&
  Object.values(x).every((v) => v instanceof torch.Tensor);

/** A file's state_dict: the object itself, or the model entry of a checkpoint dict. */
function stateDictOf(loaded) {
  if (isStateDict(loaded)) return loaded;
  for (const key of ['model', 'model_state_dict', 'state_dict'])
    if (loaded && typeof loaded === 'object' && isStateDict(loaded[key])) return loaded[key];
  const what = loaded instanceof torch.Tensor ? 'a single tensor' : Array.isArray(loaded) ? 'a list'
    : loaded && typeof loaded === 'object' ? `a dict with keys ${Object.keys(loaded).slice(0, 5).join(', ') || '(none)'}` : typeof loaded;
  throw new Error(`load: expected a state_dict (parameter names -> tensors, as torch.save(model.state_dict(), ...) writes); the file holds ${what}`);
}

function normalizedInput(pixels, norm) {
  const values = new Float32Array(784);
  for (let i = 0; i < 784; i++) values[i] = norm ? (pixels[i] - norm[0]) / norm[1] : pixels[i];
  return torch.tensor(values).reshape([1, 1, 28, 28]);
}

/** The first Conv2d's kernels and its output for x; or a Linear(784, n)'s rows as images. */
function firstLayerView(x) {
  const children = model.children();
  const conv = children.find((m) => m instanceof nn.Conv2d);
  if (conv) {
    const index = children.indexOf(conv);
    let y = x;
    for (let i = 0; i <= index; i++) y = children[i](y);
    return { kind: 'conv', filterShape: conv.weight.shape, filters: conv.weight.detach().toTypedArray(), mapShape: y.shape, maps: y.toTypedArray() };
  }
  const linear = children.find((m) => m instanceof nn.Linear);
  if (linear && linear.in_features === 784)
    return { kind: 'linear', filterShape: [linear.out_features, 1, 28, 28], filters: linear.weight.detach().toTypedArray() };
  return null;
}

// --- evaluation: the test loop of the "Train" code -------------------------------------------
/** Test loss, accuracy and every prediction; null when the run was stopped meanwhile. */
async function evaluate(test_loader, n) {
  model.eval();
  let test_loss = 0, correct = 0, at = 0;
  const preds = new Uint8Array(n);
  for (const [x, y] of test_loader) {
    torch.no_grad(() => {
      const out = model(x);
      test_loss += torch.F.cross_entropy(out, y, { reduction: 'sum' }).item();
      const p = out.argmax(1);
      correct += p.eq(y).sum().item();
      preds.set(p.toTypedArray(), at);
      at += y.shape[0];
    });
    await breathe();
    if (run?.stopped) return null;
  }
  return { test_loss: test_loss / n, accuracy: correct / n, preds };
}

// --- training: the loop shown in the page's "Train" code ------------------------------------
// A run may start fresh, from the current (loaded) weights (init: 'current'), or from an
// autosaved checkpoint (resume: the record). A checkpoint holds, besides the torch.save
// bytes of the model, optimizer and scheduler state_dicts and the generator state, where
// the run was — {epoch, batch, phase} with the DataLoader's position inside the pass — so a
// resumed run draws the same batches and the same dropout masks as one never interrupted.
async function trainRun({ settings: s, layers: layersText, init = 'fresh', resume = null, slot = 'current' }) {
  const started = performance.now();
  run = { paused: false, stopped: false, wake: null, at: null, checkpoint: null };
  const scratch = []; // kept tensors of this run only (optimizer state, class weights): freed at its end
  let autosave = true;
  probeStorage().catch((error) => { autosave = false; postStorageError(error); });
  try {
    const layers = parseLayers(layersText);
    if (!layers) throw new Error('invalid layers');
    const norm = normOf(s);
    const d = await getData(s.dataset);

    torch.manual_seed(s.seed);
    const { train_set, test_set } = d.datasets(norm);
    const n = trainCount(s, train_set.length);
    const train_data = n < train_set.length ? new torch.utils.data.Subset(train_set, [...Array(n).keys()]) : train_set;
    const train_loader = new torch.utils.data.DataLoader(train_data, { batch_size: s.batch, shuffle: true });
    const test_loader = new torch.utils.data.DataLoader(test_set, { batch_size: 1000 });

    const key = serializeLayers(layers);
    const keep = init === 'current' && model && modelInfo.key === key && modelInfo.trained;
    if (!keep) {
      if (model) disposeModule(model);
      model = buildModel(nn, layers);
    }
    modelInfo = { key, trained: Boolean(keep), norm };

    const options = {};
    if (s.ce_weight === 'inverse') {
      const classCounts = new Array(10).fill(0);
      for (let i = 0; i < train_data.length; i++) classCounts[d.trainLabels[i]]++;
      const counts = torch.tensor(classCounts, { dtype: 'float32' });
      const inverse = counts.pow(-1);
      options.weight = inverse.div(inverse.sum());
      scratch.push(counts, inverse, options.weight);
    }
    if (s.ignore_index !== -100) options.ignore_index = s.ignore_index;
    if (s.reduction !== 'mean') options.reduction = s.reduction;
    if (s.label_smoothing) options.label_smoothing = s.label_smoothing;
    const criterion = new nn.CrossEntropyLoss(options);
    scratch.push(...criterion.buffers());

    const { name, args } = optimizerSpec(s);
    const optimizer = new optim[name](model.parameters(), Object.fromEntries(args));
    scratch.push(optimizer);
    const batches = Math.ceil(train_data.length / s.batch);
    const sched = schedulerSpec(s, { stepsPerEpoch: batches });
    const scheduler = sched ? new optim.lr_scheduler[sched.name](optimizer, Object.fromEntries(sched.args)) : null;

    const total = s.epochs * train_data.length;
    let seen = 0, trainTime = 0, elapsed = 0, firstBatchMs = null, lastAccuracy = null, lastPreds = null;
    let history = { bx: [], loss: [], lr: [], ex: [], testLoss: [], acc: [] }; // what the page plots
    let start = { epoch: 1, batch: 0, phase: 'train' };

    if (resume) {
      const saved = torch.load(resume.tensors);
      try {
        model.load_state_dict(saved.model);
        optimizer.load_state_dict(saved.optimizer);
        if (scheduler) scheduler.load_state_dict(saved.scheduler);
        torch.set_rng_state(Uint8Array.from(saved.rng.toTypedArray()));
      } finally {
        disposeTree(saved);
      }
      train_loader.load_state_dict(resume.loader);
      start = { epoch: resume.epoch, batch: resume.batch, phase: resume.phase };
      ({ history, seen, trainTime, elapsed } = resume);
      lastAccuracy = resume.accuracy;
      lastPreds = resume.preds;
      modelInfo.trained = resume.epoch > 1 || resume.batch > 0 || resume.phase === 'eval';
    }

    // The checkpoint of where the run is now (run.at); written to IndexedDB, never fatal.
    run.checkpoint = async () => {
      if (!autosave || !run.at) return;
      const t0 = performance.now();
      try {
        const state = model.state_dict();
        const rng = torch.tensor(torch.get_rng_state());
        let tensors;
        try {
          tensors = torch.save({ model: state, optimizer: optimizer.state_dict(), scheduler: scheduler?.state_dict() ?? null, rng });
        } finally {
          disposeTree(state);
          rng.dispose();
        }
        const record = {
          version: 1, savedAt: Date.now(), settings: s, layers: layersText, query: toQuery(s),
          epochs: s.epochs, batches, trainSize: train_data.length, testSize: test_set.length, ...run.at,
          loader: train_loader.state_dict(), tensors, history, seen, trainTime,
          elapsed: elapsed + (performance.now() - started) / 1000, accuracy: lastAccuracy, preds: lastPreds,
        };
        await saveCheckpoint(slot, record);
        post({ type: 'autosave', ok: true, ...run.at, epochs: s.epochs, batches, bytes: tensors.length, ms: performance.now() - t0 });
      } catch (error) {
        autosave = false;
        postStorageError(error);
      }
    };

    post({ type: 'started', batches, epochs: s.epochs, trainSize: train_data.length, testSize: test_set.length,
      resumed: resume ? { ...start } : null, seen, total });

    for (let epoch = start.epoch; epoch <= s.epochs && !run.stopped; epoch++) {
      const first = epoch === start.epoch;
      let batch = first ? start.batch : 0;
      if (!(first && start.phase === 'eval')) {
        model.train();
        let t0 = performance.now();
        for (const [x, y] of train_loader) {
          optimizer.zero_grad();
          let loss = criterion(model(x), y);
          if (s.reduction === 'none') loss = loss.mean();
          loss.backward();
          const value = loss.item();
          const lr = optimizer.param_groups[0].lr;
          if (!Number.isFinite(value)) {
            post({ type: 'nan', epoch, batch: batch + 1, lr });
            run.stopped = run.nan = true;
            break;
          }
          optimizer.step();
          if (sched?.perBatch) scheduler.step();
          batch++;
          seen += x.shape[0];
          const now = performance.now();
          trainTime += now - t0;
          if (firstBatchMs === null) firstBatchMs = now - started;
          history.bx.push(epoch - 1 + batch / batches);
          history.loss.push(value);
          history.lr.push(lr);
          post({ type: 'batch', epoch, batch, batches, loss: value, lr, seen, total,
            rate: seen / (trainTime / 1000), firstBatchMs });
          run.at = { epoch, batch, phase: 'train' };
          await breathe();
          t0 = performance.now();
          if (run.stopped) break;
        }
        if (run.stopped) break;
        if (batch > 0) modelInfo.trained = true;
      }

      post({ type: 'evaluating', epoch });
      run.at = { epoch, batch, phase: 'eval' };
      const result = await evaluate(test_loader, test_set.length);
      if (!result) break;
      const { test_loss, accuracy, preds } = result;
      lastAccuracy = accuracy;
      lastPreds = preds.slice();
      if (scheduler && !sched.perBatch) {
        if (sched.name === 'ReduceLROnPlateau') scheduler.step(s.monitor === 'test_acc' ? accuracy : test_loss);
        else scheduler.step();
      }
      history.ex.push(epoch);
      history.testLoss.push(test_loss);
      history.acc.push(accuracy * 100);
      post({ type: 'epoch', epoch, test_loss, accuracy, preds, lr: optimizer.param_groups[0].lr }, [preds.buffer]);
      if (epoch < s.epochs) { // the next epoch, from its start
        run.at = { epoch: epoch + 1, batch: 0, phase: 'train' };
        await run.checkpoint();
      }
    }
    run.at = null;
    const seconds = elapsed + (performance.now() - started) / 1000;
    // Finished or stopped: the trained model (with its plots) replaces the checkpoint, so
    // a reload restores it; there is nothing left to resume.
    if (autosave && run.nan) await clearCheckpoint(slot).catch(() => {}); // nothing worth keeping
    else if (autosave && modelInfo.trained) {
      try {
        const state = model.state_dict();
        let tensors;
        try { tensors = torch.save({ model: state }); } finally { disposeTree(state); }
        await saveCheckpoint(slot, { version: 1, final: true, stopped: run.stopped, savedAt: Date.now(), settings: s,
          layers: layersText, query: toQuery(s), epochs: s.epochs, batches, trainSize: train_data.length, testSize: test_set.length,
          phase: 'done', epoch: history.ex.at(-1) ?? 0, tensors, history, accuracy: lastAccuracy, preds: lastPreds, seconds });
      } catch (error) {
        postStorageError(error);
      }
    }
    post({ type: run.stopped ? 'stopped' : 'done', accuracy: lastAccuracy, seconds, trained: modelInfo.trained });
  } finally {
    for (const x of scratch) {
      if (x instanceof torch.Tensor) { if (!x.is_disposed) x.dispose(); continue; }
      for (const state of x.state.values()) // an optimizer: its momentum / moment buffers
        for (const v of Object.values(state)) if (v instanceof torch.Tensor && !v.is_disposed) v.dispose();
    }
    run = null;
  }
}

function postStorageError(error) {
  post({ type: 'autosave', ok: false, reason: error?.reason ?? 'failed', detail: error?.detail ?? String(error?.message ?? error) });
}
