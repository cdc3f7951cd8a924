// A Node ESM consumer of the installed kindling package (tests/package.test.js copies this
// into a fresh project that ran `npm install kindling-<version>.tgz`): trains a tiny MLP for
// 20 steps and checks that the kindling/datasets and kindling/transforms subpaths resolve
// and work. Prints one JSON line for the test to read.
import * as torch from 'kindling';
import * as datasets from 'kindling/datasets';
import * as transforms from 'kindling/transforms';
import { createRequire } from 'node:module';

torch.manual_seed(0);
const x = torch.randn(64, 4);
const y = x.sum(1).gt(0).long();
const model = new torch.nn.Sequential(new torch.nn.Linear(4, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 2));
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.5 });
const losses = [];
for (let step = 0; step < 20; step++) {
  optimizer.zero_grad();
  const loss = torch.F.cross_entropy(model(x), y);
  loss.backward();
  optimizer.step();
  losses.push(loss.item());
}

// kindling/datasets: an IDX round trip; kindling/transforms: an image through ToTensor + Normalize.
const idx = datasets.parseIdx(datasets.writeIdx({ shape: [2, 3], data: Uint8Array.from([0, 1, 2, 3, 4, 255]) }));
const image = { data: Uint8Array.from([0, 51, 102, 255]), width: 2, height: 2, channels: 1 };
const pipeline = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.5], [0.5])]);
const t = pipeline(image);
const require = createRequire(import.meta.url);

console.log(JSON.stringify({
  losses,
  matmul: torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).matmul(torch.tensor([[5, 6], [7, 8]], { dtype: 'float32' })).tolist(),
  idx: { dtype: idx.dtype, shape: idx.shape, data: Array.from(idx.data) },
  transformed: { shape: t.shape, values: Array.from(t.toTypedArray(), (v) => Math.round(v * 1000) / 1000) },
  hasMNIST: typeof datasets.MNIST === 'function',
  version: require('kindling/package.json').version,
  resolved: {
    main: import.meta.resolve('kindling'),
    datasets: import.meta.resolve('kindling/datasets'),
    transforms: import.meta.resolve('kindling/transforms'),
  },
}));
