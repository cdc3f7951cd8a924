// The tutorial's loss section: nn.CrossEntropyLoss and its arguments on one small batch.
// Run: node examples/tutorial/criterion.mjs   (after ./build.sh)
// PyTorch prints the same numbers for the same code (tests/fixtures/generate_tutorial.py).
import * as torch from '../../dist/index.js';

const { nn } = torch;

// Raw scores (logits) of a model for 6 samples and 3 classes, and the true classes.
// CrossEntropyLoss applies log-softmax itself: no Softmax layer goes before it.
const output = torch.tensor([
  [2.0, 0.5, -1.0],
  [0.1, 1.2, 0.3],
  [-0.5, 0.2, 1.5],
  [1.0, 1.0, 1.0],
  [0.3, -1.2, 0.8],
  [2.2, 0.1, -0.4],
]);
const target = torch.tensor([0, 1, 2, 1, 2, 1]);

let criterion = new nn.CrossEntropyLoss();
console.log('CrossEntropyLoss() mean:', criterion(output, target).item());

// weight: imbalanced classes. Counts 300 / 2000 / 700 -> normalised inverse frequency.
// (JS writes 300.0 as 300, so the float dtype is asked for explicitly.)
const counts = torch.tensor([300, 2000, 700], { dtype: torch.float32 });
let weight = torch.ones([3]).div(counts);
weight = weight.div(weight.sum());
console.log('weight:', weight.tolist());
criterion = new nn.CrossEntropyLoss({ weight });
console.log('weighted mean:', criterion(output, target).item());
// 'mean' with a weight divides by the weights of the targets, not by the batch size
const perSample = new nn.CrossEntropyLoss({ weight, reduction: 'none' })(output, target);
console.log('same, by hand:', perSample.sum().div(weight.index_select(0, target).sum()).item());

// ignore_index: targets equal to it count for nothing (default -100)
const withDontCare = torch.tensor([0, 1, -100, 1, 2, -100]);
console.log('ignore -100, mean:', new nn.CrossEntropyLoss()(output, withDontCare).item());
console.log('ignore -100, none:', new nn.CrossEntropyLoss({ reduction: 'none' })(output, withDontCare).tolist());
console.log('ignore_index=1, mean:', new nn.CrossEntropyLoss({ ignore_index: 1 })(output, target).item());

// reduction: 'none' (per-sample losses, the string 'none'), 'sum', 'mean' (the default)
for (const reduction of ['none', 'sum', 'mean']) {
  const loss = new nn.CrossEntropyLoss({ reduction })(output, target);
  console.log(`reduction ${reduction}:`, loss.tolist());
}

// label_smoothing: the target puts 0.1 of its mass evenly over every class
console.log('label_smoothing 0.1:', new nn.CrossEntropyLoss({ label_smoothing: 0.1 })(output, target).item());
console.log('label_smoothing 0.1 with weight:',
  new nn.CrossEntropyLoss({ weight, label_smoothing: 0.1 })(output, target).item());
