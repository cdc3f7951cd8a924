// web-checkpoint.test.js: the tutorial page's Save / Load section, its autosaved
// checkpoint and its determinism, in Debian's chromium driven by playwright-core:
// - .pt and .safetensors downloads load back into a fresh page with the very test accuracy
//   the page trained to (and the .pt into real PyTorch, when /usr/bin/python3 has torch);
//   a corrupt file and another architecture's file show kindling's error and change nothing;
// - a run interrupted by a reload after epoch 2 of 3, or while paused mid-epoch 2, resumes
//   from IndexedDB and finishes with the same per-batch losses, bit for bit, as a run never
//   interrupted; without IndexedDB, or with a full quota, the page says "Autosave is off"
//   and training still completes;
// - the same seed gives the same per-batch losses across page loads and in Node, through
//   the page's generated kindling code.
// Shares the server / browser setup with web.test.js (web-helpers.js). Needs dist/, data/
// and /usr/bin/chromium.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, ready, root, startBrowser, watch } from './web-helpers.js';

let browser, base, page;
const consoleErrors = [];
const dialogs = []; // "Leave site?" questions: accepted, so that a reload mid-run goes ahead

/** Accepts (and records) the page's beforeunload question. */
const acceptLeaving = (p) => p.on('dialog', (d) => { dialogs.push(d.type()); d.accept().catch(() => {}); });

before(async () => {
  browser = await startBrowser('web-checkpoint.test.js', { acceptDownloads: true });
  ({ base, page } = browser);
  watch(page, consoleErrors);
  acceptLeaving(page);
  mkdirSync(OUT, { recursive: true });
});
after(async () => { await browser?.close(); });

const MLP_DROPOUT = 'Flatten~Linear:784,64~ReLU~Dropout:0.2~Linear:64,10';
const state = () => page.evaluate(() => window.kindlingPage.trainingState);
const waitState = (s, timeout = 30000) => page.waitForFunction((want) => window.kindlingPage.trainingState === want, s, { polling: 50, timeout });
const history = () => page.evaluate(() => JSON.parse(JSON.stringify(window.kindlingPage.history)));

async function open(query) {
  await page.goto(`${base}?${query}`);
  await ready(page);
}

async function trainToEnd(query) {
  await open(query);
  await page.click('#train-start');
  await waitState('done');
  return { accuracy: await page.evaluate(() => window.kindlingPage.stats.accuracy), history: await history() };
}

async function upload(name, buffer) {
  await page.evaluate(() => { window.kindlingPage.loadSettled = false; });
  await page.setInputFiles('#load-file', { name, mimeType: 'application/octet-stream', buffer });
  await page.waitForFunction(() => !document.getElementById('load-error').hidden ||
    /Loaded/.test(document.getElementById('load-status').textContent), null, { timeout: 20000 });
  const error = await page.evaluate(() => { const e = document.getElementById('load-error'); return e.hidden ? null : e.textContent; });
  return { error, accuracy: await page.evaluate(() => window.kindlingPage.stats.loadedAccuracy ?? null) };
}

/** The worker's current weights, as safetensors bytes (deterministic), for "unchanged" checks. */
const weights = () => page.evaluate(async () => {
  const app = window.kindlingPage;
  const r = await app.trainer.request('exportWeights', { format: 'safetensors', layers: app.model.text, seed: 0, norm: null });
  return Array.from(r.bytes);
});

test('Save / Load: .pt and .safetensors download, load back into a fresh page with the same accuracy; bad files change nothing', async () => {
  const t0 = Date.now();
  const query = 'model=mlp&opt=adam&lr=0.002&epochs=1&seed=1&subset=2000';
  const trained = await trainToEnd(query);
  const files = {};
  for (const format of ['pt', 'safetensors']) {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#save-${format}`)]);
    assert.equal(download.suggestedFilename(), `model.${format}`);
    files[format] = readFileSync(await download.path());
    writeFileSync(join(OUT, `web-model.${format}`), files[format]);
  }
  assert.deepEqual([...files.pt.subarray(0, 2)], [0x50, 0x4b]); // a zip, as PyTorch writes
  assert.match(await page.textContent('#save-status'), /model\.safetensors: 4 tensors/);

  // The .pt opens in real PyTorch, in the model the page's PyTorch code builds (when
  // /usr/bin/python3 has torch).
  const { sectionCode } = await import('../web/lib/codegen.js');
  const { layersOf } = await import('../web/lib/model-spec.js');
  const { defaults } = await import('../web/lib/state.js');
  const s = { ...defaults(), model: 'mlp' };
  const py = `try:\n    import torch\nexcept ImportError:\n    print('no torch')\n    raise SystemExit(0)\n` +
    `${sectionCode('model', s, { t: (k) => k, layers: layersOf(s), rows: null }).py}\n` +
    `r = model.load_state_dict(torch.load(${JSON.stringify(join(OUT, 'web-model.pt'))}))\n` +
    'print(len(model.state_dict()), r)\n';
  const out = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
  const hasTorch = out.trim() !== 'no torch';
  if (hasTorch) assert.match(out, /^4 <All keys matched successfully>$/m);

  // A fresh page (new worker, untrained model: another seed, so the finished run is not
  // restored by itself) gets the trained accuracy back from each file.
  await open(`${query.replace('seed=1', 'seed=4')}`);
  assert.equal(await page.evaluate(() => window.kindlingPage.restoredRun ?? null), null);
  const before = await weights();
  const corrupt = Buffer.from(files.pt.subarray(0, files.pt.length >> 1));
  const broken = await upload('broken.pt', corrupt);
  assert.match(broken.error, /^The file is damaged, or not a \.pt \/ \.safetensors file\. Could not load broken\.pt; the model is unchanged\. load: /);
  assert.deepEqual(await weights(), before);
  for (const format of ['pt', 'safetensors']) {
    const r = await upload(`model.${format}`, files[format]);
    assert.equal(r.error, null, format);
    assert.equal(r.accuracy, trained.accuracy, `${format}: the loaded model's accuracy`);
  }
  assert.match(await page.textContent('#load-status'), /Loaded model\.safetensors: test accuracy/);
  assert.ok(await page.locator('#confusion td').count() >= 100, 'the confusion matrix of the loaded model');

  // Another architecture: kindling's load_state_dict message, and the loaded model stays.
  const loaded = await weights();
  await page.selectOption('[data-setting="model"]', 'lenet');
  const wrong = await upload('model.pt', files.pt);
  assert.match(wrong.error, /Error\(s\) in loading state_dict for Sequential:\s+Missing key\(s\) in state_dict: "0\.weight"/);
  assert.match(wrong.error, /^The file is from a model with a different architecture\. Could not load model\.pt/);
  assert.deepEqual(await weights(), loaded);
  // In Korean, a plain Korean sentence leads; kindling's own message follows as the detail.
  await page.click('button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.match(await page.textContent('#load-error'), /^구조가 다른 모델의 파일입니다\. model\.pt을\(를\) 불러오지 못했습니다\. 모델은 그대로입니다\. Error\(s\) in loading state_dict/);
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');

  // Keep training from the loaded weights: the first loss is a trained model's, not ~2.3.
  await page.selectOption('[data-setting="model"]', 'mlp');
  await page.click('#load-train');
  await waitState('done');
  const continued = await history();
  assert.ok(continued.loss[0] < 1, `first loss after loading ${continued.loss[0]}`);
  assert.deepEqual(consoleErrors, []);

  // Screenshots of the section, loaded, in both languages.
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  for (const lang of ['en', 'ko']) {
    await page.click(`button[data-lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    await page.locator('#save').screenshot({ path: join(OUT, `web-save-loaded-${lang}.png`) });
  }
  await page.click('button[data-lang="en"]');
  console.log(`# save / load: accuracy ${(trained.accuracy * 100).toFixed(2)}% back from .pt and .safetensors${hasTorch ? ', .pt opened in PyTorch' : ''} in ${Date.now() - t0} ms`);
});

test('autosave: a run reloaded after epoch 2 of 3, or paused mid-epoch 2, resumes and finishes bit for bit', async () => {
  const t0 = Date.now();
  const query = `model=custom&layers=${MLP_DROPOUT}&opt=adam&lr=0.002&epochs=3&seed=2&subset=2000&sched=StepLR&step_size=1&gamma=0.5`;
  const whole = await trainToEnd(query);
  assert.equal(whole.history.ex.length, 3);
  assert.equal(await page.isVisible('#resume'), false);

  const cases = [
    // The page closes as soon as epoch 2's checkpoint is stored: its worker dies mid-epoch 3.
    // (Terminated here: a reload alone leaves the old worker running until the new page
    // commits, and on a busy machine it could finish the run and delete the checkpoint.)
    { name: 'end of epoch 2', arm: () => page.evaluate(() => new Promise((resolve) => {
      const { trainer } = window.kindlingPage;
      trainer.on((msg) => {
        if (msg.type === 'autosave' && msg.ok && msg.epoch === 3 && msg.batch === 0) { trainer.worker.terminate(); resolve(location.reload()); }
      });
    })), offer: /saved at the end of epoch 2 of 3\./ },
    // Pause mid-epoch 2 (the worker saves on pause), then reload.
    { name: 'paused mid-epoch 2', arm: () => page.evaluate(() => new Promise((resolve) => {
      const app = window.kindlingPage;
      app.trainer.on((msg) => {
        if (msg.type === 'batch' && msg.epoch === 2 && msg.batch === 5) document.getElementById('train-pause').click();
        if (msg.type === 'autosave' && msg.ok && msg.epoch === 2 && msg.batch > 0) { app.trainer.worker.terminate(); resolve(location.reload()); }
      });
    })), offer: /saved at epoch 2 of 3 \(batch \d+ of 32\)\./ },
  ];
  for (const c of cases) {
    await open(query);
    // Wait for the reload's own load event: the evaluate call ends (rejects) as soon as
    // the reload starts, when the old page may still answer ready().
    const reloaded = page.waitForEvent('load', { timeout: 120000 });
    const armed = c.arm().catch(() => {});
    await page.click('#train-start');
    await armed;
    await reloaded;
    await ready(page);
    await page.waitForSelector('#resume:not([hidden])', { timeout: 20000 });
    assert.match(await page.textContent('#resume .text'), c.offer, c.name);
    // The offer floats at the bottom of the window, wherever the browser restored the scroll.
    const box = await page.locator('#resume').boundingBox();
    assert.ok(box.y > 900 / 2 && box.y + box.height <= 900, `the offer at y=${box.y} in a 900 px window`);
    if (c === cases[0]) {
      for (const lang of ['ko', 'en']) {
        await page.click(`button[data-lang="${lang}"]`);
        await page.screenshot({ path: join(OUT, `web-resume-${lang}.png`) });
      }
    }
    await page.click('#resume [data-action="resume"]');
    await waitState('done');
    const resumed = await history();
    assert.match(await page.textContent('#train-status'), /^Done: test accuracy \d+\.\d\d% after 3 epoch\(s\)/, c.name);
    assert.deepEqual(resumed.ex, [1, 2, 3], c.name);
    assert.equal(resumed.loss.length, whole.history.loss.length, c.name);
    assert.deepEqual(resumed.loss, whole.history.loss, `${c.name}: the resumed run's losses`);
    assert.deepEqual(resumed.acc, whole.history.acc, c.name);
    assert.equal(await page.evaluate(() => window.kindlingPage.stats.accuracy), whole.accuracy, c.name);
    assert.equal(await page.evaluate(() => document.getElementById('train-progress').value), 1);
  }
  // A finished run leaves nothing to resume: its model comes back by itself instead.
  await open(query);
  assert.equal(await page.evaluate(() => window.kindlingPage.checkpointChecked), 'restored');
  assert.equal(await page.isVisible('#resume'), false);
  assert.deepEqual((await history()).loss, whole.history.loss);
  assert.deepEqual(consoleErrors, []);
  console.log(`# autosave: two interrupted runs resumed bit for bit in ${Date.now() - t0} ms`);
});

/** The worker's class probabilities for test image i, and the prediction the page shows for it. */
async function predictTestImage(i) {
  return page.evaluate(async (index) => {
    const app = window.kindlingPage;
    const pixels = app.data.testImages.slice(index * 784, (index + 1) * 784);
    const s = app.store.all();
    const norm = s.norm === 'dataset' ? [0.1307, 0.3081] : s.norm === 'half' ? [0.5, 0.5] : null;
    const r = await app.trainer.request('predict', { pixels, layers: app.model.text, seed: s.seed, norm });
    return { probs: Array.from(r.probs), trained: r.trained };
  }, i);
}

test('a finished run survives a reload: the same model predicts the same, with its plots and test results', async () => {
  const query = 'model=mlp&opt=adam&lr=0.002&epochs=2&seed=6&subset=1000';
  const run = await trainToEnd(query);
  const before = { probs: await predictTestImage(3), confusion: await page.textContent('#confusion') };
  await page.click('#draw-sample');
  await page.waitForFunction(() => !window.kindlingPage.predicting && window.kindlingPage.lastPrediction !== null);
  const shown = await page.getAttribute('#prediction', 'data-label');
  assert.equal(before.probs.trained, true);

  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => window.kindlingPage.checkpointChecked), 'restored');
  assert.equal(await page.isVisible('#resume'), false);
  assert.match(await page.textContent('#train-status'), /^Restored after the reload: the model trained for 2 epoch\(s\) reached \d+\.\d\d% test accuracy/);
  assert.deepEqual(await history(), run.history, 'the plots come back');
  assert.equal(await page.evaluate(() => window.kindlingPage.stats.accuracy), run.accuracy);
  assert.equal(await page.textContent('#confusion'), before.confusion, 'the confusion matrix comes back');
  assert.deepEqual(await predictTestImage(3), before.probs, 'the same model: the same probabilities, bit for bit');
  await page.click('#draw-sample');
  await page.waitForFunction(() => !window.kindlingPage.predicting && window.kindlingPage.lastPrediction !== null);
  assert.equal(await page.getAttribute('#prediction', 'data-label'), shown, 'the drawn test image: the same prediction');
  assert.equal(await page.isVisible('#infer-untrained'), false, 'Inference does not call the restored model untrained');
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  for (const lang of ['en', 'ko']) {
    await page.click(`button[data-lang="${lang}"]`);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    await page.locator('#train').screenshot({ path: join(OUT, `web-restored-${lang}.png`) });
  }
  await page.click('button[data-lang="en"]');

  // Other settings in the link: the finished model is offered, not forced on them.
  await open(query.replace('seed=6', 'seed=8'));
  assert.equal(await page.evaluate(() => window.kindlingPage.checkpointChecked), 'offer');
  assert.match(await page.textContent('#resume .text'), /^A model trained earlier is saved: \d+\.\d\d% test accuracy after 2 of 2 epochs\.$/);
  await page.click('#resume [data-action="resume"]'); // "Restore it"
  await page.waitForFunction(() => window.kindlingPage.restoredRun);
  await page.waitForURL(/seed=6/); // its settings come back with it
  assert.deepEqual(await predictTestImage(3), before.probs);
  assert.deepEqual(consoleErrors, []);
});

test('two tabs keep their own checkpoints; leaving a tab while it trains asks first', async () => {
  const second = await browser.context.newPage();
  watch(second, consoleErrors);
  acceptLeaving(second);
  const layersA = 'Flatten~Linear:784,32~ReLU~Linear:32,10';
  // Tab A: a run of 3 epochs, paused in epoch 2 (the pause is autosaved).
  await open(`model=custom&layers=${layersA}&opt=adam&lr=0.002&epochs=3&seed=2&subset=2000`);
  const saved = page.evaluate(() => new Promise((resolve) => {
    const app = window.kindlingPage;
    app.trainer.on((msg) => {
      if (msg.type === 'batch' && msg.epoch === 2 && msg.batch === 5) document.getElementById('train-pause').click();
      if (msg.type === 'autosave' && msg.ok && msg.epoch === 2 && msg.batch > 0) resolve(msg.batch);
    });
  }));
  await page.click('#train-start');
  const pausedAt = await saved;
  // Tab B: a whole run, to its end, while A waits.
  await second.goto(`${base}?model=mlp&opt=adam&lr=0.002&epochs=1&seed=3&subset=1000`);
  await ready(second);
  await second.click('#train-start');
  await second.waitForFunction(() => window.kindlingPage.trainingState === 'done', null, { polling: 50, timeout: 30000 });
  const records = await page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('kindling-page');
    req.onsuccess = () => {
      const all = req.result.transaction('checkpoints').objectStore('checkpoints').getAll();
      all.onsuccess = () => { req.result.close(); resolve(all.result.map((r) => ({ final: Boolean(r.final), epoch: r.epoch, layers: r.layers }))); };
      all.onerror = () => reject(all.error);
    };
  }));
  assert.ok(records.some((r) => !r.final && r.layers === layersA && r.epoch === 2), `tab A's checkpoint: ${JSON.stringify(records)}`);
  assert.ok(records.some((r) => r.final && r.layers !== layersA), `tab B's model: ${JSON.stringify(records)}`);

  // Reloading A while it is (paused) in a run asks first; its own checkpoint is offered, not B's model.
  const asked = dialogs.length;
  await page.reload();
  assert.deepEqual(dialogs.slice(asked), ['beforeunload']);
  await ready(page);
  assert.equal(await page.evaluate(() => window.kindlingPage.checkpointChecked), 'offer');
  assert.equal(await page.textContent('#resume .text'), `A training run was saved at epoch 2 of 3 (batch ${pausedAt} of 32).`);
  // B, reloaded, gets its own finished model back, and is not offered A's run (A is open).
  await second.reload();
  await ready(second);
  assert.equal(await second.evaluate(() => window.kindlingPage.checkpointChecked), 'restored');
  assert.equal(await second.isVisible('#resume'), false);
  // A resumes its own run to the end.
  await page.click('#resume [data-action="resume"]');
  await waitState('done');
  assert.deepEqual((await history()).ex, [1, 2, 3]);
  await second.close();
  assert.deepEqual(consoleErrors, []);
});

test('autosave: without IndexedDB, or with a full quota, the page says so and training completes', async () => {
  const failures = {
    missing: "Object.defineProperty(self, 'indexedDB', { value: undefined, configurable: true });",
    quota: "IDBObjectStore.prototype.put = function () { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };",
  };
  for (const [reason, inject] of Object.entries(failures)) {
    await page.route('**/train-worker.js', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: `${inject}\n${await response.text()}` });
    });
    try {
      const { accuracy } = await trainToEnd('model=mlp&opt=adam&lr=0.002&epochs=2&seed=3&subset=1000');
      assert.ok(accuracy > 0.5, `${reason}: accuracy ${accuracy}`);
      const message = await page.textContent('#train-autosave');
      assert.equal(await page.isVisible('#train-autosave'), true, reason);
      assert.match(message, reason === 'missing' ? /^Autosave is off: this browser offers no IndexedDB/ : /^Autosave is off: the browser’s storage for this page is full \(QuotaExceededError/);
      assert.match(await page.textContent('#train-status'), /^Done: test accuracy/);
      if (reason === 'quota') {
        await page.addStyleTag({ content: '.toc { position: static !important; }' });
        await page.locator('#train').screenshot({ path: join(OUT, 'web-autosave-off-en.png') });
      }
    } finally {
      await page.unroute('**/train-worker.js');
    }
  }
  assert.deepEqual(consoleErrors, []);
});

test('determinism: the same seed gives the same per-batch losses across page loads and in Node', async () => {
  const t0 = Date.now();
  // Shuffling, a dropout mask per batch and Adam: everything random comes from the seed.
  const layers = 'Conv2d:1,4,3~ReLU~MaxPool2d:2~Dropout:0.25~Flatten~Linear:676,10';
  const settings = { model: 'custom', layers, opt: 'adam', lr: 0.002, epochs: 1, seed: 5, subset: 640 };
  const query = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join('&');
  const a = await trainToEnd(query);
  await page.reload();
  await ready(page);
  await page.click('#train-start');
  await waitState('done');
  const b = await history();
  assert.equal(a.history.loss.length, 10);
  assert.deepEqual(b.loss, a.history.loss, 'two page loads');

  // The page's generated kindling code, run in Node, printing each batch's loss.
  const { sectionCode } = await import('../web/lib/codegen.js');
  const { layersOf } = await import('../web/lib/model-spec.js');
  const { defaults } = await import('../web/lib/state.js');
  const { default: en } = await import('../web/i18n/en.js');
  const t = (key, vars = {}) => en[key].replace(/\{(\w+)\}/g, (m, k) => String(vars[k] ?? m));
  const s = { ...defaults(), ...settings };
  const ctx = { t, layers: layersOf(s), rows: null, counts: null, stepsPerEpoch: 10 };
  let js = ['data', 'model', 'loss', 'train'].map((name) => sectionCode(name, s, ctx).js).join('\n\n');
  assert.ok(js.includes('    loss.backward();\n'));
  js = `const losses = [];\n${js.replace('    loss.backward();\n', '    loss.backward();\n    losses.push(loss.item());\n')}\n` +
    "console.log('LOSSES ' + JSON.stringify(losses));\n";
  const file = join(OUT, 'generated-determinism.mjs');
  writeFileSync(file, js);
  const out = await new Promise((resolve, reject) => execFile(process.execPath, [file], { encoding: 'utf8', timeout: 60000, cwd: root },
    (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))));
  const node = JSON.parse(out.match(/^LOSSES (.*)$/m)[1]);
  assert.deepEqual(node, a.history.loss, 'the page and Node');
  assert.match(out, new RegExp(`accuracy ${a.accuracy}$`, 'm'));
  assert.deepEqual(consoleErrors, []);
  console.log(`# determinism: ${node.length} losses equal bit for bit in two page loads and in Node, in ${Date.now() - t0} ms`);
});
