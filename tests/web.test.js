// web.test.js: the tutorial page end to end, in Debian's chromium driven by playwright-core
// (headless). Starts scripts/serve.mjs on a free port, then: the server's MIME types and
// path-traversal refusal; the page loads with no console errors and within the page-weight
// budget; every control has a name; the language switch; the scheduler curve follows its
// arguments; one epoch of MNIST reaches > 90% on the test set with the first batch quickly;
// a test digit drawn with the mouse is recognised; a URL restores its settings.
// Needs dist/ (./build.sh wasm), data/ and /usr/bin/chromium (CI installs it). The Save /
// Load section, the autosaved checkpoint and determinism are in web-checkpoint.test.js; the
// layout at every width (and the screenshots) in web-layout.test.js; embedding in
// web-embed.test.js.
import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { OUT, rawGet as get, ready as readyPage, root, startBrowser, watch } from './web-helpers.js';


let browser, base, page;
let pageRun = null; // the settings and test accuracy of the page's training run, for the generated code to repeat
const consoleErrors = [];

before(async () => {
  browser = await startBrowser('web.test.js');
  ({ base, page } = browser);
  watch(page, consoleErrors);
  mkdirSync(OUT, { recursive: true });
});

after(async () => { await browser?.close(); });

const rawGet = (path, headers) => get(base, path, headers);
const ready = (p = page) => readyPage(p);

test('serve.mjs: MIME types, gzip files as plain bytes, path traversal refused', async () => {
  const cases = [
    ['/', 200, /^text\/html/], ['/app.js', 200, /^text\/javascript/], ['/dist/index.js', 200, /^text\/javascript/],
    ['/dist/kindling.wasm', 200, /^application\/wasm$/], ['/i18n/en.js', 200, /^text\/javascript/],
    ['/vendor/uplot/uPlot.esm.js', 200, /^text\/javascript/], ['/style.css', 200, /^text\/css/],
  ];
  for (const [path, status, type] of cases) {
    const r = await rawGet(path);
    assert.equal(r.status, status, path);
    assert.match(r.headers['content-type'], type, path);
  }
  const gz = await rawGet('/data/mnist/t10k-labels-idx1-ubyte.gz', { 'Accept-Encoding': 'gzip' });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-type'], 'application/octet-stream');
  assert.equal(gz.headers['content-encoding'], undefined);
  assert.deepEqual([...gz.body.subarray(0, 2)], [0x1f, 0x8b]);
  for (const path of ['/../package.json', '/dist/../package.json', '/%2e%2e/package.json', '/dist/%2e%2e/package.json',
    '/..%2fpackage.json', '/vendor/uplot/../../package.json', '/data/..%5c..%5cpackage.json', '/%00', '/dist/..\\package.json'])
    assert.equal((await rawGet(path)).status, 403, path);
  assert.equal((await rawGet('/no-such-file.js')).status, 404);
  assert.equal((await rawGet('/package.json')).status, 404); // the repository root is not served
});

test('en.js and ko.js have the same keys and placeholders', async () => {
  const { default: en } = await import('../web/i18n/en.js');
  const { default: ko } = await import('../web/i18n/ko.js');
  assert.deepEqual(Object.keys(ko).sort(), Object.keys(en).sort());
  for (const key of Object.keys(en)) {
    const vars = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    assert.deepEqual(vars(ko[key]), vars(en[key]), key);
  }
});

test('the page loads with no console errors, within the page-weight budget, and every control has a name', async () => {
  const files = [];
  const onResponse = (r) => files.push(new URL(r.url()).pathname);
  page.on('response', onResponse);
  const started = Date.now();
  await page.goto(base);
  await ready();
  console.log(`# page ready with data in ${Date.now() - started} ms`);
  await page.waitForLoadState('networkidle'); // everything the page fetches lazily is counted
  page.off('response', onResponse);
  assert.deepEqual(consoleErrors, []);

  // Page weight: HTML + JS + CSS + wasm as the browser fetched them, gzipped; datasets excluded.
  const weighed = [...new Set(files)].filter((p) => !p.startsWith('/data/'));
  let bytes = 0;
  for (const p of weighed) {
    const r = await rawGet(p);
    bytes += gzipSync(r.body, { level: 9 }).length;
  }
  console.log(`# page weight ${(bytes / 1024).toFixed(0)} KiB gzipped over ${weighed.length} files`);
  assert.ok(bytes < 500 * 1024, `page weight ${bytes} bytes gzipped`);

  const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, button, [tabindex="0"]')]
    .filter((el) => el.offsetParent !== null || el.closest('details'))
    .filter((el) => !(el.getAttribute('aria-label') || el.labels?.length || el.textContent.trim() || el.title))
    .map((el) => el.outerHTML.slice(0, 80)));
  assert.deepEqual(unnamed, []);
  assert.equal(await page.evaluate(() => document.querySelector('html').lang), 'en');
});

test('the language switch turns the whole page Korean and back', async () => {
  await page.click('button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.equal(await page.textContent('#data h2'), '1. 데이터');
  assert.match(await page.textContent('#train-start'), /학습/);
  await page.waitForURL(/lang=ko/); // the URL follows the settings after a debounce
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.textContent('#data h2'), '1. Data');
  await page.waitForURL((url) => !/lang=ko/.test(url.search));
  assert.deepEqual(consoleErrors, []);
});

test('changing scheduler arguments redraws the lr curve computed by kindling', async () => {
  await page.selectOption('[data-setting="sched"]', 'StepLR');
  const curve = () => page.evaluate(() => window.kindlingPage.lrCurve().lrs);
  const a = await curve();
  assert.ok(Math.abs(a[0] - 0.01) < 1e-9 && Math.abs(a[20] - 0.001) < 1e-9 && Math.abs(a[19] - 0.01) < 1e-9, `StepLR(20, 0.1): ${a.slice(18, 22)}`);
  await page.fill('[data-setting="step_size"]', '10');
  await page.waitForFunction(() => Math.abs(window.kindlingPage.lrCurve().lrs[10] - 0.001) < 1e-9);
  await page.fill('[data-setting="gamma"]', '0.5');
  await page.waitForFunction(() => Math.abs(window.kindlingPage.lrCurve().lrs[10] - 0.005) < 1e-9);
  assert.match(await page.textContent('[data-code="scheduler"]'), /StepLR\(optimizer, step_size=10, gamma=0\.5\)/);
  assert.match(await page.textContent('[data-code="scheduler"]'), /new optim\.lr_scheduler\.StepLR\(optimizer, \{ step_size: 10, gamma: 0\.5 \}\)/);
  assert.ok(await page.locator('#sched-plot canvas').count() > 0);
  await page.selectOption('[data-setting="sched"]', 'none');
  assert.deepEqual(consoleErrors, []);
});

test('one epoch of MNIST in the worker reaches > 90% test accuracy; a drawn test digit is recognised', async () => {
  await page.goto(`${base}?model=mlp&opt=adam&lr=0.002&epochs=1&seed=1`);
  await ready();
  await page.evaluate(() => {
    window.liveUpdates = 0; // what a screen reader would hear: state changes and epochs, not every batch
    new MutationObserver(() => { window.liveUpdates++; }).observe(document.getElementById('train-live'), { childList: true, characterData: true, subtree: true });
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries().map((e) => e.duration))).observe({ type: 'longtask' });
  });
  const clicked = Date.now();
  await page.click('#train-start');
  // The main thread stays free while the worker trains: a timer keeps firing on time.
  const lag = await page.evaluate(() => new Promise((resolve) => {
    let worst = 0, last = performance.now(), n = 0;
    const id = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 50);
      last = now;
      if (++n === 20) { clearInterval(id); resolve(worst); }
    }, 50);
  }));
  await page.waitForFunction(() => window.kindlingPage.trainingState === 'done', null, { timeout: 60000, polling: 100 });
  const stats = await page.evaluate(() => window.kindlingPage.stats);
  const longest = await page.evaluate(() => Math.max(0, ...window.longTasks));
  console.log(`# trained in ${Date.now() - clicked} ms: first batch ${stats.firstBatchMs.toFixed(0)} ms after the click, ` +
    `${stats.rate.toFixed(0)} samples/s in the worker, test accuracy ${(stats.accuracy * 100).toFixed(2)}%, worst main-thread timer lag ${lag.toFixed(0)} ms, longest main-thread task ${longest.toFixed(0)} ms`);
  assert.ok(stats.accuracy > 0.9, `accuracy ${stats.accuracy}`);
  pageRun = { settings: { model: 'mlp', opt: 'adam', lr: 0.002, epochs: 1, seed: 1, subset: 0 }, accuracy: stats.accuracy };
  assert.ok(stats.firstBatchMs < 2000, `first batch after ${stats.firstBatchMs} ms`);
  // Generous: the training itself is in the worker; this catches the page redrawing too much
  // (it redraws ~8 times a second) even on a loaded 2-core machine.
  assert.ok(longest < 500, `a main-thread task took ${longest} ms during training`);
  assert.match(await page.textContent('#train-status'), /Done: test accuracy/);
  assert.ok(await page.locator('#confusion td').count() >= 100);
  assert.equal(await page.textContent('#train-speed'), '', 'no samples/s or "ETA 0 s" after the end');
  const liveUpdates = await page.evaluate(() => window.liveUpdates);
  assert.ok(liveUpdates >= 2 && liveUpdates <= 4, `the live region changed ${liveUpdates} times in a run of 125 batches`);
  assert.equal(await page.getAttribute('#train-status', 'aria-live'), null);
  assert.match(await page.getAttribute('#chart-loss', 'aria-label'), /^Training loss per batch: 125 batches so far, first \d/);
  assert.match(await page.getAttribute('#chart-test', 'aria-label'), /^Test loss and accuracy per epoch: after epoch 1, test loss \d\.\d+, accuracy \d+\.\d\d%\.$/);
  assert.match(await page.getAttribute('#chart-lr', 'aria-label'), /^Learning rate per batch: 0\.002 at the start, 0\.002 now\.$/);

  // Draw correctly classified test digits with the mouse, row by row of their ink.
  const candidates = await page.evaluate(() => {
    const { data, lastEpoch } = window.kindlingPage;
    const out = [];
    for (let i = 0; out.length < 3 && i < data.testLabels.length; i++)
      if (lastEpoch.preds[i] === data.testLabels[i]) out.push({ label: data.testLabels[i], pixels: Array.from(data.testImages.subarray(i * 784, (i + 1) * 784)) });
    return out;
  });
  await page.locator('#draw').scrollIntoViewIfNeeded();
  const canvas = await page.locator('#draw').boundingBox();
  let right = 0;
  const seen = [];
  for (const { label, pixels } of candidates) {
    if (right === 2) break;
    await page.click('#draw-clear');
    const cell = canvas.width / 28;
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        if (pixels[y * 28 + x] < 128) continue;
        let x1 = x;
        while (x1 + 1 < 28 && pixels[y * 28 + x1 + 1] >= 128) x1++;
        await page.mouse.move(canvas.x + (x + 0.5) * cell, canvas.y + (y + 0.5) * cell);
        await page.mouse.down();
        if (x1 > x) await page.mouse.move(canvas.x + (x1 + 0.5) * cell, canvas.y + (y + 0.5) * cell);
        await page.mouse.up();
        x = x1;
      }
    }
    await page.waitForFunction(() => !window.kindlingPage.predicting);
    const got = Number(await page.getAttribute('#prediction', 'data-label'));
    seen.push(`${label}->${got}`);
    if (got === label) right++;
  }
  console.log(`# drawn test digits (true->predicted): ${seen.join(' ')}`);
  assert.ok(right >= 2, `drawn digits recognised: ${seen.join(' ')}`);
  assert.deepEqual(consoleErrors, []);

});

test('pause, resume and stop; a NaN loss stops training with advice to lower the learning rate', async () => {
  await page.goto(`${base}?model=lenet&epochs=2`);
  await ready();
  await page.click('#train-start');
  await page.waitForFunction(() => window.kindlingPage.trainingState === 'running' && document.getElementById('train-progress').value > 0.05,
    null, { polling: 50, timeout: 30000 });
  await page.click('#train-pause');
  await page.waitForFunction(() => window.kindlingPage.workerHalted === true, null, { polling: 50, timeout: 30000 });
  // Halted means halted: no batch arrives while the worker answers two requests in a row (a
  // training worker reads its messages only after reporting a batch, and its messages
  // arrive in order, so a running one would report a batch between the two answers).
  const batches = () => page.evaluate(() => window.kindlingPage.history.bx.length);
  const before = await batches();
  await page.evaluate(async () => { await window.kindlingPage.trainer.request('memory'); await window.kindlingPage.trainer.request('memory'); });
  assert.equal(await batches(), before);
  const paused = await page.evaluate(() => document.getElementById('train-progress').value);
  assert.equal(await page.textContent('#train-speed'), '', 'no samples/s or ETA while paused');
  assert.equal(await page.textContent('#train-status'), 'Paused');
  await page.click('#train-pause'); // resume
  await page.waitForFunction((p) => document.getElementById('train-progress').value > p, paused, { polling: 50, timeout: 10000 });
  await page.click('#train-stop');
  await page.waitForFunction(() => window.kindlingPage.trainingState === 'stopped', null, { polling: 50, timeout: 10000 });
  assert.equal(await page.textContent('#train-status'), 'Stopped');

  await page.goto(`${base}?model=mlp&lr=1000&momentum=0&epochs=1`);
  await ready();
  await page.click('#train-start');
  await page.waitForFunction(() => ['done', 'stopped'].includes(window.kindlingPage.trainingState), null, { polling: 100, timeout: 30000 });
  const alert = await page.textContent('#train-alert');
  assert.match(alert, /NaN/);
  assert.match(alert, /\(1000\).*lower it \(try 100\)/);
  assert.equal(await page.isVisible('#train-alert'), true);
  assert.deepEqual(consoleErrors, []);
});

test('a URL restores its settings, and invalid values are reported', async () => {
  const layers = 'Flatten~Linear:784,64~ReLU~Linear:64,10';
  await page.goto(`${base}?lang=ko&dataset=fashion&batch=128&opt=rmsprop&lr=0.005&sched=MultiStepLR&milestones=5,10` +
    `&model=custom&layers=${layers}&reduction=sum&seed=7&epochs=2&momentum=oops`);
  await ready();
  const value = (key) => page.inputValue(`[data-setting="${key}"]`);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await value('dataset'), 'fashion');
  assert.equal(await value('batch'), '128');
  assert.equal(await value('opt'), 'rmsprop');
  assert.equal(await value('lr'), '0.005');
  assert.equal(await value('sched'), 'MultiStepLR');
  assert.equal(await value('milestones'), '5,10');
  assert.equal(await value('seed'), '7');
  assert.equal(await value('momentum'), '0'); // RMSprop's customary momentum, as the link's value is not valid
  assert.match(await page.textContent('#rejected'), /momentum/);
  assert.equal(await page.locator('#layers li.layer:not(.input)').count(), 4);
  const code = await page.textContent('[data-code="optimizer"]');
  assert.match(code, /optim\.RMSprop\(model\.parameters\(\), lr=0\.005\)/);
  assert.match(await page.textContent('[data-code="scheduler"]'), /MultiStepLR\(optimizer, milestones=\[5, 10\], gamma=0\.1\)/);
  assert.match(await page.textContent('[data-code="data"]'), /FashionMNIST/);
  assert.match(await page.textContent('[data-code="loss"]'), /reduction='sum'/);
  assert.equal(await page.evaluate(() => window.kindlingPage.model.text), layers);
  // Editing writes back to the URL.
  await page.fill('[data-setting="lr"]', '0.02');
  await page.waitForFunction(() => location.search.includes('lr=0.02'));
  assert.match(page.url(), /layers=Flatten~Linear:784,64~ReLU~Linear:64,10/);
  assert.deepEqual(consoleErrors, []);
});

test('each optimizer brings its customary defaults; invalid entries stay marked, say what is allowed and are never used', async () => {
  await page.goto(base);
  await ready();
  const value = (key) => page.inputValue(`[data-setting="${key}"]`);
  const stored = (key) => page.evaluate((k) => window.kindlingPage.store.get(k), key);
  const customary = { adam: ['0.001', null], adamw: ['0.001', null], rmsprop: ['0.001', '0'], adagrad: ['0.01', null], sgd: ['0.01', '0.9'] };
  for (const [opt, [lr, momentum]] of Object.entries(customary)) {
    await page.selectOption('[data-setting="opt"]', opt);
    assert.equal(await value('lr'), lr, opt);
    if (momentum !== null) assert.equal(await value('momentum'), momentum, opt);
    assert.match(await page.textContent('#opt-defaults'), new RegExp(`lr = ${lr.replace('.', '\\.')}`), opt);
  }
  assert.equal(await stored('weight_decay'), 0);
  await page.selectOption('[data-setting="opt"]', 'adamw');
  assert.equal(await value('weight_decay'), '0.01');
  await page.waitForURL(/opt=adamw/);
  assert.doesNotMatch(page.url(), /[?&]lr=|weight_decay=/); // AdamW's own defaults need no mention in the link
  await page.selectOption('[data-setting="opt"]', 'sgd');

  // Typed key by key: a valid prefix ("1" of "1e9", "5" of "5,,8") is never kept, nor "-5" read as 5.
  const typeInto = async (key, text) => {
    const field = page.locator(`[data-setting="${key}"]`);
    await field.fill('');
    await field.pressSequentially(text);
    await field.press('Tab'); // the change event: the entry stays as typed, marked
  };
  await page.selectOption('[data-setting="sched"]', 'MultiStepLR');
  const cases = [['lr', '1e9', 0.01, /1e-6 … 1000/], ['milestones', '5,,8', '20,50', /20,50/], ['epochs', '-5', 3, /1 … 100/]];
  for (const [key, text, kept, allowed] of cases) {
    await typeInto(key, text);
    const field = `[data-setting="${key}"]`;
    assert.equal(await page.getAttribute(field, 'aria-invalid'), 'true', key);
    assert.equal(await value(key), text, `${key}: the entry stays visible as typed`);
    assert.deepEqual(await stored(key), kept, `${key}: the setting keeps its value from before the edit`);
    assert.equal(await page.isVisible(`#hint-${key}`), true, key);
    assert.match(await page.textContent(`#hint-${key}`), allowed, key);
    const style = await page.$eval(field, (el) => getComputedStyle(el).borderColor);
    assert.equal(style, 'rgb(180, 35, 24)', `${key}: drawn as invalid`);
  }
  assert.match(await page.textContent('[data-code="optimizer"]'), /lr=0\.01,/);
  assert.match(await page.textContent('[data-code="scheduler"]'), /milestones=\[20, 50\]/);
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  await page.locator('#optimizer').screenshot({ path: join(OUT, 'web-invalid-optimizer-en.png') });
  // Training refuses while an entry is invalid, and says which.
  await page.click('#train-start');
  assert.equal(await page.evaluate(() => window.kindlingPage.trainingState), 'idle');
  assert.match(await page.textContent('#train-alert'), /^lr holds a value that is not allowed \(Allowed: 1e-6 … 1000\)/);
  await page.click('button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.match(await page.textContent('#hint-lr'), /^허용 범위: 1e-6 … 1000$/);
  await page.locator('#optimizer').screenshot({ path: join(OUT, 'web-invalid-optimizer-ko.png') });
  await page.click('button[data-lang="en"]');
  // A valid entry clears the mark and is used.
  await typeInto('lr', '0.05');
  assert.equal(await page.getAttribute('[data-setting="lr"]', 'aria-invalid'), null);
  assert.equal(await page.isVisible('#hint-lr'), false);
  assert.equal(await stored('lr'), 0.05);
  await typeInto('milestones', '1,2');
  assert.deepEqual(await stored('milestones'), '1,2');
  await typeInto('epochs', '3');
  assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
  assert.deepEqual(consoleErrors, []);
});

test('scheduler settings that cannot act within the run say so, in both languages', async () => {
  await page.goto(`${base}?sched=StepLR&epochs=3`);
  await ready();
  const note = () => page.textContent('#sched-warning');
  assert.match(await note(), /StepLR\(step_size=20\) first changes the lr after epoch 20, but training runs 3 epoch\(s\): the lr stays 0\.01 the whole run\. Set step_size below 3/);
  assert.equal(await page.isVisible('#train-sched-note'), true); // also where the epochs are chosen
  await page.fill('[data-setting="epochs"]', '25');
  await page.waitForFunction(() => document.getElementById('train-sched-note').hidden);
  await page.fill('[data-setting="epochs"]', '3');
  await page.selectOption('[data-setting="sched"]', 'ReduceLROnPlateau');
  assert.match(await note(), /patience=5\) can lower the lr after epoch 7 at the earliest, but training runs 3 epoch\(s\)/);
  await page.selectOption('[data-setting="sched"]', 'MultiStepLR');
  assert.match(await note(), /No milestone \(20,50\) comes before the end of the 3 training epoch\(s\)/);
  await page.selectOption('[data-setting="sched"]', 'CosineAnnealingLR');
  assert.match(await note(), /CosineAnnealingLR\(T_max=50\) anneals over 50 epochs, but training runs 3: the lr only falls from 0\.01 to 0\.00996/);
  await page.selectOption('[data-setting="sched"]', 'StepLR');
  await page.click('button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.match(await note(), /StepLR\(step_size=20\)은 에폭 20 뒤에 처음 학습률을 바꾸는데, 학습은 3 에폭만 합니다/);
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  await page.locator('#scheduler').screenshot({ path: join(OUT, 'web-sched-noeffect-ko.png') });
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.locator('#scheduler').screenshot({ path: join(OUT, 'web-sched-noeffect-en.png') });
  // The lr plot is a step function on a log axis whose labels share one form, and says what it shows.
  await page.fill('[data-setting="step_size"]', '10');
  await page.waitForFunction(() => Math.abs(window.kindlingPage.lrCurve().lrs[10] - 0.001) < 1e-12);
  assert.match(await page.getAttribute('#sched-plot', 'aria-label'), /^Learning rate over 100 epochs with StepLR: from 0\.01 to 1e-12/);
  assert.deepEqual(consoleErrors, []);
});

test('a run that diverges or stays at chance gets concrete advice, in both languages', async () => {
  // RMSprop with SGD's lr 0.01 and momentum 0.9: warned before, advised after.
  await page.goto(`${base}?opt=rmsprop&lr=0.01&momentum=0.9&epochs=1&subset=2000&seed=1`);
  await ready();
  assert.match(await page.textContent('#opt-warning'), /RMSprop with momentum 0\.9 and lr 0\.01 usually diverges/);
  await page.click('#train-start');
  await page.waitForFunction(() => ['done', 'stopped'].includes(window.kindlingPage.trainingState), null, { polling: 100, timeout: 60000 });
  assert.equal(await page.isVisible('#train-advice'), true);
  assert.match(await page.textContent('#train-advice'), /RMSprop with momentum 0\.9 and lr 0\.01 takes far too large steps: use lr = 0\.001 without momentum/);
  await page.click('button[data-lang="ko"]');
  await page.waitForFunction(() => document.documentElement.lang === 'ko');
  assert.match(await page.textContent('#train-advice'), /momentum 없이 lr = 0\.001/);
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  await page.locator('#train').screenshot({ path: join(OUT, 'web-advice-ko.png') });
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.locator('#train').screenshot({ path: join(OUT, 'web-advice-en.png') });
  // The advice's button sets what it advises.
  await page.click('#train-advice button');
  assert.equal(await page.inputValue('[data-setting="lr"]'), '0.001');
  assert.equal(await page.inputValue('[data-setting="momentum"]'), '0');
  assert.equal(await page.isVisible('#train-advice'), false);

  // SGD with lr 5: the loss explodes (no NaN); the advice comes during the run.
  await page.goto(`${base}?lr=5&epochs=1&subset=2000&seed=1`);
  await ready();
  assert.match(await page.textContent('#opt-warning'), /lr 5 is far above what SGD usually takes \(0\.01\)/);
  await page.click('#train-start');
  await page.waitForFunction(() => window.kindlingPage.advice || ['done', 'stopped'].includes(window.kindlingPage.trainingState),
    null, { polling: 100, timeout: 60000 });
  assert.match(await page.textContent('#train-advice'), /The loss jumped to .* Training is diverging\. The learning rate 5 is too high for SGD: use its customary lr = 0\.01/);
  await page.click('#train-advice button'); // stops the run and sets lr
  await page.waitForFunction(() => ['done', 'stopped'].includes(window.kindlingPage.trainingState), null, { polling: 100, timeout: 30000 });
  assert.equal(await page.inputValue('[data-setting="lr"]'), '0.01');
  assert.deepEqual(consoleErrors, []);
});

test('Fashion-MNIST in Korean: the dataset’s own class names, whole in the confusion matrix; Korean durations; proportional histogram', async () => {
  await page.goto(`${base}?lang=ko&dataset=fashion&model=mlp&opt=adam&lr=0.002&epochs=1&subset=1000&seed=1`);
  await ready();
  // The histogram's bars are proportional to the counts (from zero).
  const bars = await page.$$eval('#class-hist .bar', (els) => els.map((el) => ({
    count: Number(el.getAttribute('aria-label').split(': ')[1]), height: el.querySelector('i').getBoundingClientRect().height })));
  const top = Math.max(...bars.map((b) => b.count));
  for (const b of bars) assert.ok(Math.abs(b.height - (b.count / top) * 100) <= 1, `count ${b.count}: ${b.height} px`);
  assert.ok(new Set(bars.map((b) => Math.round(b.height))).size >= 5, 'bars of different counts differ in height');
  assert.doesNotMatch(await page.textContent('#infer-p1'), /숫자/);
  assert.match(await page.getAttribute('#draw', 'aria-label'), /옷을 그리세요/);
  await page.click('#train-start');
  await page.waitForFunction(() => window.kindlingPage.trainingState === 'done', null, { polling: 100, timeout: 60000 });
  assert.match(await page.textContent('#train-status'), /걸린 시간 (\d+초|\d+분 \d+초)\.$/);
  const ko = ['티셔츠/탑', '바지', '풀오버', '드레스', '코트', '샌들', '셔츠', '스니커즈', '가방', '앵클부츠'];
  const headers = () => page.$$eval('#confusion thead th[scope="col"]', (els) => els.map((el) => el.textContent));
  assert.deepEqual(await headers(), ko);
  const clipped = await page.$$eval('#confusion th', (els) => els.filter((el) => el.scrollWidth > el.clientWidth + 1 ||
    el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent));
  assert.deepEqual(clipped, []);
  await page.addStyleTag({ content: '.toc { position: static !important; }' });
  await page.locator('#infer').screenshot({ path: join(OUT, 'web-fashion-infer-ko.png') });
  await page.locator('#data').screenshot({ path: join(OUT, 'web-fashion-data-ko.png') });
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.deepEqual(await headers(), ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  assert.doesNotMatch(await page.textContent('#infer-p1'), /digit/);
  assert.match(await page.textContent('#train-status'), /in (\d+ s|\d+ min \d+ s)\.$/);
  await page.locator('#infer').screenshot({ path: join(OUT, 'web-fashion-infer-en.png') });
  assert.deepEqual(consoleErrors, []);
});

test('the Loss section shows the code of its Softmax(dim) and regression demos, and that code runs', async () => {
  await page.goto(`${base}?softmax_dim=0&beta=0.5`);
  await ready();
  assert.match(await page.textContent('[data-code="softmax"]'), /softmax = nn\.Softmax\(dim=0\)/);
  assert.match(await page.textContent('[data-code="regression"]'), /nn\.SmoothL1Loss\(reduction='none', beta=0\.5\)/);
  assert.match(await page.textContent('[data-code="regression"]'), /nn\.L1Loss\(reduction='none'\)[\s\S]*nn\.MSELoss\(reduction='none'\)/);
  const { sectionCode } = await import('../web/lib/codegen.js');
  const { defaults } = await import('../web/lib/state.js');
  const { default: en } = await import('../web/i18n/en.js');
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync } = await import('node:fs');
  const t = (key) => en[key];
  const s = { ...defaults(), softmax_dim: 1, beta: 0.5 };
  const lastLines = (out, n) => out.trim().split('\n').slice(-n);
  for (const name of ['softmax', 'regression']) {
    const { py, js } = sectionCode(name, s, { t });
    const file = join(OUT, `generated-${name}.mjs`);
    writeFileSync(file, `${js}\n${name === 'regression' ? 'console.log(loss.item());\n' : ''}`);
    const out = execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: OUT });
    writeFileSync(join(OUT, `generated-${name}.py`), py);
    execFileSync('python3', ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', join(OUT, `generated-${name}.py`)]);
    if (name === 'softmax') assert.deepEqual(JSON.parse(out).map((v) => Math.round(v * 1e6) / 1e6), [1, 1]);
    // L1 |e|, MSE e², Smooth L1 (beta 0.5) and its mean, as PyTorch gives them for e = -2, -0.5, 0, 0.5, 2.
    else assert.deepEqual(lastLines(out, 4), ['[ 2, 0.5, 0, 0.5, 2 ]', '[ 4, 0.25, 0, 0.25, 4 ]', '[ 1.75, 0.25, 0, 0.25, 1.75 ]', '0.800000011920929']);
  }
  assert.deepEqual(consoleErrors, []);
});

test('the model editor reports a shape error inline and fixes it', async () => {
  await page.goto(`${base}?model=custom&layers=Conv2d:1,8,3~ReLU~Flatten~Linear:100,10`);
  await ready();
  const bad = page.locator('#layers li.layer.bad');
  assert.equal(await bad.count(), 1);
  assert.match(await bad.textContent(), /in_features = 5408/);
  await bad.locator('.msg button').click();
  await page.waitForFunction(() => document.querySelectorAll('#layers li.layer.bad').length === 0);
  assert.match(await page.textContent('#model-summary'), /\[N, 10\]/);
  await page.waitForFunction(() => location.search.includes('Linear:5408,10'));
  assert.deepEqual(consoleErrors, []);
});

test('the generated code runs: kindling JS trains in Node, and the Python compiles', async () => {
  const { sectionCode } = await import('../web/lib/codegen.js');
  const { layersOf } = await import('../web/lib/model-spec.js');
  const { defaults } = await import('../web/lib/state.js');
  const { default: en } = await import('../web/i18n/en.js');
  const t = (key, vars = {}) => en[key].replace(/\{(\w+)\}/g, (m, k) => String(vars[k] ?? m));
  const configs = [
    {},
    { opt: 'adam', lr: 0.002, sched: 'StepLR', step_size: 1, ce_weight: 'inverse', label_smoothing: 0.1, model: 'mlp', norm: 'half' },
    { opt: 'rmsprop', lr: 0.001, sched: 'ReduceLROnPlateau', monitor: 'test_acc', mode: 'max', reduction: 'none', dataset: 'fashion', ignore_index: 3 },
    { opt: 'sgd', nesterov: true, weight_decay: 5e-4, sched: 'OneCycleLR', model: 'custom', layers: 'Flatten~Linear:784,32~Tanh~Linear:32,10', batch: 32 },
    ...(pageRun ? [pageRun.settings] : []), // the page's own run: the same code must give the same accuracy
  ];
  const labels = readFileSync(join(root, 'data/mnist/train-labels-idx1-ubyte.gz'));
  const { gunzipSync } = await import('node:zlib');
  const { writeFileSync } = await import('node:fs');
  const { execFile, execFileSync } = await import('node:child_process');
  const run = (file) => new Promise((resolve, reject) =>
    execFile(process.execPath, [file], { encoding: 'utf8', timeout: 90000, cwd: OUT }, (error, stdout, stderr) => (error ? reject(new Error(`${file}: ${error.message}\n${stderr}`)) : resolve(stdout))));
  const raw = gunzipSync(labels).subarray(8);
  // The programs run two at a time (the machine has two cores).
  const jobs = [];
  for (const [i, patch] of configs.entries()) {
    const s = { ...defaults(), subset: 300, epochs: 1, ...patch };
    const counts = new Array(10).fill(0);
    for (let j = 0; j < (s.subset || raw.length); j++) counts[raw[j]]++;
    const ctx = { t, layers: layersOf(s), rows: null, counts, stepsPerEpoch: Math.ceil((s.subset || raw.length) / s.batch) };
    // The first program also saves and loads (writing model.pt, model.safetensors and
    // checkpoint.pt into test-output/, its working directory).
    const parts = ['data', 'model', 'loss', 'train', ...(i === 0 ? ['save'] : [])].map((name) => sectionCode(name, s, ctx));
    const js = parts.map((p) => p.js).join('\n\n');
    const py = parts.map((p) => p.py).join('\n\n');
    const file = join(OUT, `generated-${i}.mjs`); // inside the package, so 'kindling' resolves to itself
    writeFileSync(file, js);
    writeFileSync(join(OUT, `generated-${i}.py`), py);
    execFileSync('python3', ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', join(OUT, `generated-${i}.py`)]);
    jobs.push({ i, patch, file });
  }
  const check = ({ i, patch }, out) => {
    const m = out.match(/epoch 1: test loss \d+\.\d{4}, accuracy (0\.\d+|1)$/m);
    assert.ok(m, `config ${i}:\n${out}`);
    if (pageRun && patch === pageRun.settings) assert.equal(Number(m[1]), pageRun.accuracy, 'the page and its code disagree');
  };
  for (let k = 0; k < jobs.length; k += 2) {
    const pair = jobs.slice(k, k + 2);
    const outs = await Promise.all(pair.map((job) => run(job.file)));
    pair.forEach((job, j) => check(job, outs[j]));
  }
});
