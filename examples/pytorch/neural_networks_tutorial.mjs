// pytorch/tutorials beginner_source/blitz/neural_networks_tutorial.py ("Neural Networks", the
// 60-minute blitz): LeNet on a 32 x 32 input, parameters, backward with a random gradient,
// MSELoss, following loss.grad_fn through next_functions, conv1.bias.grad before and after
// backward, the manual update f.data.sub_(f.grad.data * learning_rate), then optim.SGD.
//
//   node examples/pytorch/neural_networks_tutorial.mjs
//
// Changed for JavaScript, and why:
// - super(Net, self).__init__() is super(); properties are assigned in the constructor;
//   `f.grad.data * learning_rate` is f.grad.data.mul(learning_rate); print is console.log.
// - torch.manual_seed(0) first, so the weights and inputs are PyTorch's own and can be compared.
// - net.zero_grad() follows PyTorch 2 (set_to_none=True: "before backward" prints None —
//   null here); the Python twin passes set_to_none=True to 1.13 explicitly.
// - The manual update's and the optimizer step's results are printed (a parameter sum) so that
//   they are compared too.
// The Python twin is tests/fixtures/programs/neural_networks_tutorial.py.
import * as torch from '../../dist/index.js';

const { nn, F } = torch;
torch.manual_seed(0);

class Net extends nn.Module {
  constructor() {
    super();
    // 1 input image channel, 6 output channels, 5x5 square convolution
    // kernel
    this.conv1 = new nn.Conv2d(1, 6, 5);
    this.conv2 = new nn.Conv2d(6, 16, 5);
    // an affine operation: y = Wx + b
    this.fc1 = new nn.Linear(16 * 5 * 5, 120); // 5*5 from image dimension
    this.fc2 = new nn.Linear(120, 84);
    this.fc3 = new nn.Linear(84, 10);
  }

  forward(input) {
    // Convolution layer C1: 1 input image channel, 6 output channels,
    // 5x5 square convolution, it uses RELU activation function, and
    // outputs a Tensor with size (N, 6, 28, 28), where N is the size of the batch
    const c1 = F.relu(this.conv1(input));
    // Subsampling layer S2: 2x2 grid, purely functional,
    // this layer does not have any parameter, and outputs a (N, 6, 14, 14) Tensor
    const s2 = F.max_pool2d(c1, [2, 2]);
    // Convolution layer C3: 6 input channels, 16 output channels,
    // 5x5 square convolution, it uses RELU activation function, and
    // outputs a (N, 16, 10, 10) Tensor
    const c3 = F.relu(this.conv2(s2));
    // Subsampling layer S4: 2x2 grid, purely functional,
    // this layer does not have any parameter, and outputs a (N, 16, 5, 5) Tensor
    let s4 = F.max_pool2d(c3, 2);
    // Flatten operation: purely functional, outputs a (N, 400) Tensor
    s4 = torch.flatten(s4, 1);
    // Fully connected layer F5: (N, 400) Tensor input,
    // and outputs a (N, 120) Tensor, it uses RELU activation function
    const f5 = F.relu(this.fc1(s4));
    // Fully connected layer F6: (N, 120) Tensor input,
    // and outputs a (N, 84) Tensor, it uses RELU activation function
    const f6 = F.relu(this.fc2(f5));
    // Gaussian layer OUTPUT: (N, 84) Tensor input, and
    // outputs a (N, 10) Tensor
    const output = this.fc3(f6);
    return output;
  }
}

const net = new Net();
console.log(String(net));

const params = [...net.parameters()];
console.log(params.length);
console.log(params[0].size()); // conv1's .weight

const input = torch.randn(1, 1, 32, 32);
const out = net(input);
console.log(out);

net.zero_grad();
out.backward(torch.randn(1, 10));

let output = net(input);
let target = torch.randn(10); // a dummy target, for example
target = target.view(1, -1); // make it the same shape as output
const criterion = new nn.MSELoss();

let loss = criterion(output, target);
console.log(loss);

console.log(String(loss.grad_fn)); // MSELoss
console.log(String(loss.grad_fn.next_functions[0][0])); // Linear
console.log(String(loss.grad_fn.next_functions[0][0].next_functions[0][0])); // ReLU

net.zero_grad(); // zeroes the gradient buffers of all parameters

console.log('conv1.bias.grad before backward');
console.log(net.conv1.bias.grad);

loss.backward();

console.log('conv1.bias.grad after backward');
console.log(net.conv1.bias.grad);

const learning_rate = 0.01;
for (const f of net.parameters()) f.data.sub_(f.grad.data.mul(learning_rate));
console.log(net.fc3.weight.sum()); // the manual update's result

// create your optimizer
const optimizer = new torch.optim.SGD(net.parameters(), { lr: 0.01 });

// in your training loop:
optimizer.zero_grad(); // zero the gradient buffers
output = net(input);
loss = criterion(output, target);
loss.backward();
optimizer.step(); // Does the update
console.log(loss, net.fc3.weight.sum()); // the step's result
