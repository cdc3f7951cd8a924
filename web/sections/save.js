// sections/save.js: the Save / Load section — download the model's state_dict as .pt or
// .safetensors (the worker runs torch.save and posts the bytes; the page offers them as a
// file), and load such a file back into the current model (the worker runs torch.load and
// load_state_dict, then evaluates it on the test set). A failed load shows kindling's own
// message and leaves the model unchanged. Not here: the autosaved checkpoint (train.js and
// the worker).
import { renderCodePair } from '../lib/code-panel.js';
import { normOf, sectionCode } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';

const active = (app) => ['running', 'paused', 'starting'].includes(app.trainingState);

function kib(bytes) {
  return bytes < 1024 * 1024 ? `${fmt(Math.max(1, Math.round(bytes / 1024)))} KB` : `${fmt(bytes / 1024 / 1024, 1)} MB`;
}

/** The plain-language lead of a load error, from kindling's message. */
function leadOf(message) {
  if (/in loading state_dict|Missing key|Unexpected key|size mismatch/i.test(message)) return 'load.lead.arch';
  if (/expected a state_dict/.test(message)) return 'load.lead.notStateDict';
  if (/^load: /.test(message)) return 'load.lead.corrupt';
  return null;
}

export function init(app) {
  const { store, trainer } = app;
  const saveStatus = document.getElementById('save-status');
  const fileInput = document.getElementById('load-file');
  const loadStatus = document.getElementById('load-status');
  const loadError = document.getElementById('load-error');
  const trainFrom = document.getElementById('load-train');
  const codeEl = document.querySelector('[data-code="save"]');
  let saveMsg = null, loadMsg = null, errorMsg = null; // [key, vars] to redraw on a language switch

  // A load error opens with a plain sentence in the page's language; kindling's own
  // (English) message follows as the detail.
  const show = (el, msg) => {
    el.hidden = !msg;
    el.textContent = msg ? (msg.lead ? `${t(msg.lead, { name: msg[1].name })} ` : '') + t(...msg) : '';
  };
  const redraw = () => { show(saveStatus, saveMsg); show(loadStatus, loadMsg); show(loadError, errorMsg); };

  async function download(format) {
    const s = store.all();
    const name = `model.${format}`;
    try {
      const { bytes, trained, tensors } = await trainer.request('exportWeights', { format, layers: app.model.text, seed: s.seed, norm: normOf(s) });
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 30000);
      saveMsg = [trained ? 'save.saved' : 'save.savedUntrained', { name, size: kib(bytes.length), n: tensors }];
      app.lastSaved = { name, bytes: bytes.length, tensors, trained };
    } catch (error) {
      saveMsg = ['save.failed', { error: error.message }];
    }
    redraw();
  }

  async function load(file) {
    loadMsg = errorMsg = null; // the button to train from loaded weights stays: a failed load changes nothing
    redraw();
    if (active(app)) {
      errorMsg = ['load.busy', {}];
      redraw();
      return;
    }
    loadMsg = ['load.loading', { name: file.name }];
    redraw();
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const s = store.all();
      const r = await trainer.request('importWeights', { bytes, settings: s, layers: app.model.text }, [bytes.buffer]);
      loadMsg = ['load.done', { name: file.name, acc: fmt(r.accuracy * 100, 2), n: fmt(r.testSize) }];
      app.stats = { ...app.stats, accuracy: r.accuracy, loadedAccuracy: r.accuracy };
      app.lastEpoch = { epoch: 0, preds: r.preds, accuracy: r.accuracy, test_loss: r.test_loss, loaded: file.name };
      app.emit('epoch', app.lastEpoch);   // the confusion matrix and the misclassified images
      app.emit('trained', { loaded: true }); // the drawing's prediction
      trainFrom.hidden = false;
    } catch (error) {
      loadMsg = null;
      errorMsg = ['load.error', { name: file.name, error: error.message }];
      errorMsg.lead = leadOf(error.message);
    }
    redraw();
  }

  document.getElementById('save-pt').addEventListener('click', () => download('pt'));
  document.getElementById('save-safetensors').addEventListener('click', () => download('safetensors'));
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    fileInput.value = ''; // choosing the same file again loads it again
    if (file) load(file);
  });
  trainFrom.addEventListener('click', () => {
    document.getElementById('train').scrollIntoView({ block: 'start' });
    app.startTraining({ init: 'current' });
  });

  function renderCode() { renderCodePair(codeEl, sectionCode('save', store.all(), { t })); }
  store.on(['sched'], renderCode);
  app.on('lang', () => { renderCode(); redraw(); });
  renderCode();
  redraw();
}
