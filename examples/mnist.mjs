// The tutorial end to end in Node: load MNIST, design the CNN, choose the loss, the
// optimizer and the scheduler (in that order), train with a progress bar, evaluate, save
// the model, reload it and check that it reproduces the test accuracy.
//
//   node examples/mnist.mjs [--dataset mnist|fashion-mnist] [--epochs 3] [--optimizer sgd|adam]
//                           [--lr 0.01] [--batch-size 64] [--seed 1] [--out mnist_cnn.pt]
//
// The data is the bundled 8,000 / 2,000 split of data/ (scripts/prepare-data.mjs).
import { parseArgs } from 'node:util';
import * as torch from '../dist/index.js';
import { FashionMNIST, MNIST } from '../dist/datasets/index.js';
import * as transforms from '../dist/transforms/index.js';

const { nn, F, optim } = torch;
const { values: args } = parseArgs({
  options: {
    dataset: { type: 'string', default: 'mnist' },
    epochs: { type: 'string', default: '3' },
    optimizer: { type: 'string', default: 'sgd' },
    lr: { type: 'string' },
    'batch-size': { type: 'string', default: '64' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'mnist_cnn.pt' },
  },
});
const epochs = Number(args.epochs), batchSize = Number(args['batch-size']);
const started = performance.now();
torch.manual_seed(Number(args.seed));

// 1. Data: images to tensors, normalised with the training set's mean and std.
const Data = args.dataset === 'fashion-mnist' ? FashionMNIST : MNIST;
const [mean, std] = args.dataset === 'fashion-mnist' ? [0.2860, 0.3530] : [0.1307, 0.3081];
const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([mean], [std])]);
const trainSet = await Data.load({ train: true, transform });
const testSet = await Data.load({ train: false, transform });
const trainLoader = new torch.utils.data.DataLoader(trainSet, { batch_size: batchSize, shuffle: true });
const testLoader = new torch.utils.data.DataLoader(testSet, { batch_size: 1000 });

// 2. The CNN of PyTorch's MNIST example (it outputs logits: CrossEntropyLoss applies log-softmax).
class Net extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 32, 3, 1);
    this.conv2 = new nn.Conv2d(32, 64, 3, 1);
    this.dropout1 = new nn.Dropout(0.25);
    this.dropout2 = new nn.Dropout(0.5);
    this.fc1 = new nn.Linear(9216, 128);
    this.fc2 = new nn.Linear(128, 10);
  }
  forward(x) {
    x = F.relu(this.conv1(x));
    x = F.relu(this.conv2(x));
    x = F.max_pool2d(x, 2);
    x = this.dropout1(x);
    x = torch.flatten(x, 1);
    x = F.relu(this.fc1(x));
    x = this.dropout2(x);
    return this.fc2(x);
  }
}
const model = new Net();

// 3. Model -> loss -> optimizer -> scheduler, in that order.
const criterion = new nn.CrossEntropyLoss();
const optimizer = args.optimizer === 'adam'
  ? new optim.Adam(model.parameters(), { lr: Number(args.lr ?? 1e-3) })
  : new optim.SGD(model.parameters(), { lr: Number(args.lr ?? 0.03), momentum: 0.9 });
const scheduler = new optim.lr_scheduler.StepLR(optimizer, { step_size: 1, gamma: 0.7 }); // as PyTorch's example

function progress(epoch, batch, batches, loss, seen, seconds) {
  const width = 24, done = Math.round((batch / batches) * width);
  const rate = seen / seconds, eta = (batches - batch) * batchSize / rate;
  process.stdout.write(`${process.stdout.isTTY ? '\r' : ''}epoch ${epoch} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${batch}/${batches} ` +
    `loss ${loss.toFixed(4)}  ${rate.toFixed(0)} samples/s  ETA ${eta.toFixed(0)} s  ${process.stdout.isTTY ? '' : '\n'}`);
}

function evaluate(net) {
  net.eval();
  let loss = 0, correct = 0;
  torch.no_grad(() => {
    for (const [x, y] of testLoader) {
      const out = net(x);
      loss += criterion(out, y).item() * y.shape[0];
      correct += out.argmax(1).eq(y).sum().item();
    }
  });
  return { loss: loss / testSet.len(), accuracy: correct / testSet.len() };
}

console.log(`${Data.name}: ${trainSet.len()} training and ${testSet.len()} test images; ` +
  `${args.optimizer === 'adam' ? 'Adam' : 'SGD(momentum=0.9)'}, StepLR(step_size=1, gamma=0.7), ${epochs} epochs\n`);
console.log(String(model) + '\n');
const table = [];
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  const t0 = performance.now();
  let seen = 0, total = 0, batch = 0;
  const lr = scheduler.get_last_lr()[0];
  for (const [x, y] of trainLoader) {
    optimizer.zero_grad();
    const loss = criterion(model(x), y);
    loss.backward();
    optimizer.step();
    const value = loss.item();
    if (!Number.isFinite(value)) throw new Error(`the loss became ${value}: lower the learning rate`);
    total += value * y.shape[0];
    seen += y.shape[0];
    batch++;
    // A live bar on a terminal; a line every 25 batches when the output is a log.
    const every = process.stdout.isTTY ? 5 : 25;
    if (batch % every === 0 || batch === trainLoader.len())
      progress(epoch, batch, trainLoader.len(), value, seen, (performance.now() - t0) / 1000);
  }
  scheduler.step();
  const seconds = (performance.now() - t0) / 1000;
  const test = evaluate(model);
  table.push({ epoch, lr, train_loss: total / seen, test_loss: test.loss, test_accuracy: test.accuracy, seconds, rate: seen / seconds });
  if (process.stdout.isTTY) process.stdout.write('\n');
}

console.log('\nepoch  lr        train loss  test loss  test accuracy  time     samples/s');
for (const r of table)
  console.log(`${String(r.epoch).padStart(5)}  ${r.lr.toExponential(1).padEnd(8)}  ${r.train_loss.toFixed(4).padStart(10)}  ` +
    `${r.test_loss.toFixed(4).padStart(9)}  ${(r.test_accuracy * 100).toFixed(2).padStart(12)}%  ${r.seconds.toFixed(1).padStart(5)} s  ${r.rate.toFixed(0).padStart(9)}`);

// Save, reload into a fresh model, and check the reloaded model gives the same accuracy.
const final = table[table.length - 1].test_accuracy;
await torch.save(model.state_dict(), args.out);
const reloaded = new Net();
reloaded.load_state_dict(await torch.load(args.out));
const again = evaluate(reloaded).accuracy;
console.log(`\nsaved ${args.out}; reloaded model's test accuracy ${(again * 100).toFixed(2)}% ` +
  `(${again === final ? 'identical' : 'DIFFERENT'})`);
console.log(`wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (again !== final) process.exitCode = 1;
