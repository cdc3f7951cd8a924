// pytorch/tutorials beginner_source/examples_nn/dynamic_net.py ("PyTorch: Control Flow + Weight
// Sharing"): a polynomial nn.Module whose forward pass chooses at random whether to add x^4 and
// x^5 terms, all sharing the parameter e; MSELoss(reduction='sum') and SGD with momentum.
//
//   node examples/pytorch/dynamic_net.mjs [--steps 30000] [--print-every 2000]
//
// Changed for JavaScript, and why:
// - random.randint(4, 6) is torch.randint(4, 7, []).item(): JavaScript has no seeded `random`
//   module, and torch's generator is PyTorch's own stream in kindling, so both runs take the
//   same branches (the Python twin makes the same change).
// - `**` is pow, `+` / `*` are add / mul, nn.Parameter(torch.randn(())) is
//   new nn.Parameter(torch.randn([])); math.pi is Math.PI; the custom string() method is kept.
// - torch.manual_seed(0) first; --steps / --print-every choose the length of the run
//   (tests/pytorch-programs.test.js runs 2,000 steps, a line every 200).
// The Python twin is tests/fixtures/programs/dynamic_net.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';

const { values } = parseArgs({
  options: { steps: { type: 'string', default: '30000' }, 'print-every': { type: 'string', default: '2000' } },
});
const steps = Number(values.steps), print_every = Number(values['print-every']);

torch.manual_seed(0);

class DynamicNet extends torch.nn.Module {
  constructor() {
    // In the constructor we instantiate five parameters and assign them as members.
    super();
    this.a = new torch.nn.Parameter(torch.randn([]));
    this.b = new torch.nn.Parameter(torch.randn([]));
    this.c = new torch.nn.Parameter(torch.randn([]));
    this.d = new torch.nn.Parameter(torch.randn([]));
    this.e = new torch.nn.Parameter(torch.randn([]));
  }

  forward(x) {
    // For the forward pass of the model, we randomly choose either 4, 5
    // and reuse the e parameter to compute the contribution of these orders.
    let y = this.a.add(this.b.mul(x)).add(this.c.mul(x.pow(2))).add(this.d.mul(x.pow(3)));
    const end = torch.randint(4, 7, []).item(); // random.randint(4, 6)
    for (let exp = 4; exp < end; exp++) y = y.add(this.e.mul(x.pow(exp)));
    return y;
  }

  string() {
    // Just like any class in Python, you can also define custom method on PyTorch modules
    return `y = ${this.a.item()} + ${this.b.item()} x + ${this.c.item()} x^2 + ${this.d.item()} x^3 + ${this.e.item()} x^4 ? + ${this.e.item()} x^5 ?`;
  }
}

// Create Tensors to hold input and outputs.
const x = torch.linspace(-Math.PI, Math.PI, 2000);
const y = torch.sin(x);

// Construct our model by instantiating the class defined above
const model = new DynamicNet();

// Construct our loss function and an Optimizer. Training this strange model with
// vanilla stochastic gradient descent is tough, so we use momentum
const criterion = new torch.nn.MSELoss({ reduction: 'sum' });
const optimizer = new torch.optim.SGD(model.parameters(), { lr: 1e-8, momentum: 0.9 });
for (let t = 0; t < steps; t++) {
  // Forward pass: Compute predicted y by passing x to the model
  const y_pred = model(x);

  // Compute and print loss
  const loss = criterion(y_pred, y);
  if (t % print_every === print_every - 1) console.log(t, loss.item());

  // Zero gradients, perform a backward pass, and update the weights.
  optimizer.zero_grad();
  loss.backward();
  optimizer.step();
}

console.log(`Result: ${model.string()}`);
