// MultiStepLR(milestones=[20, 50], gamma=0.1): lr x0.1 at epoch 20 and again at epoch 50.
// Run: node examples/tutorial/multistep_lr.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
const { MultiStepLR } = optim.lr_scheduler;

const model = new nn.Linear(4, 3);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const scheduler = new MultiStepLR(optimizer, { milestones: [20, 50], gamma: 0.1 });

for (let epoch = 0; epoch < 60; epoch++) {
  console.log(`epoch ${epoch} lr ${optimizer.param_groups[0].lr}`);
  optimizer.step(); // ... one epoch of training
  scheduler.step();
}
console.log('get_last_lr():', scheduler.get_last_lr());
