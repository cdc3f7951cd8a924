// pytorch/tutorials beginner_source/blitz/cifar10_tutorial.py ("Training a Classifier", the
// 60-minute blitz): a small CNN on 3 x 32 x 32 images with CrossEntropyLoss and SGD(momentum=0.9),
// batch size 4, saving and reloading the state_dict, torch.max(outputs, 1) predictions, the
// overall and per-class accuracy, and the device line.
//
//   node examples/pytorch/cifar10_tutorial.mjs [--train-size 50000] [--test-size 10000]
//        [--epochs 2] [--print-every 2000]
//
// Changed for JavaScript, and why:
// - CIFAR-10 (a 170 MB download) is FakeCIFAR10 from ./synthetic-cifar10.mjs: seeded synthetic
//   images of CIFAR's shape and interface, made identically by the Python twin. The arguments
//   choose a short run; tests/pytorch-programs.test.js trains on 2,000 images for 2 epochs
//   (a line every 100 mini-batches) and tests on 400. num_workers=2 is dropped (kindling
//   loads in the calling thread); the matplotlib imshow cells are left out.
// - torch.manual_seed(0) first, so the weights and the shuffling are PyTorch's own.
// - `for i, data in enumerate(trainloader, 0)` counts i by hand; f-string formats are
//   padStart / padEnd / toFixed; classes[labels[j]] is classes[labels.index(j).item()];
//   zip(labels, predictions) walks the two tensors' tolist(); `//` is Math.floor of a division.
// The Python twin is tests/fixtures/programs/cifar10_tutorial.py.
import { parseArgs } from 'node:util';
import * as torch from '../../dist/index.js';
import * as transforms from '../../dist/transforms/index.js';
import { FakeCIFAR10 } from './synthetic-cifar10.mjs';

const { nn, F, optim } = torch;
const { values } = parseArgs({
  options: {
    'train-size': { type: 'string', default: '50000' },
    'test-size': { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '2' },
    'print-every': { type: 'string', default: '2000' },
  },
});
const args = {
  train_size: Number(values['train-size']), test_size: Number(values['test-size']),
  epochs: Number(values.epochs), print_every: Number(values['print-every']),
};

torch.manual_seed(0);

const transform = new transforms.Compose(
  [new transforms.ToTensor(),
    new transforms.Normalize([0.5, 0.5, 0.5], [0.5, 0.5, 0.5])]);

const batch_size = 4;

const trainset = new FakeCIFAR10(args.train_size, { train: true, transform });
const trainloader = new torch.utils.data.DataLoader(trainset, { batch_size, shuffle: true });

const testset = new FakeCIFAR10(args.test_size, { train: false, transform });
const testloader = new torch.utils.data.DataLoader(testset, { batch_size, shuffle: false });

const classes = ['plane', 'car', 'bird', 'cat',
  'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

class Net extends nn.Module {
  constructor() {
    super();
    this.conv1 = new nn.Conv2d(3, 6, 5);
    this.pool = new nn.MaxPool2d(2, 2);
    this.conv2 = new nn.Conv2d(6, 16, 5);
    this.fc1 = new nn.Linear(16 * 5 * 5, 120);
    this.fc2 = new nn.Linear(120, 84);
    this.fc3 = new nn.Linear(84, 10);
  }

  forward(x) {
    x = this.pool(F.relu(this.conv1(x)));
    x = this.pool(F.relu(this.conv2(x)));
    x = torch.flatten(x, 1); // flatten all dimensions except batch
    x = F.relu(this.fc1(x));
    x = F.relu(this.fc2(x));
    x = this.fc3(x);
    return x;
  }
}

let net = new Net();

const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(net.parameters(), { lr: 0.001, momentum: 0.9 });

for (let epoch = 0; epoch < args.epochs; epoch++) { // loop over the dataset multiple times
  let running_loss = 0.0;
  let i = 0;
  for (const data of trainloader) {
    // get the inputs; data is a list of [inputs, labels]
    const [inputs, labels] = data;

    // zero the parameter gradients
    optimizer.zero_grad();

    // forward + backward + optimize
    const outputs = net(inputs);
    const loss = criterion(outputs, labels);
    loss.backward();
    optimizer.step();

    // print statistics
    running_loss += loss.item();
    if (i % args.print_every === args.print_every - 1) { // print every 2000 mini-batches
      console.log(`[${epoch + 1}, ${String(i + 1).padStart(5)}] loss: ${(running_loss / args.print_every).toFixed(3)}`);
      running_loss = 0.0;
    }
    i++;
  }
}

console.log('Finished Training');

const PATH = './cifar_net.pth';
await torch.save(net.state_dict(), PATH);

const dataiter = testloader[Symbol.iterator]();
let [images, labels] = dataiter.next().value;

// print images
console.log('GroundTruth: ', [0, 1, 2, 3].map((j) => classes[labels.index(j).item()].padEnd(5)).join(' '));

net = new Net();
net.load_state_dict(await torch.load(PATH));

let outputs = net(images);

let [, predicted] = torch.max(outputs, 1);

console.log('Predicted: ', [0, 1, 2, 3].map((j) => classes[predicted.index(j).item()].padEnd(5)).join(' '));

let correct = 0;
let total = 0;
// since we're not training, we don't need to calculate the gradients for our outputs
torch.no_grad(() => {
  for (const data of testloader) {
    [images, labels] = data;
    // calculate outputs by running images through the network
    outputs = net(images);
    // the class with the highest energy is what we choose as prediction
    [, predicted] = torch.max(outputs.data, 1);
    total += labels.size(0);
    correct += predicted.eq(labels).sum().item();
  }
});

console.log(`Accuracy of the network on the ${total} test images: ${Math.floor(100 * correct / total)} %`);

// prepare to count predictions for each class
const correct_pred = Object.fromEntries(classes.map((classname) => [classname, 0]));
const total_pred = Object.fromEntries(classes.map((classname) => [classname, 0]));

// again no gradients needed
torch.no_grad(() => {
  for (const data of testloader) {
    [images, labels] = data;
    outputs = net(images);
    const [, predictions] = torch.max(outputs, 1);
    // collect the correct predictions for each class
    const predicted_list = predictions.tolist();
    labels.tolist().forEach((label, j) => {
      const prediction = predicted_list[j];
      if (label === prediction) correct_pred[classes[label]] += 1;
      total_pred[classes[label]] += 1;
    });
  }
});

// print accuracy for each class
for (const [classname, correct_count] of Object.entries(correct_pred)) {
  const accuracy = 100 * correct_count / total_pred[classname];
  console.log(`Accuracy for class: ${classname.padEnd(5)} is ${accuracy.toFixed(1)} %`);
}

const device = torch.device(torch.cuda.is_available() ? 'cuda:0' : 'cpu');

// Assuming that we are on a CUDA machine, this should print a CUDA device:

console.log(String(device));
