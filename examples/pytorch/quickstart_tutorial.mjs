// pytorch/tutorials beginner_source/basics/quickstart_tutorial.py ("Quickstart"): FashionMNIST,
// DataLoaders, a device-generic MLP (torch.cuda.is_available()), CrossEntropyLoss and SGD, the
// train / test loops, saving and reloading the state_dict, one prediction.
//
//   node examples/pytorch/quickstart_tutorial.mjs [--train-size 8000] [--test-size 2000] [--epochs 5]
//
// Changed for JavaScript, and why:
// - torchvision is kindling/datasets and kindling/transforms: FashionMNIST is the bundled
//   8,000 / 2,000 subset of data/ (nothing downloads; root "data" is left out, which means the
//   bundled files), and --train-size / --test-size / --epochs choose a short run
//   (torch.utils.data.Subset of the first N images): tests/pytorch-programs.test.js uses
//   1,000 / 500 images for 2 epochs.
// - f-string formats are toFixed / padStart; `with torch.no_grad():` is torch.no_grad(() => ...);
//   enumerate counts by hand; classes[pred[0].argmax(0)] is classes[pred.index(0).argmax(0).item()].
// - torch.manual_seed(0) first, so the initial weights are PyTorch's own.
// The Python twin is tests/fixtures/programs/quickstart_tutorial.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';
import * as datasets from '../../dist/datasets/index.js';
import { ToTensor } from '../../dist/transforms/index.js';

const { nn } = torch;
const { DataLoader } = torch.utils.data;
const { values } = parseArgs({
  options: {
    'train-size': { type: 'string', default: '8000' },
    'test-size': { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '5' },
  },
});
const args = { train_size: Number(values['train-size']), test_size: Number(values['test-size']), epochs: Number(values.epochs) };

torch.manual_seed(0);

// Download training data from open datasets.
let training_data = await datasets.FashionMNIST.load({
  train: true,
  download: true,
  transform: new ToTensor(),
});

// Download test data from open datasets.
let test_data = await datasets.FashionMNIST.load({
  train: false,
  download: true,
  transform: new ToTensor(),
});
const range = (n) => [...Array(n).keys()];
training_data = new torch.utils.data.Subset(training_data, range(args.train_size));
test_data = new torch.utils.data.Subset(test_data, range(args.test_size));

const batch_size = 64;

// Create data loaders.
const train_dataloader = new DataLoader(training_data, { batch_size });
const test_dataloader = new DataLoader(test_data, { batch_size });

for (const [X, y] of test_dataloader) {
  console.log(`Shape of X [N, C, H, W]: ${X.shape}`);
  console.log(`Shape of y: ${y.shape} ${y.dtype}`);
  break;
}

const device = (
  torch.cuda.is_available()
    ? 'cuda'
    : torch.backends.mps.is_available()
      ? 'mps'
      : 'cpu'
);
console.log(`Using ${device} device`);

// Define model
class NeuralNetwork extends nn.Module {
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }

  forward(x) {
    x = this.flatten(x);
    const logits = this.linear_relu_stack(x);
    return logits;
  }
}

let model = new NeuralNetwork().to(device);
console.log(String(model));

const loss_fn = new nn.CrossEntropyLoss();
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 1e-3 });

function train(dataloader, model, loss_fn, optimizer) {
  const size = dataloader.dataset.len();
  model.train();
  let batch = 0;
  for (let [X, y] of dataloader) {
    [X, y] = [X.to(device), y.to(device)];

    // Compute prediction error
    const pred = model(X);
    let loss = loss_fn(pred, y);

    // Backpropagation
    loss.backward();
    optimizer.step();
    optimizer.zero_grad();

    if (batch % 100 === 0) {
      let current;
      [loss, current] = [loss.item(), (batch + 1) * X.shape[0]];
      console.log(`loss: ${loss.toFixed(6).padStart(7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`);
    }
    batch++;
  }
}

function test(dataloader, model, loss_fn) {
  const size = dataloader.dataset.len();
  const num_batches = dataloader.len();
  model.eval();
  let test_loss = 0, correct = 0;
  torch.no_grad(() => {
    for (let [X, y] of dataloader) {
      [X, y] = [X.to(device), y.to(device)];
      const pred = model(X);
      test_loss += loss_fn(pred, y).item();
      correct += pred.argmax(1).eq(y).type(torch.float).sum().item();
    }
  });
  test_loss /= num_batches;
  correct /= size;
  console.log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${test_loss.toFixed(6).padStart(8)} \n`);
}

const epochs = args.epochs;
for (let t = 0; t < epochs; t++) {
  console.log(`Epoch ${t + 1}\n-------------------------------`);
  train(train_dataloader, model, loss_fn, optimizer);
  test(test_dataloader, model, loss_fn);
}
console.log('Done!');

await torch.save(model.state_dict(), 'model.pth');
console.log('Saved PyTorch Model State to model.pth');

model = new NeuralNetwork().to(device);
model.load_state_dict(await torch.load('model.pth'));

const classes = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

model.eval();
let [x, y] = [test_data.getitem(0)[0], test_data.getitem(0)[1]];
torch.no_grad(() => {
  x = x.to(device);
  const pred = model(x);
  const [predicted, actual] = [classes[pred.index(0).argmax(0).item()], classes[y]];
  console.log(`Predicted: "${predicted}", Actual: "${actual}"`);
});
