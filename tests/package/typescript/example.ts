// A TypeScript consumer of the installed kindling package: the main API with the shipped
// .d.ts. tests/package.test.js type-checks it with `tsc --noEmit --strict` (module
// resolution node16, and bundler without the DOM lib), then compiles and runs it in Node.
// The @ts-expect-error lines are part of the check: each must be an error, so the types are
// real (an `any` there would make tsc report an unused directive); they sit under
// `if (typeChecksOnly)` so the run skips them.
import * as torch from 'kindling';
import { F, Tensor, nn, optim } from 'kindling';
import { MNIST, readCsv, writeIdx, type Image } from 'kindling/datasets';
import { Compose, Normalize, RandomHorizontalFlip, ToTensor, Transform } from 'kindling/transforms';

torch.manual_seed(0);
const typeChecksOnly = false as boolean;

// --- tensors --------------------------------------------------------------------------------
const a: Tensor = torch.randn(8, 4);
const w = torch.zeros([4, 3], { requires_grad: true });
const shape: number[] = a.matmul(w).shape;
const [values, indices] = a.max(1);
const summed: Tensor = values.add(indices.float()).sum();
if (typeChecksOnly) {
  // @ts-expect-error: matmul takes a Tensor
  a.matmul('not a tensor');
}

// --- an nn.Module subclass, callable as model(x) --------------------------------------------
class Net extends nn.Module {
  fc1 = new nn.Linear(4, 16);
  fc2 = new nn.Linear(16, 3);
  forward(x: Tensor): Tensor {
    return this.fc2(F.relu(this.fc1(x)));
  }
}
const model = new Net();
const logits: Tensor = model(a);
if (typeChecksOnly) {
  // @ts-expect-error: Net.forward takes a Tensor, so model(x) does too
  model('not a tensor');
}

// --- TensorDataset + DataLoader, SGD + StepLR, cross_entropy --------------------------------
const x = torch.randn(96, 4);
const y = x.narrow(1, 0, 3).argmax(1); // int64 class indices 0..2
const dataset = new torch.utils.data.TensorDataset(x, y);
const loader = new torch.utils.data.DataLoader(dataset, { batch_size: 16, shuffle: true, generator: new torch.Generator().manual_seed(1) });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9 });
const scheduler = new optim.lr_scheduler.StepLR(optimizer, { step_size: 2, gamma: 0.5 });
const epochLosses: number[] = [];
for (let epoch = 0; epoch < 4; epoch++) {
  let sum = 0;
  for (const [xb, yb] of loader) {
    optimizer.zero_grad();
    const loss: Tensor = F.cross_entropy(model(xb), yb);
    loss.backward();
    optimizer.step();
    sum += loss.item() as number;
  }
  scheduler.step();
  epochLosses.push(sum / loader.length);
}
if (typeChecksOnly) {
  for (const batch of loader) {
    // @ts-expect-error: a TensorDataset of two tensors gives [Tensor, Tensor] batches
    const [, , third] = batch;
  }
}
const lr: number = scheduler.get_last_lr()[0];

// A Dataset subclass (Python's __len__ / __getitem__ are len() / getitem()).
class Squares extends torch.utils.data.Dataset<[Tensor, number]> {
  len(): number { return 10; }
  getitem(i: number): [Tensor, number] { return [torch.full([2], i), i * i]; }
}
const squares = new torch.utils.data.DataLoader(new Squares(), { batch_size: 5 });
const squareSums: number[] = [];
for (const [inputs, targets] of squares) squareSums.push(targets.sum().item() as number, inputs.shape[0]);

// --- no_grad, save / load -------------------------------------------------------------------
const accuracy = torch.no_grad(() => model(x).argmax(1).eq(y).float().mean().item());
const bytes: Uint8Array = torch.save(model.state_dict());
const restored = new Net();
restored.load_state_dict(torch.load(bytes));
const same = torch.no_grad(() => restored(x).sub(model(x)).abs().max().item());

// --- kindling/datasets and kindling/transforms ----------------------------------------------
const transform = new Compose([new RandomHorizontalFlip(), new ToTensor(), new Normalize([0.1307], [0.3081])]);
const image: Image = { data: new Uint8Array(28 * 28).fill(128), width: 28, height: 28, channels: 1 };
const pixels: Tensor = transform(image);
if (typeChecksOnly) {
  // @ts-expect-error: ToTensor takes an image, not a Tensor
  new ToTensor()(pixels);
}
class Scale extends Transform<Tensor, Tensor> {
  forward(t: Tensor): Tensor { return t.mul(2); }
}
const scaled: Tensor = new Scale()(pixels);
const flipped: Image = new RandomHorizontalFlip(1)(image); // the geometric transforms keep the kind

const n = 8;
const mnist = await MNIST.load({
  images: writeIdx({ shape: [n, 28, 28], data: new Uint8Array(n * 28 * 28) }),
  labels: writeIdx({ shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) }),
  transform,
});
const [sample, label]: [Tensor, number] = mnist.getitem(0);
const mnistLoader = new torch.utils.data.DataLoader(mnist, { batch_size: 4 });
const batchShapes: number[][] = [];
for (const [images, labels] of mnistLoader) batchShapes.push(images.shape, labels.shape);
const table = readCsv('label,a,b\n1,0.5,2\n0,3,4\n');

// --- exact types (checked by tsc, nothing to run) -------------------------------------------
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type BatchOf<L> = L extends torch.utils.data.DataLoader<any, infer B> ? B : never;
const exact: [
  Equal<BatchOf<typeof loader>, [Tensor, Tensor]>,
  Equal<BatchOf<typeof mnistLoader>, [Tensor, Tensor]>,
  Equal<BatchOf<typeof squares>, [Tensor, Tensor]>,
  Equal<ReturnType<typeof mnist.getitem>, [Tensor, number]>,
  Equal<ReturnType<typeof transform.forward>, Tensor>,
  Equal<ReturnType<typeof model>, Tensor>,
] = [true, true, true, true, true, true];

console.log(JSON.stringify({
  shape, summed: summed.shape, logits: logits.shape, epochLosses, lr, accuracy, same,
  pixels: pixels.shape, scaled: scaled.shape, flipped: flipped.width, sample: sample.shape, label,
  batchShapes, squareSums, csvRows: table.rows, exact: exact.every(Boolean), memory: torch.memory_stats().live_tensors > 0,
}));
