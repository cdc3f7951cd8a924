// sections/infer.js: the Inference section — a drawing canvas whose class probabilities
// update while drawing (the worker runs the model; at most one request in flight), the
// confusion matrix and misclassified test images after each epoch, and the first layer's
// filters with their feature maps for the drawing.
import { renderCodePair } from '../lib/code-panel.js';
import { normOf, sectionCode } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { canvasToMnist, drawDiverging, drawGray } from '../lib/images.js';
import { classNames } from './data.js';

export function init(app) {
  const { store, trainer } = app;
  const canvas = document.getElementById('draw');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const probsEl = document.getElementById('probs');
  const prediction = document.getElementById('prediction');
  const untrained = document.getElementById('infer-untrained');
  const codeEl = document.querySelector('[data-code="infer"]');
  let inFlight = false, again = false, lastResult = null, lastEpoch = null, sampleIndex = 0;

  function clear() {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    lastResult = null;
    drawProbs(null);
    requestFeatures(null);
  }

  // --- drawing ------------------------------------------------------------------------------
  let drawing = false, lastPoint = null;
  const point = (event) => {
    const r = canvas.getBoundingClientRect();
    return [((event.clientX - r.left) / r.width) * canvas.width, ((event.clientY - r.top) / r.height) * canvas.height];
  };
  function stroke(from, to) {
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(...from);
    ctx.lineTo(...to);
    ctx.stroke();
  }
  canvas.addEventListener('pointerdown', (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    lastPoint = point(event);
    stroke(lastPoint, lastPoint);
    predictSoon();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!drawing) return;
    const p = point(event);
    stroke(lastPoint, p);
    lastPoint = p;
    predictSoon();
  });
  const end = () => { if (drawing) { drawing = false; predictSoon(); } };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  canvas.addEventListener('keydown', (event) => {
    if (event.key === 'Delete' || event.key === 'Backspace' || event.key === 'Escape') { clear(); event.preventDefault(); }
  });
  document.getElementById('draw-clear').addEventListener('click', clear);
  document.getElementById('draw-sample').addEventListener('click', () => {
    const d = app.data;
    if (!d) return;
    const i = (sampleIndex = (sampleIndex * 7919 + 17) % d.testLabels.length);
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    drawGray(small.getContext('2d'), d.testImages.subarray(i * 784, (i + 1) * 784), 28, 28, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
    predictSoon();
  });
  document.getElementById('infer-train').addEventListener('click', () => app.startTraining());

  // --- prediction -----------------------------------------------------------------------------
  // app.predicting is true until the prediction shown is the one for the canvas as it is now.
  function predictSoon() {
    if (inFlight) { again = true; return; }
    const pixels = canvasToMnist(canvas);
    if (!pixels) { drawProbs(null); return; }
    inFlight = true;
    app.predicting = true;
    predict(pixels).finally(() => {
      inFlight = false;
      if (again) { again = false; predictSoon(); } else app.predicting = false;
    });
  }

  async function predict(pixels) {
    if (!app.model?.ok && !app.trained) return;
    const s = store.all();
    try {
      const result = await trainer.request('predict', { pixels, layers: app.model.text, seed: s.seed, norm: normOf(s), features: true });
      lastResult = result;
      drawProbs(result);
      drawFeatures(result.features);
      untrained.hidden = result.trained;
    } catch (error) {
      prediction.textContent = error.message;
    }
  }

  function requestFeatures(pixels) {
    if ((!app.model?.ok && !app.trained) || !app.shows('infer')) return;
    const s = store.all();
    trainer.request('predict', { pixels: pixels ?? new Float32Array(784), layers: app.model.text, seed: s.seed, norm: normOf(s), features: true })
      .then((result) => { drawFeatures(result.features, !pixels); untrained.hidden = result.trained; })
      .catch(() => {});
  }

  function drawProbs(result) {
    const names = classNames(store.get('dataset'));
    probsEl.classList.toggle('long-names', names.some((n) => n.length > 2));
    const probs = result?.probs ?? new Array(10).fill(0);
    const top = result ? probs.indexOf(Math.max(...probs)) : -1;
    if (probsEl.children.length !== 10) {
      probsEl.replaceChildren(...names.map(() => {
        const row = document.createElement('div');
        row.className = 'prob';
        row.setAttribute('role', 'listitem');
        row.innerHTML = '<span class="name"></span><span class="track"><span class="fill"></span></span><span class="pct"></span>';
        return row;
      }));
    }
    [...probsEl.children].forEach((row, i) => {
      row.classList.toggle('best', i === top);
      row.querySelector('.name').textContent = names[i];
      row.querySelector('.fill').style.width = `${(probs[i] * 100).toFixed(1)}%`;
      row.querySelector('.pct').textContent = result ? `${fmt(probs[i] * 100, 1)}%` : '';
    });
    prediction.textContent = result ? t('infer.prediction', { label: names[top], p: fmt(probs[top] * 100, 1) }) : t('infer.noPrediction');
    prediction.dataset.label = result ? String(top) : '';
    app.lastPrediction = result ? top : null;
  }

  // --- first layer ------------------------------------------------------------------------------
  let featuresKind = 'conv';
  const drawFeaturesText = () => {
    document.getElementById('filters-text').textContent = t(featuresKind === 'linear' ? 'infer.noConv' : 'infer.filtersP');
  };
  function drawFeatures(features, blank = false) {
    const filters = document.getElementById('filters');
    const maps = document.getElementById('feature-maps');
    featuresKind = features?.kind ?? 'conv';
    drawFeaturesText();
    if (!features) { filters.hidden = maps.hidden = true; return; }
    filters.hidden = false;
    const [cout, cin, kh, kw] = features.filterShape;
    const n = Math.min(cout, features.kind === 'linear' ? 16 : 32);
    const cell = features.kind === 'linear' ? 56 : Math.max(36, kh * 8), gap = 6;
    const cols = Math.min(n, features.kind === 'linear' ? 8 : 16);
    filters.width = cols * (cell + gap);
    filters.height = Math.ceil(n / cols) * (cell + gap);
    const fctx = filters.getContext('2d');
    fctx.clearRect(0, 0, filters.width, filters.height);
    for (let i = 0; i < n; i++) {
      const w = features.filters.subarray(i * cin * kh * kw, i * cin * kh * kw + kh * kw); // input channel 0
      drawDiverging(fctx, w, kw, kh, (i % cols) * (cell + gap), Math.floor(i / cols) * (cell + gap), cell / kw);
    }
    if (features.kind !== 'conv' || blank) { maps.hidden = true; return; }
    maps.hidden = false;
    const [, c, h, wd] = features.mapShape;
    const m = Math.min(c, 32);
    const scale = wd <= 16 ? 3 : 2;
    const mcols = Math.min(m, 8);
    maps.width = mcols * (wd * scale + gap);
    maps.height = Math.ceil(m / mcols) * (h * scale + gap);
    const mctx = maps.getContext('2d');
    mctx.clearRect(0, 0, maps.width, maps.height);
    for (let i = 0; i < m; i++) {
      const v = features.maps.subarray(i * h * wd, (i + 1) * h * wd);
      let lo = Infinity, hi = -Infinity;
      for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
      drawGray(mctx, v, wd, h, (i % mcols) * (wd * scale + gap), Math.floor(i / mcols) * (h * scale + gap), scale, [lo, hi]);
    }
  }

  // --- test-set results -------------------------------------------------------------------------
  function drawConfusion() {
    const table = document.getElementById('confusion');
    const wrong = document.getElementById('wrong');
    const wrongLegend = document.getElementById('wrong-legend');
    wrongLegend.textContent = '';
    const d = app.data;
    if (!lastEpoch || !d || lastEpoch.dataset !== d.dataset) {
      table.innerHTML = `<tbody><tr><td class="small" style="width:auto">${t('infer.noneYet')}</td></tr></tbody>`;
      wrong.textContent = t('infer.noneYet');
      return;
    }
    const names = classNames(d.dataset);
    const m = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const preds = lastEpoch.preds;
    const misses = [];
    for (let i = 0; i < preds.length; i++) {
      m[d.testLabels[i]][preds[i]]++;
      if (preds[i] !== d.testLabels[i] && misses.length < 24) misses.push(i);
    }
    const max = Math.max(...m.flat());
    // Class names in full: the column headers of long names (Fashion-MNIST) stand upright.
    table.classList.toggle('long-names', names.some((n) => n.length > 2));
    let html = `<thead><tr><th class="corner">${t('infer.true')} \\ ${t('infer.pred')}</th>${names.map((n) => `<th scope="col"><span>${n}</span></th>`).join('')}</tr></thead><tbody>`;
    m.forEach((row, i) => {
      html += `<tr><th scope="row">${names[i]}</th>`;
      row.forEach((v, j) => {
        const a = v ? 0.12 + 0.88 * Math.sqrt(v / max) : 0;
        const color = i === j ? `rgba(26,127,55,${a})` : `rgba(194,65,12,${a})`;
        html += `<td style="background:${color};color:${a > 0.55 ? '#fff' : 'inherit'}">${v || ''}</td>`;
      });
      html += '</tr>';
    });
    table.innerHTML = `${html}</tbody>`;
    wrongLegend.textContent = t('infer.wrongLegend');
    wrong.replaceChildren(...misses.map((i) => {
      const fig = document.createElement('figure');
      const c = document.createElement('canvas');
      c.width = c.height = 28;
      drawGray(c.getContext('2d'), d.testImages.subarray(i * 784, (i + 1) * 784), 28, 28, 0, 0);
      const caption = t('infer.wrongCaption', { t: names[d.testLabels[i]], p: names[preds[i]] });
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', caption);
      fig.title = caption;
      const cap = document.createElement('figcaption');
      cap.textContent = `${names[d.testLabels[i]]} → ${names[preds[i]]}`;
      fig.append(c, cap);
      return fig;
    }));
  }

  app.on('epoch', (msg) => {
    lastEpoch = { preds: msg.preds, dataset: store.get('dataset') };
    app.trained = true;
    drawConfusion();
    if (lastResult) predictSoon(); else requestFeatures(null);
  });
  app.on('trained', () => { app.trained = true; predictSoon(); if (!lastResult) requestFeatures(null); });
  app.on('data', drawConfusion);
  app.on('model', () => { if (!app.trained) requestFeatures(null); });
  // "Draw a digit" only where the classes are digits.
  function drawTexts() {
    const fashion = store.get('dataset') === 'fashion';
    document.getElementById('infer-p1').innerHTML = t(fashion ? 'infer.p1.fashion' : 'infer.p1');
    canvas.setAttribute('aria-label', t(fashion ? 'infer.canvas.fashion' : 'infer.canvas'));
  }
  store.on(['dataset'], () => { drawTexts(); drawProbs(lastResult); });
  app.on('lang', () => { drawTexts(); drawProbs(lastResult); drawConfusion(); renderCode(); drawFeaturesText(); });
  drawTexts();
  function renderCode() { renderCodePair(codeEl, sectionCode('infer', store.all(), { t })); }

  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  drawProbs(null);
  drawConfusion();
  renderCode();
  requestFeatures(null);
}
