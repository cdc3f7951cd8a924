// determinism.test.js: the same seed gives the same training run bit for bit (issue 7,
// part 4). A small CNN with dropout trains a few steps with SGD (momentum) and with Adam,
// from torch.manual_seed; the losses' float32 bit patterns (and a fingerprint of the final
// parameters) must agree between two runs in this process and one run in a child process.
// A different seed must give different losses (so the comparison is not vacuous). The
// Chromium half of the check lives with the page tests.
//
// Running this file with KINDLING_DETERMINISM_CHILD=1 prints the run as JSON instead of
// registering tests: that is how the child process is made.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as torch from '../dist/index.js';

const { nn, optim } = torch;
const SEED = 1234;
const STEPS = 6;

/** float32 bit pattern of a number, as 8 hex digits. */
const bits = (x) => new Uint32Array(Float32Array.of(x).buffer)[0].toString(16).padStart(8, '0');

/** FNV-1a over the bytes of every parameter: equal only if every bit is equal. */
function fingerprint(params) {
  let h = 0x811c9dc5;
  for (const p of params) {
    const bytes = new Uint8Array(p.toTypedArray().buffer);
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

class SmallCNN extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 4, 3, { padding: 1 });
    this.pool = new nn.MaxPool2d(2);
    this.drop2d = new nn.Dropout2d(0.2);
    this.conv2 = new nn.Conv2d(4, 8, 3);
    this.flatten = new nn.Flatten();
    this.fc1 = new nn.Linear(8 * 2 * 2, 16); // 8x8 -> pool 4x4 -> conv 2x2
    this.drop = new nn.Dropout(0.5);
    this.fc2 = new nn.Linear(16, 3);
  }
  forward(x) {
    x = this.drop2d(this.pool(this.conv1(x).relu()));
    x = this.conv2(x).relu();
    return this.fc2(this.drop(this.fc1(this.flatten(x)).relu()));
  }
}

/** One seeded run: data, model init, dropout masks and shuffling all come from the seed. */
export function trainingRun(seed = SEED) {
  torch.manual_seed(seed);
  const x = torch.randn(48, 1, 8, 8);
  const y = torch.randint(0, 3, [48]);
  const out = {};
  for (const name of ['SGD', 'Adam']) {
    const model = new SmallCNN();
    const opt = name === 'SGD' ? new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 })
      : new optim.Adam(model.parameters(), { lr: 0.01 });
    const criterion = new nn.CrossEntropyLoss();
    const loader = torch.utils?.data?.DataLoader
      ? new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), { batch_size: 16, shuffle: true })
      : [[x, y]];
    const losses = [];
    model.train();
    while (losses.length < STEPS) {
      for (const [xb, yb] of loader) {
        if (losses.length === STEPS) break;
        opt.zero_grad();
        const loss = criterion(model(xb), yb);
        loss.backward();
        opt.step();
        losses.push(bits(loss.item()));
      }
    }
    model.eval();
    const evalLoss = torch.no_grad(() => criterion(model(x), y).item());
    out[name] = { losses, evalLoss: bits(evalLoss), params: fingerprint(model.parameters()) };
    for (const p of model.parameters()) p.dispose();
    for (const s of opt.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor) v.dispose();
  }
  x.dispose();
  y.dispose();
  return out;
}

if (process.env.KINDLING_DETERMINISM_CHILD === '1') {
  process.stdout.write(JSON.stringify(trainingRun(Number(process.env.KINDLING_DETERMINISM_SEED ?? SEED))));
} else {
  test('the same seed gives bit-identical losses and parameters: twice in-process and in a child process', () => {
    const first = trainingRun();
    const second = trainingRun();
    const child = JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, KINDLING_DETERMINISM_CHILD: '1' }, encoding: 'utf8', timeout: 120000,
    }));
    for (const name of ['SGD', 'Adam']) {
      assert.equal(first[name].losses.length, STEPS);
      assert.deepEqual(second[name], first[name], `${name}: second in-process run differs`);
      assert.deepEqual(child[name], first[name], `${name}: child-process run differs`);
    }
    console.log(`losses (float32 bits), SGD: ${first.SGD.losses.join(' ')}; Adam: ${first.Adam.losses.join(' ')}`);
  });

  test('a different seed gives different losses (the comparison is not vacuous)', () => {
    const a = trainingRun(SEED), b = trainingRun(SEED + 1);
    assert.notDeepEqual(b.SGD.losses, a.SGD.losses);
    assert.notDeepEqual(b.Adam.losses, a.Adam.losses);
  });

  test('dropout is active in training (a mask differs between two draws)', () => {
    torch.manual_seed(SEED);
    const drop = new nn.Dropout(0.5);
    const ones = torch.ones(64);
    const m1 = drop(ones).toTypedArray(), m2 = drop(ones).toTypedArray();
    assert.ok(m1.some((v, i) => v !== m2[i]), 'two dropout masks are identical');
    ones.dispose();
  });
}
