// L1, MSE and Smooth L1 side by side on the same predictions, one of them an outlier.
// Run: node examples/tutorial/regression_losses.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn } = torch;

const target = torch.tensor([3.0, -0.5, 2.0, 7.0, 1.5]);
const criteria = [
  ['L1Loss', new nn.L1Loss()],
  ['MSELoss', new nn.MSELoss()],
  ['SmoothL1Loss', new nn.SmoothL1Loss()], // beta=1: squared below 1, linear above
  ['SmoothL1Loss beta=0.5', new nn.SmoothL1Loss({ beta: 0.5 })],
];

for (const [name, criterion] of criteria) {
  const prediction = torch.tensor([2.5, 0.0, 2.1, 7.8, 9.5], { requires_grad: true }); // the last is far off
  const loss = criterion(prediction, target);
  loss.backward();
  console.log(`${name}: loss`, loss.item());
  // the outlier's gradient: MSE's grows with the error, L1's and Smooth L1's stay bounded
  console.log(`${name}: grad`, prediction.grad.tolist());
}
