// nn.Softmax(dim=1): scores -> probabilities over the classes of an [N, C] output.
// Run: node examples/tutorial/softmax.mjs   (after ./build.sh)
import * as torch from '../../dist/index.js';

const { nn } = torch;

// Scores of 4 samples (rows) over 3 classes (columns)
const output = torch.tensor([
  [2.0, 1.0, 0.1],
  [0.5, 2.5, 0.3],
  [1.2, 0.4, 3.1],
  [0.0, 0.0, 0.0],
]);

const softmax = new nn.Softmax({ dim: 1 }); // dim=1: the class dimension of [N, C]
const probs = softmax(output);
console.log('probabilities:', probs.tolist());
console.log('each row sums to 1:', probs.sum(1).tolist());
console.log('predicted class:', probs.argmax(1).tolist());

// dim matters: dim=0 would normalise each class over the batch (columns sum to 1)
const wrong = new nn.Softmax({ dim: 0 })(output);
console.log('dim=0 row sums (not 1):', wrong.sum(1).tolist());
