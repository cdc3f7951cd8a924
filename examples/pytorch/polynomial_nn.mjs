// pytorch/tutorials beginner_source/examples_nn/polynomial_nn.py ("PyTorch: nn"): fit
// y = sin(x) on [-pi, pi] with nn.Linear(3, 1) on (x, x^2, x^3) = x.unsqueeze(-1).pow(p) (a tensor
// exponent), nn.Flatten(0, 1), MSELoss(reduction='sum') and a manual update of every parameter
// under no_grad; then the fitted coefficients read as weight[:, i].item().
//
//   node examples/pytorch/polynomial_nn.mjs [--steps 2000]
//
// Changed for JavaScript, and why:
// - `param -= learning_rate * param.grad` is param.sub_(param.grad.mul(learning_rate)),
//   `with torch.no_grad():` is torch.no_grad(() => ...), weight[:, 0] is weight.index(':', 0),
//   keyword arguments go in an options object; math.pi is Math.PI.
// - torch.manual_seed(0) first, so the initial Linear is PyTorch's own; --steps chooses the
//   length of the run (tests/pytorch-programs.test.js runs 1,000 steps; a line every 100).
// The Python twin is tests/fixtures/programs/polynomial_nn.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '2000' } } });
const steps = Number(values.steps);

torch.manual_seed(0);

// Create Tensors to hold input and outputs.
const x = torch.linspace(-Math.PI, Math.PI, 2000);
const y = torch.sin(x);

// For this example, the output y is a linear function of (x, x^2, x^3), so
// we can consider it as a linear layer neural network. Let's prepare the
// tensor (x, x^2, x^3).
const p = torch.tensor([1, 2, 3]);
const xx = x.unsqueeze(-1).pow(p);

// Use the nn package to define our model as a sequence of layers.
const model = new torch.nn.Sequential(
  new torch.nn.Linear(3, 1),
  new torch.nn.Flatten(0, 1),
);

// The nn package also contains definitions of popular loss functions; in this
// case we will use Mean Squared Error (MSE) as our loss function.
const loss_fn = new torch.nn.MSELoss({ reduction: 'sum' });

const learning_rate = 1e-6;
for (let t = 0; t < steps; t++) {
  // Forward pass: compute predicted y by passing x to the model.
  const y_pred = model(xx);

  // Compute and print loss.
  const loss = loss_fn(y_pred, y);
  if (t % 100 === 99) console.log(t, loss.item());

  // Zero the gradients before running the backward pass.
  model.zero_grad();

  // Backward pass: compute gradient of the loss with respect to all the learnable
  // parameters of the model.
  loss.backward();

  // Update the weights using gradient descent. Each parameter is a Tensor, so
  // we can access its gradients like we did before.
  torch.no_grad(() => {
    for (const param of model.parameters()) param.sub_(param.grad.mul(learning_rate));
  });
}

// You can access the first layer of `model` like accessing the first item of a list
const linear_layer = model[0];

// For linear layer, its parameters are stored as `weight` and `bias`.
console.log(`Result: y = ${linear_layer.bias.item()} + ${linear_layer.weight.index(':', 0).item()} x + ${linear_layer.weight.index(':', 1).item()} x^2 + ${linear_layer.weight.index(':', 2).item()} x^3`);
