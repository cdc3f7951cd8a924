// The chapter's order in one loop: model -> loss -> optimizer -> (optional) scheduler,
// then train. Beginners often skip writing the loss and optimizer lines: all four are here.
// Run: node examples/tutorial/chapter.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
const { StepLR } = optim.lr_scheduler;

torch.manual_seed(0);
const x = torch.randn(32, 4);
const y = torch.randint(0, 3, [32]);

// 1. model
const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
// 2. loss
const criterion = new nn.CrossEntropyLoss();
// 3. optimizer
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weight_decay: 1e-4 });
// 4. scheduler (optional): here lr x0.5 every 4 epochs
const scheduler = new StepLR(optimizer, { step_size: 4, gamma: 0.5 });

for (let epoch = 0; epoch < 12; epoch++) {
  let total = 0;
  for (let start = 0; start < 32; start += 8) { // mini-batches of 8
    const inputs = x.narrow(0, start, 8), labels = y.narrow(0, start, 8);
    optimizer.zero_grad();
    const loss = criterion(model(inputs), labels);
    loss.backward();
    optimizer.step();
    total += loss.item();
  }
  console.log(`epoch ${epoch} lr ${scheduler.get_last_lr()[0]} loss ${total / 4}`);
  scheduler.step();
}
