// StepLR(step_size=20, gamma=0.1): lr x0.1 at epochs 20, 40, ... (the original tutorial's
// snippet called it with no arguments, which PyTorch refuses: step_size is required).
// Run: node examples/tutorial/step_lr.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
const { StepLR } = optim.lr_scheduler;

const model = new nn.Linear(4, 3);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const scheduler = new StepLR(optimizer, { step_size: 20, gamma: 0.1 });

for (let epoch = 0; epoch < 60; epoch++) {
  console.log(`epoch ${epoch} lr ${optimizer.param_groups[0].lr}`);
  // ... one epoch of training: zero_grad, forward, loss, backward, optimizer.step() per batch
  optimizer.step();
  scheduler.step(); // once per epoch, after the optimizer's steps
}
console.log('get_last_lr():', scheduler.get_last_lr());
