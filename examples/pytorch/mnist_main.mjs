// pytorch/examples mnist/main.py (https://github.com/pytorch/examples/blob/main/mnist/main.py):
// the official MNIST example — Net with dropout and log_softmax, F.nll_loss, Adadelta(lr=1.0)
// with StepLR(step_size=1, gamma=0.7) — transcribed line by line.
//
//   node examples/pytorch/mnist_main.mjs [--epochs 14] [--batch-size 64] [--lr 1.0] [--gamma 0.7]
//        [--log-interval 10] [--seed 1] [--no-cuda] [--no-mps] [--dry-run] [--save-model]
//        [--train-size 8000] [--test-size 2000]
//
// Changed for JavaScript, and why:
// - argparse is node:util parseArgs (same flags and defaults); `with torch.no_grad():` is
//   torch.no_grad(() => ...); str.format is a template string with toFixed.
// - torchvision is kindling/datasets and kindling/transforms: MNIST is the bundled 8,000 /
//   2,000 subset of data/ (nothing downloads). --train-size / --test-size take the first N
//   images (torch.utils.data.Subset); the '../data' root is left out (no root means the bundled
//   files): tests/pytorch-programs.test.js runs 640 / 500 images for
//   2 epochs, logging every 2 batches.
// - This is the version with --no-cuda / --no-mps (2023; the newest asks torch.accelerator,
//   which PyTorch 1.13, the fixtures' source, does not have). kindling computes on the CPU:
//   torch.cuda / torch.backends.mps.is_available() are false, so those branches are never taken.
// The Python twin is tests/fixtures/programs/mnist_main.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';
import * as datasets from '../../dist/datasets/index.js';
import * as transforms from '../../dist/transforms/index.js';

const { nn, F, optim } = torch;
const { StepLR } = optim.lr_scheduler;

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
    x = this.conv1(x);
    x = F.relu(x);
    x = this.conv2(x);
    x = F.relu(x);
    x = F.max_pool2d(x, 2);
    x = this.dropout1(x);
    x = torch.flatten(x, 1);
    x = this.fc1(x);
    x = F.relu(x);
    x = this.dropout2(x);
    x = this.fc2(x);
    const output = F.log_softmax(x, { dim: 1 });
    return output;
  }
}

function train(args, model, device, train_loader, optimizer, epoch) {
  model.train();
  let batch_idx = 0;
  for (let [data, target] of train_loader) {
    [data, target] = [data.to(device), target.to(device)];
    optimizer.zero_grad();
    const output = model(data);
    const loss = F.nll_loss(output, target);
    loss.backward();
    optimizer.step();
    if (batch_idx % args.log_interval === 0) {
      console.log(`Train Epoch: ${epoch} [${batch_idx * data.shape[0]}/${train_loader.dataset.len()} ` +
        `(${(100 * batch_idx / train_loader.len()).toFixed(0)}%)]\tLoss: ${loss.item().toFixed(6)}`);
      if (args.dry_run) break;
    }
    batch_idx++;
  }
}

function test(model, device, test_loader) {
  model.eval();
  let test_loss = 0;
  let correct = 0;
  torch.no_grad(() => {
    for (let [data, target] of test_loader) {
      [data, target] = [data.to(device), target.to(device)];
      const output = model(data);
      test_loss += F.nll_loss(output, target, { reduction: 'sum' }).item(); // sum up batch loss
      const pred = output.argmax({ dim: 1, keepdim: true }); // get the index of the max log-probability
      correct += pred.eq(target.view_as(pred)).sum().item();
    }
  });

  test_loss /= test_loader.dataset.len();

  console.log(`\nTest set: Average loss: ${test_loss.toFixed(4)}, Accuracy: ${correct}/${test_loader.dataset.len()} ` +
    `(${(100 * correct / test_loader.dataset.len()).toFixed(0)}%)\n`);
}

async function main() {
  // Training settings
  const { values } = parseArgs({
    options: {
      'batch-size': { type: 'string', default: '64' },
      'test-batch-size': { type: 'string', default: '1000' },
      epochs: { type: 'string', default: '14' },
      lr: { type: 'string', default: '1.0' },
      gamma: { type: 'string', default: '0.7' },
      'no-cuda': { type: 'boolean', default: false },
      'no-mps': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      'log-interval': { type: 'string', default: '10' },
      'save-model': { type: 'boolean', default: false },
      'train-size': { type: 'string', default: '8000' }, // the first N images of the bundled sets
      'test-size': { type: 'string', default: '2000' },
    },
  });
  const args = {
    batch_size: Number(values['batch-size']), test_batch_size: Number(values['test-batch-size']),
    epochs: Number(values.epochs), lr: Number(values.lr), gamma: Number(values.gamma),
    no_cuda: values['no-cuda'], no_mps: values['no-mps'], dry_run: values['dry-run'], seed: Number(values.seed),
    log_interval: Number(values['log-interval']), save_model: values['save-model'],
    train_size: Number(values['train-size']), test_size: Number(values['test-size']),
  };
  const use_cuda = !args.no_cuda && torch.cuda.is_available();
  const use_mps = !args.no_mps && torch.backends.mps.is_available();

  torch.manual_seed(args.seed);

  let device;
  if (use_cuda) device = torch.device('cuda');
  else if (use_mps) device = torch.device('mps');
  else device = torch.device('cpu');

  const train_kwargs = { batch_size: args.batch_size };
  const test_kwargs = { batch_size: args.test_batch_size };
  if (use_cuda) {
    const cuda_kwargs = { num_workers: 1, pin_memory: true, shuffle: true };
    Object.assign(train_kwargs, cuda_kwargs);
    Object.assign(test_kwargs, cuda_kwargs);
  }

  const transform = new transforms.Compose([
    new transforms.ToTensor(),
    new transforms.Normalize([0.1307], [0.3081]),
  ]);
  let dataset1 = await datasets.MNIST.load({ train: true, download: true, transform });
  let dataset2 = await datasets.MNIST.load({ train: false, transform });
  const range = (n) => [...Array(n).keys()];
  dataset1 = new torch.utils.data.Subset(dataset1, range(args.train_size));
  dataset2 = new torch.utils.data.Subset(dataset2, range(args.test_size));
  const train_loader = new torch.utils.data.DataLoader(dataset1, train_kwargs);
  const test_loader = new torch.utils.data.DataLoader(dataset2, test_kwargs);

  const model = new Net().to(device);
  const optimizer = new optim.Adadelta(model.parameters(), { lr: args.lr });

  const scheduler = new StepLR(optimizer, { step_size: 1, gamma: args.gamma });
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    train(args, model, device, train_loader, optimizer, epoch);
    test(model, device, test_loader);
    scheduler.step();
  }

  if (args.save_model) await torch.save(model.state_dict(), 'mnist_cnn.pt');
}

await main();
