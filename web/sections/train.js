// sections/train.js: the Train section — start / pause / resume / stop, the progress bar
// with samples/s and ETA, and live charts of the loss per batch, test loss and accuracy per
// epoch and the learning rate. The worker trains; this module only draws, at most once a
// frame. A NaN loss stops the run with advice to lower the learning rate; a run that
// diverges or stays at chance gets advice too (lib/advice.js). The worker autosaves the run
// to IndexedDB (end of every epoch, pause) in this tab's own record, and keeps the finished
// model there; when the page loads, this tab's finished model comes back by itself (plots,
// confusion matrix and predictions), and a run in progress — or a model another, closed
// tab left — is offered in a banner at the bottom of the window. Leaving the page while
// training asks first.
import { invalidControl } from '../lib/bind.js';
import { clearCheckpoint, findCheckpoint, moveCheckpoint, tabSlot } from '../lib/autosave.js';
import { divergenceAdvice } from '../lib/advice.js';
import { COLORS, lineChart } from '../lib/charts.js';
import { renderCodePair } from '../lib/code-panel.js';
import { BUNDLED_TRAIN, num, sectionCode, trainCount } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { SCHEMA, toQuery } from '../lib/state.js';

const TRAIN_KEYS = ['dataset', 'subset', 'batch', 'norm', 'seed', 'model', 'layers', 'ce_weight', 'ignore_index', 'reduction',
  'label_smoothing', 'opt', 'lr', 'momentum', 'weight_decay', 'nesterov', 'beta1', 'beta2', 'alpha', 'sched', 'step_size',
  'gamma', 'milestones', 'exp_gamma', 'mode', 'factor', 'patience', 'threshold', 'cooldown', 'min_lr', 'monitor', 'T_max',
  'eta_min', 'T_0', 'T_mult', 'start_factor', 'end_factor', 'total_iters', 'max_lr', 'pct_start', 'epochs'];

/** "5 s", "1 min 20 s" / "5초", "1분 20초". */
export function duration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  return s >= 60 ? t('time.min', { m: Math.floor(s / 60), s: s % 60 }) : t('time.s', { s });
}
const sameRun = (a, b) => toQuery({ ...a, lang: null }) === toQuery({ ...b, lang: null });

export function init(app) {
  const { store, trainer } = app;
  const startButton = document.getElementById('train-start');
  const pauseButton = document.getElementById('train-pause');
  const stopButton = document.getElementById('train-stop');
  const progress = document.getElementById('train-progress');
  const status = document.getElementById('train-status');
  const live = document.getElementById('train-live'); // what screen readers hear: state changes and epochs only
  const adviceEl = document.getElementById('train-advice');
  const speed = document.getElementById('train-speed');
  const alertEl = document.getElementById('train-alert');
  const changed = document.getElementById('train-changed');
  const codeEl = document.querySelector('[data-code="train"]');
  const autosaveEl = document.getElementById('train-autosave');
  const resumeEl = document.getElementById('resume');

  let state = 'idle'; // idle | starting | running | paused | done | stopped
  let statusKey = ['train.idle', {}];
  let clickedAt = 0;
  let series = null; // chart data
  let charts = null;
  let dirty = false;
  let last = null;

  // The x axes span the whole run from the start, so the curves grow into a fixed frame.
  const xRange = () => [0, last?.epochs ?? store.get('epochs')];
  function makeCharts() {
    if (charts) return;
    charts = {
      loss: lineChart(document.getElementById('chart-loss'), { series: [{ label: t('train.loss'), color: COLORS[0], width: 1.5 }],
        axes: { x: t('train.batchAxis'), y: t('train.loss') }, height: 220, xRange }),
      test: lineChart(document.getElementById('chart-test'), {
        series: [{ label: t('train.testLoss'), color: COLORS[1], points: true }, { label: t('train.accuracy'), color: COLORS[2], scale: 'y2', points: true }],
        axes: { x: t('sched.epoch'), y: t('train.testLoss'), y2: t('train.accuracy') }, height: 220,
        xRange: () => [0.5, (last?.epochs ?? store.get('epochs')) + 0.5], y2Range: [0, 100] }),
      lr: lineChart(document.getElementById('chart-lr'), { series: [{ label: t('train.lr'), color: COLORS[3], stepped: -1 }],
        axes: { x: t('train.batchAxis'), y: t('train.lr') }, height: 220, xRange }),
    };
  }
  function relabel() {
    if (!charts) return;
    charts.loss.setLabels([t('train.loss')], { x: t('train.batchAxis'), y: t('train.loss') });
    charts.test.setLabels([t('train.testLoss'), t('train.accuracy')], { x: t('sched.epoch'), y: t('train.testLoss'), y2: t('train.accuracy') });
    charts.lr.setLabels([t('train.lr')], { x: t('train.batchAxis'), y: t('train.lr') });
  }

  function resetSeries(from = null) {
    series = from ? { bx: [...from.bx], loss: [...from.loss], lr: [...from.lr], ex: [...from.ex], testLoss: [...from.testLoss], acc: [...from.acc] }
      : { bx: [], loss: [], lr: [], ex: [], testLoss: [], acc: [] };
    app.history = series; // the plotted numbers, for the tests and the curious (per-batch losses, bit for bit)
    redraw();
  }
  function redraw() {
    dirty = false;
    makeCharts();
    charts.loss.setData([series.bx, series.loss]);
    charts.lr.setData([series.bx, series.lr]);
    charts.test.setData([series.ex, series.testLoss, series.acc]);
    describeCharts();
  }
  /** The charts' text alternative: what they show now, in words. */
  function describeCharts() {
    const ids = { loss: 'chart-loss', test: 'chart-test', lr: 'chart-lr' };
    const n3 = (v) => num(+v.toPrecision(3));
    const texts = {
      loss: series.loss.length ? t('train.lossAlt', { n: series.loss.length, last: n3(series.loss.at(-1)),
        min: n3(Math.min(...series.loss)), first: n3(series.loss[0]) }) : null,
      test: series.ex.length ? t('train.testAlt', { epoch: series.ex.at(-1), loss: n3(series.testLoss.at(-1)),
        acc: fmt(series.acc.at(-1), 2) }) : null,
      lr: series.lr.length ? t('train.lrAlt', { first: num(series.lr[0]), last: num(+series.lr.at(-1).toPrecision(3)) }) : null,
    };
    for (const [name, text] of Object.entries(texts))
      document.getElementById(ids[name]).setAttribute('aria-label', text ?? t(`train.${name}Chart`));
  }
  // Batches arrive up to a few hundred times a second; the page redraws at most ~8 times a
  // second (layout and canvas work on a long page is what would otherwise eat the thread).
  let lastDraw = 0, latest = null, shown = null;
  function showSpeed() {
    if (state !== 'running') { speed.textContent = ''; return; } // no rate or ETA while paused or after the end
    if (shown) speed.textContent = t('train.speed', { rate: fmt(Math.round(shown.rate)), eta: duration((shown.total - shown.seen) / shown.rate) });
  }
  function flush() {
    if (latest) {
      const msg = (shown = latest);
      latest = null;
      progress.value = msg.seen / msg.total;
      if (state !== 'paused') setStatus('train.running', { epoch: msg.epoch, epochs: last.epochs, batch: msg.batch, batches: msg.batches });
      showSpeed();
    }
    redraw();
    lastDraw = performance.now();
  }
  const scheduleRedraw = () => {
    if (dirty) return;
    dirty = true;
    setTimeout(() => requestAnimationFrame(flush), Math.max(0, 120 - (performance.now() - lastDraw)));
  };

  // vars may hold functions, formatted when shown (a duration in the language of the moment).
  function setStatus(key, vars = {}) {
    statusKey = [key, vars];
    const text = t(key, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'function' ? v() : v])));
    status.textContent = text;
    if (key !== 'train.running') live.textContent = text; // not every batch: state changes only
  }

  function setState(next) {
    state = next;
    const active = next === 'running' || next === 'paused' || next === 'starting';
    startButton.disabled = active;
    pauseButton.disabled = !(next === 'running' || next === 'paused');
    stopButton.disabled = !active;
    pauseButton.textContent = t(next === 'paused' ? 'train.resume' : 'train.pause');
    document.getElementById('infer-train').disabled = active;
    app.trainingState = next;
  }

  function blocked() {
    const invalid = invalidControl();
    if (invalid) return t('input.blocked', { key: invalid.key, hint: invalid.hint });
    if (!app.model?.ok) return t('model.blocked');
    if (app.optimizerOk === false) return t('opt.nesterovNeeds');
    if (app.schedulerOk === false) return document.getElementById('sched-warning').textContent;
    return null;
  }

  /** start() trains from scratch; start({init: 'current'}) continues from the loaded weights. */
  function start({ init = 'fresh' } = {}) {
    if (state === 'running' || state === 'paused' || state === 'starting') return;
    const problem = blocked();
    alertEl.hidden = !problem;
    alertEl.textContent = problem ?? '';
    if (problem) return;
    clickedAt = performance.now();
    app.stats = { firstBatchMs: null, rate: null, accuracy: null };
    changed.hidden = true;
    setState('starting');
    setStatus('train.preparing');
    speed.textContent = '';
    shown = null;
    progress.value = 0;
    resetSeries();
    hideOffer();
    autosave = null;
    showAutosave();
    clearAdvice();
    advice.reset(store.all());
    const settings = store.all(), layers = app.model.text;
    slotReady.then(() => trainer.request('train', { settings, layers, init, slot })).catch((error) => {
      onEvent({ type: 'error', error: error.message });
    });
  }
  app.startTraining = start;

  // --- autosave, resume and restore ------------------------------------------------------------
  let slot = null;     // this tab's record key (lib/autosave.js)
  const slotReady = tabSlot().then((key) => { slot = key; }).catch(() => { slot = 'current'; });
  let autosave = null; // the last autosave event of this run
  let restored = null; // the resumed run's last evaluation, shown once its worker model exists
  let offer = null;    // {key, record}: the saved record offered for resuming or restoring
  function showAutosave() {
    autosaveEl.hidden = !autosave;
    if (!autosave) return;
    autosaveEl.classList.toggle('warning', !autosave.ok);
    autosaveEl.classList.toggle('small', autosave.ok);
    autosaveEl.textContent = autosave.ok
      ? t(autosave.phase === 'train' && autosave.batch === 0 ? 'autosave.epoch' : 'autosave.mid',
        { epoch: autosave.phase === 'train' && autosave.batch === 0 ? autosave.epoch - 1 : autosave.epoch, epochs: autosave.epochs,
          batch: autosave.batch, batches: autosave.batches })
      : t('autosave.off', { why: t(`autosave.${autosave.reason}`), detail: autosave.detail ? ` (${autosave.detail})` : '' });
  }
  const pct = (accuracy) => (accuracy === null || accuracy === undefined ? '—' : fmt(accuracy * 100, 2));
  function describeOffer(r) {
    if (r.final) return t('resume.final', { acc: pct(r.accuracy), epoch: r.epoch, epochs: r.epochs });
    const done = r.phase === 'train' && r.batch === 0;
    return done ? t('resume.epoch', { epoch: r.epoch - 1, epochs: r.epochs })
      : t('resume.mid', { epoch: r.epoch, epochs: r.epochs, batch: r.batch, batches: r.batches });
  }
  function showOffer() {
    if (!offer) return;
    resumeEl.querySelector('.text').textContent = describeOffer(offer.record);
    resumeEl.querySelector('[data-action="resume"]').textContent = t(offer.record.final ? 'resume.restore' : 'resume.resume');
    resumeEl.hidden = false;
  }
  function hideOffer() {
    offer = null;
    resumeEl.hidden = true;
  }
  const busy = () => state === 'running' || state === 'paused' || state === 'starting';
  /** Takes up a saved record: its settings come back (the URL follows) and, from another tab, it becomes this tab's. */
  async function adopt(found) {
    hideOffer();
    await slotReady;
    if (slot && found.key !== slot) await moveCheckpoint(found.key, slot).catch(() => {});
    const patch = {};
    for (const [key, value] of Object.entries(found.record.settings)) if (key in SCHEMA && key !== 'lang') patch[key] = value;
    store.set(patch); // the model section rebuilds from them
    return found.record;
  }
  async function resume() {
    if (!offer || busy()) return;
    if (offer.record.final) { await restore(offer); return; }
    const record = await adopt(offer);
    alertEl.hidden = true;
    changed.hidden = true;
    clickedAt = performance.now();
    app.stats = { firstBatchMs: null, rate: null, accuracy: record.accuracy };
    last = { epochs: record.epochs, batches: record.batches, testSize: record.testSize };
    setState('starting');
    setStatus('train.resuming', { epoch: record.epoch, epochs: record.epochs });
    speed.textContent = '';
    shown = null;
    progress.value = record.seen / (record.epochs * record.trainSize);
    resetSeries(record.history);
    advice.reset(record.settings, record.history);
    restored = record.preds ? { epoch: record.history.ex.at(-1), preds: record.preds, accuracy: record.accuracy } : null;
    autosave = null;
    showAutosave();
    document.getElementById('train').scrollIntoView({ block: 'start' });
    trainer.request('train', { settings: record.settings, layers: record.layers, resume: record, slot }).catch((error) => {
      onEvent({ type: 'error', error: error.message });
    });
  }
  /** Brings back a finished (or stopped) run's model with its plots, test results and predictions. */
  async function restore(found) {
    const record = await adopt(found);
    try {
      await trainer.request('restore', { record });
    } catch (error) {
      alertEl.hidden = false;
      alertEl.textContent = t('train.error', { error: error.message });
      return;
    }
    if (busy()) return; // a run started meanwhile: it replaces the restored model
    last = { epochs: record.epochs, batches: record.batches, testSize: record.testSize };
    resetSeries(record.history);
    progress.value = record.stopped ? (record.history.bx.at(-1) ?? 0) / record.epochs : 1;
    setState(record.stopped ? 'stopped' : 'done');
    setStatus(record.stopped ? 'train.restoredStopped' : 'train.restored',
      { acc: pct(record.accuracy), epoch: record.epoch, epochs: record.epochs, time: () => duration(record.seconds) });
    app.stats = { ...app.stats, accuracy: record.accuracy };
    if (record.preds) {
      app.lastEpoch = { epoch: record.epoch, preds: record.preds, accuracy: record.accuracy, test_loss: record.history.testLoss.at(-1) };
      app.emit('epoch', app.lastEpoch);
    }
    app.emit('trained', { restored: true, accuracy: record.accuracy });
    app.restoredRun = record;
  }
  resumeEl.querySelector('[data-action="resume"]').addEventListener('click', resume);
  resumeEl.querySelector('[data-action="discard"]').addEventListener('click', () => {
    const key = offer?.key;
    hideOffer();
    if (key) clearCheckpoint(key).catch(() => {});
  });
  app.resumeRun = resume;
  if (app.shows('train')) {
    app.checkpointSettled = false; // for the tests: true once the saved record is restored or offered (or there is none)
    app.checkpointChecked = slotReady.then(() => findCheckpoint(slot))
      .then(async (found) => {
        if (!found || state !== 'idle') return 'none';
        // This tab's own finished model, with the settings it was trained with: simply back.
        if (found.record.final && found.key === slot && sameRun(found.record.settings, store.all())) {
          await restore(found);
          return 'restored';
        }
        offer = found;
        showOffer();
        return 'offer';
      })
      .catch(() => 'none') // no storage: the worker says so when a run starts
      .finally(() => { app.checkpointSettled = true; });
  }
  // Leaving (closing, reloading, following a link) while a run is in progress asks first;
  // the autosave keeps the run up to its last epoch, but not the epoch in progress.
  addEventListener('beforeunload', (event) => {
    if (!busy()) return;
    event.preventDefault();
    event.returnValue = '';
  });

  // --- advice when a run goes wrong ---------------------------------------------------------------
  const advice = divergenceAdvice();
  let adviceMsg = null; // {parts: [[key, vars], ...], patch: the settings the advice suggests}
  function showAdvice(next) {
    if (next) adviceMsg = next;
    adviceEl.hidden = !adviceMsg;
    adviceEl.querySelector('.text').textContent = adviceMsg ? adviceMsg.parts.map((part) => t(...part)).join(' ') : '';
    const apply = adviceEl.querySelector('button');
    apply.hidden = !adviceMsg?.patch;
    apply.textContent = t('advice.apply', { settings: Object.entries(adviceMsg?.patch ?? {}).map(([k, v]) => `${k} = ${num(v)}`).join(', ') });
  }
  advice.onAdvice = (msg) => { showAdvice(msg); app.advice = msg; };
  const clearAdvice = () => { adviceMsg = null; app.advice = null; showAdvice(); };
  adviceEl.querySelector('button').addEventListener('click', () => {
    const patch = adviceMsg?.patch;
    if (!patch) return;
    if (busy()) trainer.request('stop');
    store.set(patch);
    clearAdvice();
  });

  function onEvent(msg) {
    switch (msg.type) {
      case 'halted': // the worker stopped at the pause; show the last batch it reported
        if (state === 'paused') { flush(); app.workerHalted = true; }
        break;
      case 'started':
        last = { ...msg, epochs: msg.epochs };
        setState('running');
        if (msg.resumed) progress.value = msg.seen / msg.total;
        if (restored) { app.lastEpoch = restored; app.emit('epoch', restored); restored = null; }
        break;
      case 'autosave':
        if (autosave && !autosave.ok) break; // the first failure is the one to explain
        autosave = msg;
        showAutosave();
        break;
      case 'batch': {
        advice.batch(msg);
        if (app.stats.firstBatchMs === null) {
          app.stats.firstBatchMs = performance.now() - clickedAt;
          app.stats.workerFirstBatchMs = msg.firstBatchMs;
        }
        app.stats.rate = msg.rate;
        series.bx.push(msg.epoch - 1 + msg.batch / msg.batches);
        series.loss.push(msg.loss);
        series.lr.push(msg.lr);
        latest = msg;
        scheduleRedraw();
        break;
      }
      case 'evaluating':
        flush();
        setStatus('train.evaluating', { epoch: msg.epoch, epochs: last.epochs, n: fmt(last.testSize) });
        break;
      case 'epoch':
        series.ex.push(msg.epoch);
        series.testLoss.push(msg.test_loss);
        series.acc.push(msg.accuracy * 100);
        app.stats.accuracy = msg.accuracy;
        advice.epoch(msg);
        live.textContent = t('train.epochLive', { epoch: msg.epoch, epochs: last.epochs, acc: pct(msg.accuracy) });
        app.lastEpoch = msg;
        app.emit('epoch', msg);
        scheduleRedraw();
        break;
      case 'nan':
        alertEl.hidden = false;
        alertEl.textContent = t('train.nan', { epoch: msg.epoch, batch: msg.batch, lr: num(msg.lr), suggest: num(msg.lr / 10) });
        break;
      case 'done':
        flush();
        setState('done');
        progress.value = 1;
        speed.textContent = '';
        setStatus('train.done', { acc: pct(msg.accuracy), epochs: last.epochs, time: () => duration(msg.seconds) });
        if (autosave?.ok) { autosave = null; showAutosave(); } // the finished run's checkpoint is gone
        app.emit('trained', msg);
        break;
      case 'stopped':
        flush();
        setState('stopped');
        speed.textContent = '';
        setStatus('train.stopped');
        if (autosave?.ok) { autosave = null; showAutosave(); }
        app.emit('trained', msg);
        break;
      case 'error':
        setState('idle');
        setStatus('train.idle');
        alertEl.hidden = false;
        alertEl.textContent = t('train.error', { error: msg.error });
        break;
      default:
    }
  }
  trainer.on(onEvent);

  startButton.addEventListener('click', () => start());
  pauseButton.addEventListener('click', () => {
    if (state === 'running') { app.workerHalted = false; trainer.request('pause'); setState('paused'); setStatus('train.paused'); showSpeed(); }
    else if (state === 'paused') { app.workerHalted = false; trainer.request('resume'); setState('running'); }
  });
  stopButton.addEventListener('click', () => { trainer.request('stop'); });

  function renderCode() {
    const s = store.all();
    renderCodePair(codeEl, sectionCode('train', s, { t, stepsPerEpoch: Math.ceil(trainCount(s, app.data?.trainLabels.length ?? BUNDLED_TRAIN) / s.batch) }));
  }
  store.on(TRAIN_KEYS, () => {
    renderCode();
    if (state !== 'idle') changed.hidden = false;
  });
  app.on('lang', () => {
    renderCode();
    setStatus(...statusKey);
    setState(state);
    showSpeed();
    relabel();
    describeCharts();
    showAutosave();
    showOffer();
    showAdvice();
  });
  renderCode();
  setState('idle');
  setStatus('train.idle');
  resetSeries();
}
