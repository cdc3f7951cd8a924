// pytorch/tutorials beginner_source/basics/optimization_tutorial.py ("Optimizing Model
// Parameters"): hyperparameters, the train / test loops with model.train() / model.eval(),
// CrossEntropyLoss and SGD on FashionMNIST.
//
//   node examples/pytorch/optimization_tutorial.mjs [--train-size 8000] [--test-size 2000] [--epochs 10]
//
// Changed for JavaScript, and why:
// - torchvision is kindling/datasets and kindling/transforms: FashionMNIST is the bundled subset
//   of data/ (nothing downloads; root "data" is left out, which means the bundled files), and
//   --train-size / --test-size / --epochs choose a short run (Subset of the first N images):
//   tests/pytorch-programs.test.js uses 1,000 / 500 images for 2 epochs.
// - f-string formats are toFixed / padStart; `with torch.no_grad():` is torch.no_grad(() => ...);
//   enumerate counts by hand.
// - torch.manual_seed(0) first, so the initial weights are PyTorch's own.
// The Python twin is tests/fixtures/programs/optimization_tutorial.py.
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
    epochs: { type: 'string', default: '10' },
  },
});
const args = { train_size: Number(values['train-size']), test_size: Number(values['test-size']), epochs: Number(values.epochs) };

torch.manual_seed(0);

let training_data = await datasets.FashionMNIST.load({
  train: true,
  download: true,
  transform: new ToTensor(),
});

let test_data = await datasets.FashionMNIST.load({
  train: false,
  download: true,
  transform: new ToTensor(),
});
const range = (n) => [...Array(n).keys()];
training_data = new torch.utils.data.Subset(training_data, range(args.train_size));
test_data = new torch.utils.data.Subset(test_data, range(args.test_size));

const train_dataloader = new DataLoader(training_data, { batch_size: 64 });
const test_dataloader = new DataLoader(test_data, { batch_size: 64 });

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

const model = new NeuralNetwork();

const learning_rate = 1e-3;
const batch_size = 64;
let epochs = 5;

// Initialize the loss function
let loss_fn = new nn.CrossEntropyLoss();

let optimizer = new torch.optim.SGD(model.parameters(), { lr: learning_rate });

function train_loop(dataloader, model, loss_fn, optimizer) {
  const size = dataloader.dataset.len();
  // Set the model to training mode - important for batch normalization and dropout layers
  // Unnecessary in this situation but added for best practices
  model.train();
  let batch = 0;
  for (const [X, y] of dataloader) {
    // Compute prediction and loss
    const pred = model(X);
    let loss = loss_fn(pred, y);

    // Backpropagation
    loss.backward();
    optimizer.step();
    optimizer.zero_grad();

    if (batch % 100 === 0) {
      let current;
      [loss, current] = [loss.item(), batch * batch_size + X.shape[0]];
      console.log(`loss: ${loss.toFixed(6).padStart(7)}  [${String(current).padStart(5)}/${String(size).padStart(5)}]`);
    }
    batch++;
  }
}

function test_loop(dataloader, model, loss_fn) {
  // Set the model to evaluation mode - important for batch normalization and dropout layers
  // Unnecessary in this situation but added for best practices
  model.eval();
  const size = dataloader.dataset.len();
  const num_batches = dataloader.len();
  let test_loss = 0, correct = 0;

  // Evaluating the model with torch.no_grad() ensures that no gradients are computed during test mode
  // also serves to reduce unnecessary gradient computations and memory usage for tensors with requires_grad=True
  torch.no_grad(() => {
    for (const [X, y] of dataloader) {
      const pred = model(X);
      test_loss += loss_fn(pred, y).item();
      correct += pred.argmax(1).eq(y).type(torch.float).sum().item();
    }
  });

  test_loss /= num_batches;
  correct /= size;
  console.log(`Test Error: \n Accuracy: ${(100 * correct).toFixed(1)}%, Avg loss: ${test_loss.toFixed(6).padStart(8)} \n`);
}

loss_fn = new nn.CrossEntropyLoss();
optimizer = new torch.optim.SGD(model.parameters(), { lr: learning_rate });

epochs = args.epochs;
for (let t = 0; t < epochs; t++) {
  console.log(`Epoch ${t + 1}\n-------------------------------`);
  train_loop(train_dataloader, model, loss_fn, optimizer);
  test_loop(test_dataloader, model, loss_fn);
}
console.log('Done!');
