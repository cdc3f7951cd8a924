// nn-live-parity.test.js: randomised cases generated independently of the committed
// fixtures (issue 3). When Debian's PyTorch is importable by /usr/bin/python3, draws ~30
// random layer configurations (conv2d with random groups / kernel / stride / padding incl.
// 'same' and 'valid' / dilation / bias, batched or not; linear; max / avg / adaptive
// pooling with ceil_mode, count_include_pad, divisor_override; batch norm 1d / 2d over
// several train / eval steps with random affine / track_running_stats / momentum; the
// activations; seeded dropout) with a seed taken from the clock, runs them in PyTorch
// through tests/fixtures/live_nn.py and in kindling, and compares outputs, gradients and
// running stats at the tolerances of nn-layers.test.js (tests/nn-helpers.js).
// Reproduce a failure with: KINDLING_LIVE_SEED=<printed seed> node --test tests/nn-live-parity.test.js
// Skipped, with the reason, when PyTorch is not installed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/index.js';
import { assertClose, assertExact } from './helpers.js';
import { replayLayerCase, tolFor } from './nn-helpers.js';

const PYTHON = process.env.KINDLING_PYTHON ?? '/usr/bin/python3'; // Debian's, with python3-torch
const SCRIPT = fileURLToPath(new URL('./fixtures/live_nn.py', import.meta.url));
const COUNT = 30;
const seed = Number(process.env.KINDLING_LIVE_SEED ?? (Date.now() % 2147483647));

function torchMissing() {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60000 });
  if (r.error) return `${PYTHON} cannot run (${r.error.code ?? r.error.message})`;
  if (r.status !== 0) return (r.stderr.trim().split('\n').pop() || `exit status ${r.status}`);
  return null;
}

function compare(family, what, actual, expected, label) {
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  const values = actual.toTypedArray();
  if (expected.dtype !== 'float32') assertExact(values, expected.values, { shape: expected.shape, label });
  else assertClose(values, expected.values, { ...tolFor(family, what), shape: expected.shape, label });
}

test(`${COUNT} random layer configurations match PyTorch (seed ${seed})`, async (t) => {
  const missing = torchMissing();
  if (missing) {
    t.skip(`PyTorch not installed: ${missing}`);
    return;
  }
  console.log(`nn-live-parity: seed ${seed} (rerun with KINDLING_LIVE_SEED=${seed})`);
  const r = spawnSync(PYTHON, [SCRIPT, String(seed), String(COUNT)], { encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 });
  if (r.status === 2) { // live_nn.py's own "cannot import PyTorch"
    t.skip(`PyTorch not installed: ${r.stderr.trim()}`);
    return;
  }
  assert.equal(r.status, 0, `live_nn.py failed (seed ${seed}): ${r.stderr}`);
  const { cases, torch_version } = JSON.parse(r.stdout);
  assert.equal(cases.length, COUNT);
  for (const c of cases) {
    const args = c.args.map((a) => JSON.stringify(a));
    if (Object.keys(c.kwargs).length) args.push(JSON.stringify(c.kwargs));
    const what = `${c.name}: new nn.${c.module}(${args.join(', ')}) on ` +
      `[${c.steps[0].input.shape}] (${c.steps.map((s) => (s.training ? 'train' : 'eval')).join(', ')}; seed ${seed}, torch ${torch_version})`;
    await t.test(what, () => replayLayerCase(torch, c, compare));
  }
});
