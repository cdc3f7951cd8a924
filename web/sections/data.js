// sections/data.js: the Data section — dataset, subset, batch size, normalisation and seed;
// a grid of training images, the class histogram of the chosen training subset, and the
// data-loading code. The worker loads the gzipped IDX files; this module only draws what
// it sends back, and publishes it as app.data (for the loss weights and inference).
import { renderCodePair } from '../lib/code-panel.js';
import { BUNDLED_TRAIN, normOf, sectionCode, trainCount } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { drawGray } from '../lib/images.js';

const HIST_PX = 100; // the tallest bar of the class histogram

export const classNames = (dataset) =>
  Array.from({ length: 10 }, (_, i) => (dataset === 'fashion' ? t(`class.fashion.${i}`) : String(i)));

/** Images per class among the first n training labels. */
export function countClasses(labels, n) {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < Math.min(n, labels.length); i++) counts[labels[i]]++;
  return counts;
}

export function init(app) {
  const { store, trainer } = app;
  const grid = document.getElementById('sample-grid');
  const hist = document.getElementById('class-hist');
  const status = document.getElementById('data-status');
  const codeEl = document.querySelector('[data-code="data"]');
  let loading = null;

  async function load() {
    const dataset = store.get('dataset');
    if (app.data?.dataset === dataset || !app.needsData) return;
    status.textContent = t('data.loading');
    const request = (loading = trainer.request('load', { dataset }));
    try {
      const result = await request;
      if (request !== loading) return;
      app.data = { dataset, ...result };
      drawSubsetLabel();
      status.textContent = '';
      drawAll();
      app.emit('data', app.data);
    } catch (error) {
      if (request === loading) status.textContent = t('data.loadFailed', { error: error.message });
    }
  }

  function drawGrid() {
    const d = app.data;
    if (!d) return;
    const ctx = grid.getContext('2d');
    const names = classNames(d.dataset);
    const cols = 8, scale = 2, size = 28 * scale;
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, grid.width, grid.height);
    for (let i = 0; i < 32; i++) {
      const x = (i % cols) * size, y = Math.floor(i / cols) * size;
      drawGray(ctx, d.samples.subarray(i * 784, (i + 1) * 784), 28, 28, x, y, scale);
      ctx.font = '600 11px system-ui, sans-serif';
      const label = names[d.trainLabels[i]];
      const w = ctx.measureText(label).width + 6;
      ctx.fillStyle = 'rgba(0,0,0,0.6)';
      ctx.fillRect(x, y, w, 14);
      ctx.fillStyle = '#ffd43b';
      ctx.fillText(label, x + 3, y + 11);
    }
  }

  function drawHist() {
    const d = app.data;
    if (!d) return;
    const counts = countClasses(d.trainLabels, trainCount(store.all(), d.trainLabels.length));
    const max = Math.max(...counts);
    const names = classNames(d.dataset);
    // Heights from zero, in pixels: proportional to the counts (697 and 886 must look different).
    hist.replaceChildren(...counts.map((c, i) => {
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.setAttribute('role', 'img');
      bar.setAttribute('aria-label', `${names[i]}: ${c}`);
      bar.innerHTML = '<span></span><i></i><b></b>';
      bar.querySelector('span').textContent = fmt(c);
      bar.querySelector('i').style.height = `${max ? Math.round((c / max) * HIST_PX) : 0}px`;
      bar.querySelector('b').textContent = d.dataset === 'fashion' ? i : names[i];
      bar.title = names[i];
      return bar;
    }));
  }

  function drawInfo() {
    const s = store.all();
    const norm = normOf(s);
    const r = (v) => fmt(Math.round(v * 1000) / 1000);
    document.getElementById('norm-info').textContent = t('data.normInfo', {
      lo: r(norm ? (0 - norm[0]) / norm[1] : 0), hi: r(norm ? (1 - norm[0]) / norm[1] : 1) });
    document.getElementById('batches-info').textContent = t('data.batches', { n: fmt(Math.ceil(trainCount(s, app.data?.trainLabels.length ?? BUNDLED_TRAIN) / s.batch)), batch: s.batch });
  }

  function renderCode() { renderCodePair(codeEl, sectionCode('data', store.all(), { t })); }

  function drawSubsetLabel() {
    const all = document.querySelector('[data-setting="subset"] option[value="0"]');
    all.textContent = t('data.subset.all', { n: fmt(app.data?.trainLabels.length ?? BUNDLED_TRAIN) });
  }

  function drawAll() {
    drawSubsetLabel(); drawGrid(); drawHist(); drawInfo(); renderCode(); }

  store.on(['dataset'], load);
  store.on(['subset', 'batch', 'norm', 'seed', 'dataset'], () => { drawHist(); drawInfo(); renderCode(); });
  app.on('lang', drawAll);
  drawSubsetLabel();
  drawInfo();
  renderCode();
  load();
}
