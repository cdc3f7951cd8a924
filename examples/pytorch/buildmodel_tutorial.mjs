// pytorch/tutorials beginner_source/basics/buildmodel_tutorial.py ("Build the Neural Network"):
// a device-generic MLP (torch.cuda.is_available(), .to(device), torch.rand(..., device=device)),
// Softmax, Flatten, Linear, ReLU, Sequential, and the named parameters with their first rows
// (param[:2]).
//
//   node examples/pytorch/buildmodel_tutorial.mjs
//
// Changed for JavaScript, and why:
// - keyword arguments go in an options object ({device}, {dim}, {in_features, out_features});
//   param[:2] is param.index(':2').
// - torch.manual_seed(0) first, so the weights and inputs are PyTorch's own; the second Softmax's probabilities are printed
//   so that they are compared too.
// The Python twin is tests/fixtures/programs/buildmodel_tutorial.py.
import * as torch from '../../dist/index.js';

const { nn } = torch;
torch.manual_seed(0);

const device = (
  torch.cuda.is_available()
    ? 'cuda'
    : torch.backends.mps.is_available()
      ? 'mps'
      : 'cpu'
);
console.log(`Using ${device} device`);

class NeuralNetwork extends nn.Module {
  constructor() {
    super();
    this.flatten = new nn.Flatten();
    this.linear_relu_stack = new nn.Sequential(
      new nn.Linear(28 * 28, 512),
      new nn.ReLU(),
      new nn.Linear(512, 512),
      new nn.ReLU(),
      new nn.Linear(512, 10),
    );
  }

  forward(x) {
    x = this.flatten(x);
    const logits = this.linear_relu_stack(x);
    return logits;
  }
}

const model = new NeuralNetwork().to(device);
console.log(String(model));

const X = torch.rand(1, 28, 28, { device });
let logits = model(X);
let pred_probab = new nn.Softmax({ dim: 1 })(logits);
const y_pred = pred_probab.argmax(1);
console.log(`Predicted class: ${y_pred}`);

let input_image = torch.rand(3, 28, 28);
console.log(input_image.size());

const flatten = new nn.Flatten();
const flat_image = flatten(input_image);
console.log(flat_image.size());

const layer1 = new nn.Linear({ in_features: 28 * 28, out_features: 20 });
let hidden1 = layer1(flat_image);
console.log(hidden1.size());

console.log(`Before ReLU: ${hidden1}\n\n`);
hidden1 = new nn.ReLU()(hidden1);
console.log(`After ReLU: ${hidden1}`);

const seq_modules = new nn.Sequential(
  flatten,
  layer1,
  new nn.ReLU(),
  new nn.Linear(20, 10),
);
input_image = torch.rand(3, 28, 28);
logits = seq_modules(input_image);

const softmax = new nn.Softmax({ dim: 1 });
pred_probab = softmax(logits);
console.log(pred_probab); // the probabilities are compared too

console.log(`Model structure: ${model}\n\n`);

for (const [name, param] of model.named_parameters())
  console.log(`Layer: ${name} | Size: ${param.size()} | Values : ${param.index(':2')} \n`);
