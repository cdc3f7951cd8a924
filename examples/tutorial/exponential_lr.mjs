// ExponentialLR(gamma=0.9): lr x0.9 every epoch.
// Run: node examples/tutorial/exponential_lr.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
const { ExponentialLR } = optim.lr_scheduler;

const model = new nn.Linear(4, 3);
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const scheduler = new ExponentialLR(optimizer, { gamma: 0.9 });

for (let epoch = 0; epoch < 20; epoch++) {
  console.log(`epoch ${epoch} lr ${optimizer.param_groups[0].lr}`);
  optimizer.step(); // ... one epoch of training
  scheduler.step();
}
console.log('get_last_lr():', scheduler.get_last_lr());
