// A full checkpoint — model, optimizer, scheduler, generator state, epoch and DataLoader
// position — saved mid-epoch with torch.save and resumed gives a trajectory bit-identical
// to the uninterrupted run.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';

const { nn, F, optim } = torch;
const { DataLoader, TensorDataset } = torch.utils.data;

class Net extends nn.Module {
  constructor() {
    super();
    this.conv = new nn.Conv2d(1, 4, 3);
    this.drop = new nn.Dropout(0.3);
    this.fc = new nn.Linear(4 * 6 * 6, 5);
  }
  forward(x) {
    x = F.max_pool2d(F.relu(this.conv(x)), 2);
    return this.fc(this.drop(torch.flatten(x, 1)));
  }
}

torch.manual_seed(0);
const x = torch.randn(96, 1, 14, 14), y = torch.randint(0, 5, [96]); // the data is not part of a checkpoint

function setup(seed) {
  torch.manual_seed(seed);
  const model = new Net();
  const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
  const scheduler = new optim.lr_scheduler.StepLR(optimizer, { step_size: 1, gamma: 0.5 });
  const loader = new DataLoader(new TensorDataset(x, y), { batch_size: 16, shuffle: true });
  return { model, optimizer, scheduler, loader };
}

/** Trains from `epoch`, stopping after `stopAt` batches of the stop epoch; returns losses as float bits. */
function train(parts, { epoch = 0, epochs = 3, stopAt = null } = {}) {
  const { model, optimizer, scheduler, loader } = parts;
  const losses = [];
  for (; epoch < epochs; epoch++) {
    let batch = 0;
    for (const [x, y] of loader) {
      optimizer.zero_grad();
      const loss = F.cross_entropy(model(x), y);
      loss.backward();
      optimizer.step();
      losses.push(new Uint32Array(new Float32Array([loss.item()]).buffer)[0]);
      batch++;
      if (stopAt && epoch === stopAt.epoch && batch === stopAt.batch) {
        return { losses, checkpoint: torch.save({
          model: model.state_dict(), optimizer: optimizer.state_dict(), scheduler: scheduler.state_dict(),
          rng: torch.tensor(torch.get_rng_state()), loader: loader.state_dict(), epoch,
        }) };
      }
    }
    scheduler.step();
  }
  return { losses };
}

test('a checkpoint saved mid-epoch resumes bit for bit', () => {
  const whole = train(setup(7));
  const first = train(setup(7), { stopAt: { epoch: 1, batch: 3 } });
  assert.deepEqual(first.losses, whole.losses.slice(0, first.losses.length));

  const bytes = first.checkpoint;
  assert.ok(bytes instanceof Uint8Array && bytes.length > 1000);
  const saved = torch.load(bytes);
  const fresh = setup(123); // different init and order: everything must come from the checkpoint
  fresh.model.load_state_dict(saved.model);
  fresh.optimizer.load_state_dict(saved.optimizer);
  fresh.scheduler.load_state_dict(saved.scheduler);
  fresh.loader.load_state_dict(saved.loader);
  torch.set_rng_state(Uint8Array.from(saved.rng.toTypedArray()));
  // The interrupted epoch continues where it stopped (the scheduler steps at its end).
  const rest = train(fresh, { epoch: saved.epoch });
  assert.deepEqual([...first.losses, ...rest.losses], whole.losses);
});

test('DataLoader.load_state_dict rejects a bad position clearly', () => {
  const { loader } = setup(1);
  assert.throws(() => loader.load_state_dict({ batches: [[0, 1]], position: 5 }), /^RangeError: DataLoader.load_state_dict: expected/);
  assert.throws(() => loader.load_state_dict(7), /^TypeError: DataLoader.load_state_dict: expected a state_dict/);
  assert.equal([...loader].length, 6); // still usable: a full pass
});
