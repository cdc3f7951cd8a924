// sections/scheduler.js: the Scheduler section — the lr curve over epochs, recomputed on
// every argument change by stepping kindling's own scheduler on a throw-away optimizer of
// the chosen kind (so the curve is exactly what training will do), the mode / metric
// check of ReduceLROnPlateau, and the code.
import { COLORS, lineChart } from '../lib/charts.js';
import { renderCodePair } from '../lib/code-panel.js';
import { BUNDLED_TRAIN, num, optimizerSpec, schedulerSpec, sectionCode, trainCount } from '../lib/codegen.js';
import { t } from '../lib/i18n.js';

/** A made-up validation curve that improves, then plateaus (for ReduceLROnPlateau's demo). */
export function demoMetric(monitor, epoch) {
  const loss = 0.3 + 0.7 * Math.exp(-epoch / 6) + 0.015 * Math.sin(epoch * 1.9);
  return monitor === 'test_acc' ? 1 - loss * 0.8 : loss;
}

/** lr at the start of each epoch 0..epochs (and the metric passed, for ReduceLROnPlateau). */
export function lrCurve(torch, s, epochs) {
  const p = torch.zeros([1], { requires_grad: true });
  try {
    const { name, args } = optimizerSpec(s);
    const optimizer = new torch.optim[name]([p], Object.fromEntries(args));
    const perEpoch = Math.max(10, Math.ceil(200 / epochs)); // OneCycleLR's shape depends only on the fraction of the run done
    const spec = schedulerSpec(s, { epochs, stepsPerEpoch: perEpoch });
    const scheduler = spec ? new torch.optim.lr_scheduler[spec.name](optimizer, Object.fromEntries(spec.args)) : null;
    const xs = [0], lrs = [optimizer.param_groups[0].lr], metrics = [null];
    for (let e = 1; e <= epochs; e++) {
      if (spec?.perBatch) {
        for (let b = 1; b <= perEpoch; b++) {
          optimizer.step();
          if (e === epochs && b === perEpoch) break; // OneCycleLR has exactly epochs * steps steps
          scheduler.step();
          xs.push(e - 1 + b / perEpoch);
          lrs.push(optimizer.param_groups[0].lr);
          metrics.push(null);
        }
        continue;
      }
      optimizer.step();
      let metric = null;
      if (spec?.name === 'ReduceLROnPlateau') scheduler.step((metric = demoMetric(s.monitor, e - 1)));
      else if (scheduler) scheduler.step();
      xs.push(e);
      lrs.push(optimizer.param_groups[0].lr);
      metrics.push(metric);
    }
    if (spec?.name === 'ReduceLROnPlateau') metrics[metrics.length - 1] = demoMetric(s.monitor, epochs);
    for (const state of optimizer.state.values())
      for (const v of Object.values(state)) if (v instanceof torch.Tensor && !v.is_disposed) v.dispose();
    return { xs, lrs, metrics };
  } finally {
    p.dispose();
  }
}

/**
 * Settings that cannot act within the training run, as [i18n key, vars]: the lr of epoch
 * e + 1 is curve.lrs[e], so a schedule whose first change comes at or after the last
 * epoch never changes the lr the run uses. ReduceLROnPlateau depends on the real metric:
 * the earliest it can lower the lr is after epoch patience + 2 (the first step sets the
 * best value; patience + 1 worse epochs follow). CosineAnnealingLR with T_max past the run
 * acts, but only partly, and says how far it gets.
 */
export function reachNote(s, curve) {
  if (s.sched === 'none' || s.sched === 'OneCycleLR') return null;
  const lr = num(curve.lrs[0]), epochs = s.epochs;
  if (s.sched === 'ReduceLROnPlateau')
    return epochs <= s.patience + 2 ? ['sched.noEffect.plateau', { patience: s.patience, first: s.patience + 2, epochs }] : null;
  const first = curve.lrs.findIndex((v, i) => i > 0 && Math.abs(v - curve.lrs[0]) > 1e-12 * curve.lrs[0]);
  if (first !== -1 && first < epochs) {
    if (s.sched === 'CosineAnnealingLR' && s.T_max > epochs)
      return ['sched.partial.cosine', { T_max: s.T_max, epochs, lr, last: num(+curve.lrs[epochs - 1].toPrecision(3)) }];
    return null;
  }
  if (s.sched === 'StepLR') return ['sched.noEffect.step', { step: s.step_size, epochs, lr }];
  if (s.sched === 'MultiStepLR') return ['sched.noEffect.milestones', { milestones: s.milestones, epochs, lr }];
  return ['sched.noEffect.other', { name: s.sched, epochs, lr }];
}

export function init(app) {
  const { store, torch } = app;
  const codeEl = document.querySelector('[data-code="scheduler"]');
  const warning = document.getElementById('sched-warning');
  const info = document.getElementById('sched-info');
  const trainNote = document.getElementById('train-sched-note'); // the same note where the epochs are chosen
  let chart = null, logY = null, curve = null;

  function draw() {
    const s = store.all();
    // OneCycleLR spans exactly the training run; the others are drawn over "epochs shown".
    const epochs = s.sched === 'OneCycleLR' ? s.epochs : Math.max(s.curve_epochs, s.epochs);
    const messages = [];
    try {
      curve = lrCurve(torch, s, epochs);
      app.schedulerOk = true;
    } catch (error) {
      app.schedulerOk = false;
      messages.push(error.message);
      curve = null;
    }
    if (s.sched === 'ReduceLROnPlateau') {
      const want = s.monitor === 'test_acc' ? 'max' : 'min';
      if (s.mode !== want) messages.push(t('sched.modeMismatch', { mode: s.mode, want, metric: t(`sched.monitor.${s.monitor}`) }));
    }
    const reach = curve ? reachNote(s, curve) : null;
    if (reach) messages.push(t(...reach));
    warning.hidden = !messages.length;
    warning.textContent = messages.join(' ');
    trainNote.hidden = !reach;
    trainNote.textContent = reach ? t(...reach) : '';
    info.textContent = t('sched.trainMark', { epochs: s.epochs });
    if (!curve) return;
    const positive = curve.lrs.every((v) => v > 0);
    const ratio = positive ? Math.max(...curve.lrs) / Math.min(...curve.lrs) : 0;
    const wantLog = positive && ratio > 30;
    const el = document.getElementById('sched-plot');
    if (!chart || wantLog !== logY) {
      chart?.destroy();
      logY = wantLog;
      chart = lineChart(el, {
        series: [{ label: 'lr', color: COLORS[0], width: 2.5, stepped: 1 }, { label: t('sched.metric'), color: COLORS[4], scale: 'y2', dash: [5, 4] }],
        axes: { x: t('sched.epoch'), y: 'lr', y2: t('sched.metric') }, logY: wantLog, height: 240,
        draw: (u) => { // shade the epochs the training run will use
          const x0 = u.valToPos(0, 'x', true), x1 = u.valToPos(store.get('epochs'), 'x', true);
          u.ctx.save();
          u.ctx.fillStyle = 'rgba(194, 65, 12, 0.08)';
          u.ctx.fillRect(x0, u.bbox.top, Math.max(0, x1 - x0), u.bbox.height);
          u.ctx.restore();
        },
      });
    }
    chart.setLabels(['lr', t('sched.metric')], { x: t('sched.epoch'), y: 'lr', y2: t('sched.metric') });
    const plateau = s.sched === 'ReduceLROnPlateau';
    chart.chart.setSeries(2, { show: plateau });
    const entry = chart.chart.root.querySelectorAll('.u-legend .u-series')[2];
    if (entry) entry.style.display = plateau ? '' : 'none';
    chart.setData([curve.xs, curve.lrs, curve.metrics]);
    const used = curve.lrs.slice(0, s.sched === 'OneCycleLR' ? undefined : s.epochs); // the lrs of the training run's epochs
    el.setAttribute('aria-label', t('sched.altNow', { name: s.sched === 'none' ? t('sched.none') : s.sched, epochs,
      first: num(curve.lrs[0]), last: num(+curve.lrs.at(-1).toPrecision(3)), train: s.epochs,
      min: num(+Math.min(...used).toPrecision(3)), max: num(+Math.max(...used).toPrecision(3)) }));
  }

  function renderCode() {
    const s = store.all();
    const batches = Math.ceil(trainCount(s, app.data?.trainLabels.length ?? BUNDLED_TRAIN) / s.batch);
    renderCodePair(codeEl, sectionCode('scheduler', s, { t, stepsPerEpoch: batches }));
  }

  const keys = ['sched', 'step_size', 'gamma', 'milestones', 'exp_gamma', 'mode', 'factor', 'patience', 'threshold', 'cooldown',
    'min_lr', 'monitor', 'T_max', 'eta_min', 'T_0', 'T_mult', 'start_factor', 'end_factor', 'total_iters', 'max_lr', 'pct_start',
    'curve_epochs', 'epochs', 'opt', 'lr', 'momentum', 'beta1', 'beta2', 'alpha', 'weight_decay', 'nesterov'];
  store.on(keys, () => { draw(); renderCode(); });
  store.on(['subset', 'batch'], renderCode);
  app.on('data', renderCode);
  app.on('lang', () => { draw(); renderCode(); });
  draw();
  renderCode();
  app.lrCurve = () => curve; // for tests and the console
}
