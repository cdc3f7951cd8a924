// pytorch/tutorials beginner_source/examples_autograd/polynomial_autograd.py ("PyTorch: Tensors
// and autograd"): fit y = sin(x) on [-pi, pi] with a third-order polynomial whose four weights
// are plain tensors with requires_grad, updated by hand under no_grad (a -= lr * a.grad) with
// the gradients reset to None.
//
//   node examples/pytorch/polynomial_autograd.mjs [--steps 2000]
//
// Changed for JavaScript, and why:
// - `**` on tensors is pow, `+` / `*` / `-` are add / mul / sub (b * x is b.mul(x)),
//   `a -= learning_rate * a.grad` is a.sub_(a.grad.mul(learning_rate)), `a.grad = None` is
//   a.grad = null, `with torch.no_grad():` is torch.no_grad(() => ...), keyword arguments go
//   in an options object; math.pi is Math.PI.
// - torch.manual_seed(0) first, so a, b, c, d are PyTorch's own; --steps chooses the length of
//   the run (tests/pytorch-programs.test.js runs 1,000 steps; a line every 100 as written).
// The Python twin is tests/fixtures/programs/polynomial_autograd.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';

const { values } = parseArgs({ options: { steps: { type: 'string', default: '2000' } } });
const steps = Number(values.steps);

torch.manual_seed(0);

const dtype = torch.float;
const device = torch.device('cpu');
// const device = torch.device('cuda:0') // Uncomment this to run on GPU

// Create Tensors to hold input and outputs.
// By default, requires_grad=False, which indicates that we do not need to
// compute gradients with respect to these Tensors during the backward pass.
const x = torch.linspace(-Math.PI, Math.PI, 2000, { device, dtype });
const y = torch.sin(x);

// Create random Tensors for weights. For a third order polynomial, we need
// 4 weights: y = a + b x + c x^2 + d x^3
// Setting requires_grad=True indicates that we want to compute gradients with
// respect to these Tensors during the backward pass.
const a = torch.randn([], { device, dtype, requires_grad: true });
const b = torch.randn([], { device, dtype, requires_grad: true });
const c = torch.randn([], { device, dtype, requires_grad: true });
const d = torch.randn([], { device, dtype, requires_grad: true });

const learning_rate = 1e-6;
for (let t = 0; t < steps; t++) {
  // Forward pass: compute predicted y using operations on Tensors.
  const y_pred = a.add(b.mul(x)).add(c.mul(x.pow(2))).add(d.mul(x.pow(3)));

  // Compute and print loss using operations on Tensors.
  // Now loss is a Tensor of shape (1,)
  // loss.item() gets the scalar value held in the loss.
  const loss = y_pred.sub(y).pow(2).sum();
  if (t % 100 === 99) console.log(t, loss.item());

  // Use autograd to compute the backward pass. This call will compute the
  // gradient of loss with respect to all Tensors with requires_grad=True.
  // After this call a.grad, b.grad. c.grad and d.grad will be Tensors holding
  // the gradient of the loss with respect to a, b, c, d respectively.
  loss.backward();

  // Manually update weights using gradient descent. Wrap in torch.no_grad()
  // because weights have requires_grad=True, but we don't need to track this
  // in autograd.
  torch.no_grad(() => {
    a.sub_(a.grad.mul(learning_rate));
    b.sub_(b.grad.mul(learning_rate));
    c.sub_(c.grad.mul(learning_rate));
    d.sub_(d.grad.mul(learning_rate));

    // Manually zero the gradients after updating weights
    a.grad = null;
    b.grad = null;
    c.grad = null;
    d.grad = null;
  });
}

console.log(`Result: y = ${a.item()} + ${b.item()} x + ${c.item()} x^2 + ${d.item()} x^3`);
