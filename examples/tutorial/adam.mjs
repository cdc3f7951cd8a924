// Adam: with SGD the most used optimizer; betas, eps, weight_decay and amsgrad rarely need changing.
// Run: node examples/tutorial/adam.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;

torch.manual_seed(0); // kindling draws the same numbers as PyTorch for the same seed
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const x = torch.randn(16, 4);
const y = torch.randint(0, 3, [16]);

const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });

for (let epoch = 1; epoch <= 20; epoch++) {
  optimizer.zero_grad();
  const loss = criterion(model(x), y);
  loss.backward();
  optimizer.step();
  console.log(`epoch ${epoch} loss ${loss.item()}`);
}
