// The tutorial's order — model -> loss -> optimizer — with SGD(momentum=0.9, weight_decay=1e-4).
// (The original suggested weight_decay=0.1: far too strong for most models; 1e-4 to 5e-4
// is typical. Its snippet also lacked the comma after momentum=0.9.)
// Run: node examples/tutorial/sgd.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;

torch.manual_seed(0); // kindling draws the same numbers as PyTorch for the same seed
const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
const x = torch.randn(16, 4);
const y = torch.randint(0, 3, [16]);

const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, weight_decay: 1e-4 });

for (let epoch = 1; epoch <= 20; epoch++) {
  optimizer.zero_grad();
  const loss = criterion(model(x), y);
  loss.backward();
  optimizer.step();
  console.log(`epoch ${epoch} loss ${loss.item()}`);
}
