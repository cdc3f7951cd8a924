// sections/loss.js: the Loss section — CrossEntropyLoss's arguments tried live on a fixed
// batch (4 samples, 3 classes) with every number computed by kindling, the Softmax(dim)
// demo, and L1 / MSE / Smooth L1 plotted side by side. The CE arguments chosen here are
// also the training criterion's (codegen + worker).
import { lineChart, COLORS } from '../lib/charts.js';
import { renderCodePair } from '../lib/code-panel.js';
import { sectionCode, trainCount } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { scratch } from '../lib/scratch.js';
import { countClasses } from './data.js';

const LOGITS = [[2.0, 0.5, -1.0], [0.3, 1.6, 0.2], [1.2, 0.4, 0.9], [-0.4, 0.8, 1.1]];
const TARGETS = [0, 1, 2, 1];
const TOY_COUNTS = [300, 2000, 700];
const SCORES = [[1.0, 2.0, 0.5], [3.0, 0.2, 0.1]];

const f4 = (v) => fmt(Math.round(v * 10000) / 10000, 4);

export function init(app) {
  const { store, torch } = app;
  const { nn } = torch;
  const demo = document.getElementById('ce-demo');
  const result = document.getElementById('ce-result');
  const explain = document.getElementById('ce-explain');
  const codeEl = document.querySelector('[data-code="loss"]');
  let regChart = null;

  function ceOptions(s, T, counts) {
    const options = {};
    if (s.ce_weight === 'inverse') {
      const c = T(torch.tensor(counts, { dtype: 'float32' }));
      const inverse = T(c.pow(-1));
      options.weight = T(inverse.div(T(inverse.sum())));
    }
    if (s.ignore_index !== -100) options.ignore_index = s.ignore_index;
    if (s.label_smoothing) options.label_smoothing = s.label_smoothing;
    return options;
  }

  function drawDemo() {
    const s = store.all();
    const out = scratch(torch, (T) => {
      const logits = T(torch.tensor(LOGITS));
      const target = T(torch.tensor(TARGETS, { dtype: 'int64' }));
      const options = ceOptions(s, T, TOY_COUNTS);
      const weights = options.weight ? Array.from(options.weight.toTypedArray()) : [1, 1, 1];
      const perSample = T(new nn.CrossEntropyLoss({ ...options, reduction: 'none' }))(logits, target);
      T(perSample);
      const criterion = T(new nn.CrossEntropyLoss({ ...options, reduction: s.reduction }));
      const value = T(criterion(logits, target));
      const probs = T(logits.softmax(1));
      return { weights, perSample: Array.from(perSample.toTypedArray()), value: Array.from(value.toTypedArray()),
        probs: probs.tolist() };
    });
    const head = `<tr><th>${t('loss.col.sample')}</th><th>${t('loss.col.logits')}</th><th>${t('loss.col.target')}</th>` +
      `<th>${t('loss.col.prob')}</th><th>${t('loss.col.weight')} w</th><th>w·${t('loss.col.loss')}</th></tr>`;
    const rows = LOGITS.map((row, i) => {
      const ignored = TARGETS[i] === s.ignore_index;
      return `<tr class="${ignored ? 'ignored' : ''}"><td>${i}</td><td>[${row.map((v) => v.toFixed(1)).join(', ')}]</td>` +
        `<td>${TARGETS[i]}</td><td>${f4(out.probs[i][TARGETS[i]])}</td>` +
        `<td>${ignored ? t('loss.ignored') : f4(out.weights[TARGETS[i]])}</td><td>${f4(out.perSample[i])}</td></tr>`;
    });
    demo.innerHTML = `<thead>${head}</thead><tbody>${rows.join('')}</tbody>`;
    const kept = TARGETS.map((y, i) => (y === s.ignore_index ? null : i)).filter((i) => i !== null);
    const num = kept.reduce((a, i) => a + out.perSample[i], 0);
    const den = kept.reduce((a, i) => a + out.weights[TARGETS[i]], 0);
    if (s.reduction === 'none') {
      result.textContent = `${t('loss.result')} tensor([${out.value.map(f4).join(', ')}])`;
      explain.innerHTML = t('loss.explain.none');
    } else {
      result.textContent = `${t('loss.result')} ${f4(out.value[0])}`;
      explain.textContent = s.reduction === 'mean' ? t('loss.explain.mean', { num: f4(num), den: f4(den), value: f4(num / den) })
        : t('loss.explain.sum', { value: f4(num) });
    }
  }

  function drawSoftmax() {
    const dim = store.get('softmax_dim');
    const probs = scratch(torch, (T) => {
      const x = T(torch.tensor(SCORES));
      return T(T(new nn.Softmax({ dim }))(x)).tolist();
    });
    const rowSums = probs.map((r) => r.reduce((a, b) => a + b, 0));
    const colSums = [0, 1, 2].map((j) => probs[0][j] + probs[1][j]);
    const cell = (v, hot) => `<td class="${hot ? 'hot' : ''}">${fmt(Math.round(v * 1000) / 1000, 3)}</td>`;
    document.getElementById('softmax-scores').innerHTML = `<caption class="small">${t('loss.softmax.scores')}</caption>` +
      `<tbody>${SCORES.map((r) => `<tr>${r.map((v) => `<td>${v.toFixed(1)}</td>`).join('')}</tr>`).join('')}</tbody>`;
    document.getElementById('softmax-probs').innerHTML = `<caption class="small">${t('loss.softmax.probs', { dim })}</caption>` +
      `<thead><tr><th></th><th>0</th><th>1</th><th>2</th><th>${t('loss.softmax.rowsum')}</th></tr></thead><tbody>` +
      probs.map((r, i) => `<tr><th>${i}</th>${r.map((v) => cell(v)).join('')}${cell(rowSums[i], dim === 1)}</tr>`).join('') +
      `<tr><th>${t('loss.softmax.colsum')}</th>${colSums.map((v) => cell(v, dim === 0)).join('')}<td></td></tr></tbody>`;
    const verdict = document.getElementById('softmax-verdict');
    verdict.textContent = t(dim === 1 ? 'loss.softmax.ok' : 'loss.softmax.bad');
    verdict.style.color = dim === 1 ? 'var(--ok)' : 'var(--error)';
  }

  function drawRegression() {
    const beta = store.get('beta');
    const xs = Array.from({ length: 121 }, (_, i) => -3 + i * 0.05);
    const curves = scratch(torch, (T) => {
      const pred = T(torch.tensor(xs));
      const target = T(torch.zeros([xs.length]));
      const run = (m) => Array.from(T(T(m)(pred, target)).toTypedArray());
      return [run(new nn.L1Loss({ reduction: 'none' })), run(new nn.MSELoss({ reduction: 'none' })),
        run(new nn.SmoothL1Loss({ reduction: 'none', beta }))];
    });
    const el = document.getElementById('reg-plot');
    if (!regChart) {
      regChart = lineChart(el, {
        series: [{ label: 'L1Loss', color: COLORS[0] }, { label: 'MSELoss', color: COLORS[1] },
          { label: `SmoothL1Loss(beta=${beta})`, color: COLORS[2], width: 3 }],
        axes: { x: t('loss.reg.error'), y: t('train.loss') }, yRange: [0, 4.5], height: 240,
      });
    }
    regChart.setLabels(['L1Loss', 'MSELoss', `SmoothL1Loss(beta=${beta})`], { x: t('loss.reg.error'), y: t('train.loss') });
    regChart.setData([xs, ...curves]);
  }

  const softmaxCodeEl = document.querySelector('[data-code="softmax"]');
  const regressionCodeEl = document.querySelector('[data-code="regression"]');
  function renderDemoCode() {
    renderCodePair(softmaxCodeEl, sectionCode('softmax', store.all(), { t }));
    renderCodePair(regressionCodeEl, sectionCode('regression', store.all(), { t }));
  }

  function renderCode() {
    const counts = app.data ? countClasses(app.data.trainLabels, trainCount(store.all(), app.data.trainLabels.length)) : null;
    renderCodePair(codeEl, sectionCode('loss', store.all(), { t, counts }));
  }

  store.on(['ce_weight', 'ignore_index', 'reduction', 'label_smoothing'], () => { drawDemo(); renderCode(); });
  store.on(['softmax_dim'], () => { drawSoftmax(); renderDemoCode(); });
  store.on(['beta'], () => { drawRegression(); renderDemoCode(); });
  store.on(['subset'], renderCode);
  app.on('data', renderCode);
  app.on('lang', () => { drawDemo(); drawSoftmax(); drawRegression(); renderCode(); renderDemoCode(); });
  renderDemoCode();
  drawDemo();
  drawSoftmax();
  drawRegression();
  renderCode();
}
