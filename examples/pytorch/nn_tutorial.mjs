// pytorch/tutorials beginner_source/nn_tutorial.py ("What is torch.nn really?", Jeremy Howard):
// logistic regression on MNIST from raw tensors — hand-made log_softmax and nll with advanced
// indexing, manual updates `weights -= weights.grad * lr` under no_grad, grad.zero_() — then
// refactored step by step: F.cross_entropy, nn.Module with nn.Parameter, nn.Linear, optim,
// TensorDataset (sliced: train_ds[i*bs : i*bs+bs]), DataLoader, validation, a CNN, nn.Sequential
// with a Lambda layer, a wrapped DataLoader, AdaptiveAvgPool2d, and device-generic code.
//
//   node examples/pytorch/nn_tutorial.mjs [--train-size 8000] [--valid-size 2000]
//
// Changed for JavaScript, and why:
// - Python syntax: x[a:b] is x.index('a:b') (written as `${a}:${b}`), input[range(n), target]
//   is input.index(torch.arange(n), target), train_ds[a:b] is train_ds.slice(a, b),
//   `@` is matmul, `-x` is neg(), `w -= w.grad * lr` is w.sub_(w.grad.mul(lr)),
//   `with torch.no_grad():` is torch.no_grad(() => ...), generators are JS generators,
//   len(x) is x.len() / x.shape[0], zip(*...) and np.sum are loops. A module cannot declare a
//   function twice, so the first fit() is fit_manual(); redefined classes and functions are
//   `let` bindings.
// - The data: the tutorial downloads deeplearning.net's mnist.pkl.gz (50,000 / 10,000 images as
//   float rows in [0, 1]); here the bundled MNIST subset of data/ (kindling/datasets; .data is
//   its 0-255 pixels as float32) is divided by 255 into the same layout, and --train-size /
//   --valid-size take the first N images: tests/pytorch-programs.test.js uses 2,000 / 1,000.
//   The matplotlib cell and IPython's set_trace import are left out; the bare expressions a
//   notebook shows (x_train.shape, ...) are printed.
// - torch.manual_seed(0) first, so the weights and shuffles are PyTorch's own.
// - Not JavaScript syntax, and so a difference from PyTorch: the first loop's last batch (xb, yb)
//   is read again after the 64 steps of fit(); kindling releases a tensor computed in a loop
//   two steps after its last use (README, "Memory: the rule"), so the program calls
//   xb.keep() / yb.keep() after that loop.
// The Python twin is tests/fixtures/programs/nn_tutorial.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';
import { MNIST } from '../../dist/datasets/index.js';

const { values } = parseArgs({
  options: { 'train-size': { type: 'string', default: '8000' }, 'valid-size': { type: 'string', default: '2000' } },
});
const args = { train_size: Number(values['train-size']), valid_size: Number(values['valid-size']) };

torch.manual_seed(0);

async function mnistRows(train, size) { // pickle.load of mnist.pkl.gz
  const ds = await MNIST.load({ train });
  return [ds.data.narrow(0, 0, size).reshape(size, 784).div(255), ds.targets.narrow(0, 0, size)];
}
let [[x_train, y_train], [x_valid, y_valid]] = [await mnistRows(true, args.train_size), await mnistRows(false, args.valid_size)];
console.log(x_train.shape);

const [n, c] = x_train.shape;
console.log(x_train, y_train);
console.log(x_train.shape);
console.log(y_train.min(), y_train.max());

const weights = torch.randn(784, 10).div(Math.sqrt(784));
weights.requires_grad_();
const bias = torch.zeros(10, { requires_grad: true });

function log_softmax(x) {
  return x.sub(x.exp().sum(-1).log().unsqueeze(-1));
}

let model = (xb) => log_softmax(xb.matmul(weights).add(bias));

const bs = 64; // batch size

let xb = x_train.index(`0:${bs}`); // a mini-batch from x
const preds = model(xb); // predictions
console.log(preds.index(0), preds.shape);

function nll(input, target) {
  return input.index(torch.arange(target.shape[0]), target).mean().neg();
}

let loss_func = nll;

let yb = y_train.index(`0:${bs}`);
console.log(loss_func(preds, yb));

function accuracy(out, yb) {
  const preds = torch.argmax(out, { dim: 1 });
  return preds.eq(yb).float().mean();
}

console.log(accuracy(preds, yb));

let lr = 0.5; // learning rate
const epochs = 2; // how many epochs to train for

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    const start_i = i * bs;
    const end_i = start_i + bs;
    xb = x_train.index(`${start_i}:${end_i}`);
    yb = y_train.index(`${start_i}:${end_i}`);
    const pred = model(xb);
    const loss = loss_func(pred, yb);

    loss.backward();
    torch.no_grad(() => {
      weights.sub_(weights.grad.mul(lr));
      bias.sub_(bias.grad.mul(lr));
      weights.grad.zero_();
      bias.grad.zero_();
    });
  }
}
xb.keep(); // kindling's memory rule: the last batch is read again after many more steps
yb.keep();

console.log(loss_func(model(xb), yb), accuracy(model(xb), yb));

const F = torch.nn.functional;

loss_func = F.cross_entropy;

model = (xb) => xb.matmul(weights).add(bias);

console.log(loss_func(model(xb), yb), accuracy(model(xb), yb));

const { nn } = torch;

let Mnist_Logistic = class extends nn.Module {
  constructor() {
    super();
    this.weights = new nn.Parameter(torch.randn(784, 10).div(Math.sqrt(784)));
    this.bias = new nn.Parameter(torch.zeros(10));
  }

  forward(xb) {
    return xb.matmul(this.weights).add(this.bias);
  }
};

model = new Mnist_Logistic();
console.log(loss_func(model(xb), yb));

function fit_manual() {
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
      const start_i = i * bs;
      const end_i = start_i + bs;
      const xb = x_train.index(`${start_i}:${end_i}`);
      const yb = y_train.index(`${start_i}:${end_i}`);
      const pred = model(xb);
      const loss = loss_func(pred, yb);

      loss.backward();
      torch.no_grad(() => {
        for (const p of model.parameters()) p.sub_(p.grad.mul(lr));
        model.zero_grad();
      });
    }
  }
}

fit_manual();
console.log(loss_func(model(xb), yb));

Mnist_Logistic = class extends nn.Module {
  constructor() {
    super();
    this.lin = new nn.Linear(784, 10);
  }

  forward(xb) {
    return this.lin(xb);
  }
};

model = new Mnist_Logistic();
console.log(loss_func(model(xb), yb));
fit_manual();
console.log(loss_func(model(xb), yb));

const { optim } = torch;

function get_model() {
  const model = new Mnist_Logistic();
  return [model, new optim.SGD(model.parameters(), { lr })];
}

let opt;
[model, opt] = get_model();
console.log(loss_func(model(xb), yb));

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    const start_i = i * bs;
    const end_i = start_i + bs;
    xb = x_train.index(`${start_i}:${end_i}`);
    yb = y_train.index(`${start_i}:${end_i}`);
    const pred = model(xb);
    const loss = loss_func(pred, yb);

    loss.backward();
    opt.step();
    opt.zero_grad();
  }
}

console.log(loss_func(model(xb), yb));

const { TensorDataset } = torch.utils.data;

let train_ds = new TensorDataset(x_train, y_train);

[model, opt] = get_model();

for (let epoch = 0; epoch < epochs; epoch++) {
  for (let i = 0; i < Math.floor((n - 1) / bs) + 1; i++) {
    [xb, yb] = train_ds.slice(i * bs, i * bs + bs);
    const pred = model(xb);
    const loss = loss_func(pred, yb);

    loss.backward();
    opt.step();
    opt.zero_grad();
  }
}

console.log(loss_func(model(xb), yb));

const { DataLoader } = torch.utils.data;

train_ds = new TensorDataset(x_train, y_train);
let train_dl = new DataLoader(train_ds, { batch_size: bs });

[model, opt] = get_model();

for (let epoch = 0; epoch < epochs; epoch++) {
  for ([xb, yb] of train_dl) {
    const pred = model(xb);
    const loss = loss_func(pred, yb);

    loss.backward();
    opt.step();
    opt.zero_grad();
  }
}

console.log(loss_func(model(xb), yb));

train_ds = new TensorDataset(x_train, y_train);
train_dl = new DataLoader(train_ds, { batch_size: bs, shuffle: true });

const valid_ds = new TensorDataset(x_valid, y_valid);
let valid_dl = new DataLoader(valid_ds, { batch_size: bs * 2 });

[model, opt] = get_model();

for (let epoch = 0; epoch < epochs; epoch++) {
  model.train();
  for ([xb, yb] of train_dl) {
    const pred = model(xb);
    const loss = loss_func(pred, yb);

    loss.backward();
    opt.step();
    opt.zero_grad();
  }

  model.eval();
  const valid_loss = torch.no_grad(() => {
    let sum = 0; // Python's sum() starts from 0
    for (const [xb, yb] of valid_dl) sum = loss_func(model(xb), yb).add(sum);
    return sum;
  });

  console.log(epoch, valid_loss.div(valid_dl.len()));
}

function loss_batch(model, loss_func, xb, yb, opt = null) {
  const loss = loss_func(model(xb), yb);

  if (opt !== null) {
    loss.backward();
    opt.step();
    opt.zero_grad();
  }

  return [loss.item(), xb.shape[0]];
}

function fit(epochs, model, loss_func, opt, train_dl, valid_dl) {
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for (const [xb, yb] of train_dl) loss_batch(model, loss_func, xb, yb, opt);

    model.eval();
    const [losses, nums] = torch.no_grad(() => {
      const losses = [], nums = [];
      for (const [xb, yb] of valid_dl) {
        const [loss, num] = loss_batch(model, loss_func, xb, yb);
        losses.push(loss);
        nums.push(num);
      }
      return [losses, nums];
    });
    const val_loss = losses.reduce((s, l, i) => s + l * nums[i], 0) / nums.reduce((s, m) => s + m, 0);

    console.log(epoch, val_loss);
  }
}

function get_data(train_ds, valid_ds, bs) {
  return [
    new DataLoader(train_ds, { batch_size: bs, shuffle: true }),
    new DataLoader(valid_ds, { batch_size: bs * 2 }),
  ];
}

[train_dl, valid_dl] = get_data(train_ds, valid_ds, bs);
[model, opt] = get_model();
fit(epochs, model, loss_func, opt, train_dl, valid_dl);

class Mnist_CNN extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 16, { kernel_size: 3, stride: 2, padding: 1 });
    this.conv2 = new nn.Conv2d(16, 16, { kernel_size: 3, stride: 2, padding: 1 });
    this.conv3 = new nn.Conv2d(16, 10, { kernel_size: 3, stride: 2, padding: 1 });
  }

  forward(xb) {
    xb = xb.view(-1, 1, 28, 28);
    xb = F.relu(this.conv1(xb));
    xb = F.relu(this.conv2(xb));
    xb = F.relu(this.conv3(xb));
    xb = F.avg_pool2d(xb, 4);
    return xb.view(-1, xb.size(1));
  }
}

lr = 0.1;

model = new Mnist_CNN();
opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });

fit(epochs, model, loss_func, opt, train_dl, valid_dl);

class Lambda extends nn.Module {
  constructor(func) {
    super();
    this.func = func;
  }

  forward(x) {
    return this.func(x);
  }
}

let preprocess = (x) => x.view(-1, 1, 28, 28);

model = new nn.Sequential(
  new Lambda(preprocess),
  new nn.Conv2d(1, 16, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 16, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 10, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.AvgPool2d(4),
  new Lambda((x) => x.view(x.size(0), -1)),
);

opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });

fit(epochs, model, loss_func, opt, train_dl, valid_dl);

preprocess = (x, y) => [x.view(-1, 1, 28, 28), y];

class WrappedDataLoader {
  constructor(dl, func) {
    this.dl = dl;
    this.func = func;
  }

  len() {
    return this.dl.len();
  }

  *[Symbol.iterator]() {
    for (const b of this.dl) yield this.func(...b);
  }
}

[train_dl, valid_dl] = get_data(train_ds, valid_ds, bs);
train_dl = new WrappedDataLoader(train_dl, preprocess);
valid_dl = new WrappedDataLoader(valid_dl, preprocess);

model = new nn.Sequential(
  new nn.Conv2d(1, 16, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 16, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.Conv2d(16, 10, { kernel_size: 3, stride: 2, padding: 1 }),
  new nn.ReLU(),
  new nn.AdaptiveAvgPool2d(1),
  new Lambda((x) => x.view(x.size(0), -1)),
);

opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });

fit(epochs, model, loss_func, opt, train_dl, valid_dl);

console.log(torch.cuda.is_available());

const dev = torch.cuda.is_available() ? torch.device('cuda') : torch.device('cpu');

preprocess = (x, y) => [x.view(-1, 1, 28, 28).to(dev), y.to(dev)];

[train_dl, valid_dl] = get_data(train_ds, valid_ds, bs);
train_dl = new WrappedDataLoader(train_dl, preprocess);
valid_dl = new WrappedDataLoader(valid_dl, preprocess);

model.to(dev);
opt = new optim.SGD(model.parameters(), { lr, momentum: 0.9 });

fit(epochs, model, loss_func, opt, train_dl, valid_dl);
