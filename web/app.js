// app.js: the tutorial page's entry. Reads the settings from the URL, binds the controls,
// starts the training worker (so the dataset loads while the reader reads), and hands one
// shared context to each section. Writes every change back to the URL. In the embed view
// (?embed=section&hide=...) it shows one section and reports its height to the parent page.
import * as torch from './dist/index.js';
import { keepAnchorInView } from './lib/anchor.js';
import { applyHide, bindControls } from './lib/bind.js';
import { defaultLang, lang, setLang, t } from './lib/i18n.js';
import { SECTIONS, createStore, parseQuery, toQuery } from './lib/state.js';
import { Trainer } from './lib/trainer.js';
import * as dataSection from './sections/data.js';
import * as inferSection from './sections/infer.js';
import * as lossSection from './sections/loss.js';
import * as modelSection from './sections/model.js';
import * as optimizerSection from './sections/optimizer.js';
import * as saveSection from './sections/save.js';
import * as schedulerSection from './sections/scheduler.js';
import * as trainSection from './sections/train.js';

const { settings, view, rejected } = parseQuery(location.search);
const store = createStore(settings);
const listeners = new Map();

const app = {
  torch,
  store,
  view,
  trainer: new Trainer(),
  data: null,          // {dataset, trainLabels, testImages, testLabels, samples} once loaded
  model: null,         // {layers, text, inspection} from the model section
  stats: {},           // numbers the tests and the curious read: firstBatchMs, rate, accuracy
  on(event, fn) {
    if (!listeners.has(event)) listeners.set(event, new Set());
    listeners.get(event).add(fn);
  },
  emit(event, value) { for (const fn of listeners.get(event) ?? []) fn(value); },
  lang,
};
window.kindlingPage = app; // for the browser tests and the console

// --- language -----------------------------------------------------------------------------
function chooseLang(code, remember) {
  setLang(code);
  for (const b of document.querySelectorAll('[data-lang]')) b.setAttribute('aria-pressed', String(b.dataset.lang === code));
  if (remember) store.set({ lang: code });
  app.emit('lang', code);
}
for (const b of document.querySelectorAll('[data-lang]')) b.addEventListener('click', () => chooseLang(b.dataset.lang, true));

// --- the sticky nav's height, for the scroll padding that puts a #section link's heading below it
const nav = document.querySelector('nav.toc');
new ResizeObserver(() => document.documentElement.style.setProperty('--nav-height', `${nav.offsetHeight}px`)).observe(nav);

// --- embed view ---------------------------------------------------------------------------
if (view.embed) {
  document.body.classList.add('embed');
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== view.embed;
}
applyHide(document, view.hide);

// --- URL ------------------------------------------------------------------------------------
let urlTimer = 0;
store.on(null, () => {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => history.replaceState(null, '', toQuery(store.all(), view) + location.hash), 150);
});

document.getElementById('share').addEventListener('click', async () => {
  const url = new URL(toQuery(store.all(), null), location.href).href;
  const status = document.getElementById('share-status');
  try {
    await navigator.clipboard.writeText(url);
    status.textContent = t('hero.copied');
  } catch {
    status.textContent = t('hero.copyFailed');
  }
  setTimeout(() => { status.textContent = ''; }, 2500);
});

// --- start ------------------------------------------------------------------------------------
chooseLang(store.get('lang') ?? defaultLang(navigator.languages ?? [navigator.language]), false);
bindControls(document, store);
if (rejected.length) {
  const banner = document.getElementById('rejected');
  const show = () => { banner.textContent = t('status.rejected', { keys: rejected.join(', ') }); };
  show();
  app.on('lang', show);
  banner.hidden = false;
}

const sections = { data: dataSection, model: modelSection, loss: lossSection, optimizer: optimizerSection,
  scheduler: schedulerSection, train: trainSection, infer: inferSection, save: saveSection };
// Model first: the others read its layers. In the embed view the hidden sections still
// run (the visible one needs their state) but skip their drawing where they can.
for (const name of ['model', ...SECTIONS.filter((s) => s !== 'model')]) sections[name].init(app);

// Report the page height to an embedding parent (embed.js listens for it).
if (view.embed && window.parent !== window) {
  const report = () => window.parent.postMessage({ kindling: 'height', section: view.embed,
    height: Math.ceil(document.documentElement.getBoundingClientRect().height) }, '*');
  new ResizeObserver(report).observe(document.body);
  report();
}
if (!view.embed) keepAnchorInView();
document.documentElement.dataset.ready = 'true';
