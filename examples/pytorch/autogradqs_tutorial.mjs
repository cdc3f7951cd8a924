// pytorch/tutorials beginner_source/basics/autogradqs_tutorial.py ("Automatic Differentiation
// with torch.autograd"): a one-layer network with binary_cross_entropy_with_logits, grad_fn,
// gradients, no_grad and detach, then a non-scalar output's Jacobian product with
// retain_graph=True, gradient accumulation and grad.zero_().
//
//   node examples/pytorch/autogradqs_tutorial.mjs
//
// Changed for JavaScript, and why:
// - `+` is add, keyword arguments go in an options object
//   (out.backward(torch.ones_like(out), {retain_graph: true}));
//   `with torch.no_grad():` is torch.no_grad(() => ...).
// - torch.manual_seed(0) first, so w and b are PyTorch's own and can be compared.
// The Python twin is tests/fixtures/programs/autogradqs_tutorial.py.
import * as torch from '../../dist/index.js';

torch.manual_seed(0);

const x = torch.ones(5); // input tensor
const y = torch.zeros(3); // expected output
const w = torch.randn(5, 3, { requires_grad: true });
const b = torch.randn(3, { requires_grad: true });
let z = torch.matmul(x, w).add(b);
const loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y);

console.log(`Gradient function for z = ${z.grad_fn}`);
console.log(`Gradient function for loss = ${loss.grad_fn}`);

loss.backward();
console.log(w.grad);
console.log(b.grad);

z = torch.matmul(x, w).add(b);
console.log(z.requires_grad);

z = torch.no_grad(() => torch.matmul(x, w).add(b));
console.log(z.requires_grad);

z = torch.matmul(x, w).add(b);
const z_det = z.detach();
console.log(z_det.requires_grad);

const inp = torch.eye(4, 5, { requires_grad: true });
const out = inp.add(1).pow(2).t();
out.backward(torch.ones_like(out), { retain_graph: true });
console.log(`First call\n${inp.grad}`);
out.backward(torch.ones_like(out), { retain_graph: true });
console.log(`\nSecond call\n${inp.grad}`);
inp.grad.zero_();
out.backward(torch.ones_like(out), { retain_graph: true });
console.log(`\nCall after zeroing gradients\n${inp.grad}`);
