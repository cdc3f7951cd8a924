// app.js: the tutorial page's entry. Reads the settings from the URL, binds the controls and
// hands one shared context to each section (the data section has the training worker load
// the dataset at once, while the reader reads). Writes every change back to the URL. In the
// embed view (?embed=section,...&hide=...) it shows those sections (lib/embed-view.js).
import * as torch from './dist/index.js';
import { keepAnchorInView } from './lib/anchor.js';
import { applyHide, bindControls } from './lib/bind.js';
import { showEmbedView } from './lib/embed-view.js';
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
  /** Whether a section is on screen: all on the full page, the chosen ones in an embed. */
  shows: (name) => !view.embed || view.embed.includes(name),
  /** Whether the dataset (and so the worker) is needed: an embedded scheduler loads neither. */
  needsData: !view.embed || view.embed.some((name) => ['data', 'train', 'infer', 'save'].includes(name)),
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

// --- URL ------------------------------------------------------------------------------------
/** The full page's address with the current settings (no embed, no hide), plus a #section. */
const fullPageUrl = (hash = '') => new URL(toQuery(store.all(), null) + hash, location.href).href;
let urlTimer = 0;
store.on(null, () => {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => history.replaceState(null, '', toQuery(store.all(), view) + location.hash), 150);
});

// "Copy link" in the header and in the embed view's bar.
for (const button of document.querySelectorAll('[data-copy-link]')) {
  button.addEventListener('click', async () => {
    const status = button.parentElement.querySelector('.copy-status');
    try {
      await navigator.clipboard.writeText(fullPageUrl());
      status.textContent = t('hero.copied');
    } catch {
      status.textContent = t(view.embed ? 'embed.copyFailed' : 'hero.copyFailed');
    }
    setTimeout(() => { status.textContent = ''; }, 2500);
  });
}

// --- embed view ---------------------------------------------------------------------------
if (view.embed) store.on(null, showEmbedView(view, fullPageUrl));
applyHide(document, view.hide);

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
// run (the visible ones need their state) but skip their drawing where they can, and load
// no data and start no worker unless a visible section needs them.
for (const name of ['model', ...SECTIONS.filter((s) => s !== 'model')]) sections[name].init(app);

if (!view.embed) keepAnchorInView();
document.documentElement.dataset.ready = 'true';
