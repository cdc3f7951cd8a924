// pytorch/tutorials beginner_source/blitz/autograd_tutorial.py ("A Gentle Introduction to
// torch.autograd", the 60-minute blitz): a forward / backward / optimizer step, then
// differentiation with an external gradient — Q.backward(torch.tensor([1., 1.])) — and
// exclusion from the DAG (requires_grad, frozen parameters).
//
//   node examples/pytorch/autograd_tutorial.mjs
//
// Changed for JavaScript, and why:
// - `**` on tensors is pow, `3 * a` is a.mul(3), `==` is eq, keyword arguments go in an
//   options object (Q.backward({gradient: external_grad})).
// - `torch.tensor([2., 3.], requires_grad=True)` is torch.tensor([2, 3], {requires_grad: true}):
//   JavaScript has no `2.`, and requires_grad without a dtype means float32.
//   `torch.tensor([1., 1.])` stays torch.tensor([1, 1]) — int64 in JavaScript — and backward
//   casts the gradient to Q's dtype as PyTorch does.
// - resnet18 with downloaded ImageNet weights is a small stand-in network with the interface the
//   tutorial touches (forward on [1, 3, 64, 64] -> [1, 1000], an `fc` attribute); the
//   tutorial's equality checks are printed with the gradients themselves.
// - torch.manual_seed(0) first, so the random tensors are PyTorch's own and can be compared.
// The Python twin is tests/fixtures/programs/autograd_tutorial.py.
import * as torch from '../../dist/index.js';

const { nn, optim } = torch;
torch.manual_seed(0);

class TinyResNetStandIn extends nn.Module { // resnet18(weights=ResNet18_Weights.DEFAULT)
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(3, 8, 7, { stride: 2, padding: 3 });
    this.pool = new nn.AdaptiveAvgPool2d(1);
    this.fc = new nn.Linear(8, 1000);
  }
  forward(x) {
    x = this.pool(torch.relu(this.conv1(x)));
    return this.fc(torch.flatten(x, 1));
  }
}

let model = new TinyResNetStandIn();
const data = torch.rand(1, 3, 64, 64);
const labels = torch.rand(1, 1000);

const prediction = model(data); // forward pass
const loss = prediction.sub(labels).sum();
console.log(loss);
loss.backward(); // backward pass
console.log(model.fc.bias.grad.sum(), model.conv1.weight.grad.sum());

const optim_ = new optim.SGD(model.parameters(), { lr: 1e-2, momentum: 0.9 });
optim_.step(); // gradient descent
console.log(model.fc.bias.sum());

// Differentiation in Autograd
let a = torch.tensor([2, 3], { requires_grad: true });
let b = torch.tensor([6, 4], { requires_grad: true });
const Q = a.pow(3).mul(3).sub(b.pow(2));
const external_grad = torch.tensor([1, 1]);
Q.backward({ gradient: external_grad });

// check if collected gradients are correct
console.log(a.pow(2).mul(9).eq(a.grad));
console.log(b.mul(-2).eq(b.grad));
console.log(a.grad, b.grad);

// Exclusion from the DAG
const x = torch.rand(5, 5);
const y = torch.rand(5, 5);
const z = torch.rand([5, 5], { requires_grad: true });

a = x.add(y);
console.log(`Does \`a\` require gradients?: ${a.requires_grad}`);
b = x.add(z);
console.log(`Does \`b\` require gradients?: ${b.requires_grad}`);

model = new TinyResNetStandIn();
// Freeze all the parameters in the network
for (const param of model.parameters()) param.requires_grad = false;
model.fc = new nn.Linear(8, 10);
// Optimize only the classifier
const optimizer = new optim.SGD(model.parameters(), { lr: 1e-2, momentum: 0.9 });
console.log(model.parameters().map((p) => p.requires_grad));
