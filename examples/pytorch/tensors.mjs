// pytorch/tutorials beginner_source/basics/tensorqs_tutorial.py ("Tensors"; the 60-minute
// blitz's tensor_tutorial.py is the same lesson): creating tensors, their attributes,
// indexing and slicing, index assignment, cat, matmul / mul (also with out=), in-place ops.
//
//   node examples/pytorch/tensors.mjs
//
// Changed for JavaScript, and why:
// - Python's indexing syntax has no JavaScript form: tensor[0] is tensor.index(0),
//   tensor[:, 0] is tensor.index(':', 0), tensor[..., -1] is tensor.index('...', -1), and the
//   assignment tensor[:, 1] = 0 is tensor.setitem(':', 1, 0); `@` is matmul, `*` is mul,
//   keyword arguments go in a trailing options object ({dtype}, {dim}).
// - torch.manual_seed(0) first, so the random tensors are PyTorch's own and can be compared.
// - Not JavaScript syntax, and so a difference from PyTorch: kindling refuses out= (it returns
//   new tensors), so torch.matmul(tensor, tensor.T, out=y3) is y3.copy_(torch.matmul(tensor,
//   tensor.T)), the same numbers written into y3 (likewise torch.mul ... out=z3).
// - The NumPy bridge is left out (JavaScript has no NumPy; toTypedArray() copies), and
//   print(agg_item, type(agg_item)) prints the value only.
// The Python twin is tests/fixtures/programs/tensors.py.
import * as torch from '../../dist/index.js';

torch.manual_seed(0);

const data = [[1, 2], [3, 4]];
const x_data = torch.tensor(data);

const x_ones = torch.ones_like(x_data); // retains the properties of x_data
console.log(`Ones Tensor: \n ${x_ones} \n`);

const x_rand = torch.rand_like(x_data, { dtype: torch.float }); // overrides the datatype of x_data
console.log(`Random Tensor: \n ${x_rand} \n`);

const shape = [2, 3];
const rand_tensor = torch.rand(shape);
const ones_tensor = torch.ones(shape);
const zeros_tensor = torch.zeros(shape);

console.log(`Random Tensor: \n ${rand_tensor} \n`);
console.log(`Ones Tensor: \n ${ones_tensor} \n`);
console.log(`Zeros Tensor: \n ${zeros_tensor}`);

let tensor = torch.rand(3, 4);

console.log(`Shape of tensor: ${tensor.shape}`);
console.log(`Datatype of tensor: ${tensor.dtype}`);
console.log(`Device tensor is stored on: ${tensor.device}`);

// We move our tensor to the GPU if available
if (torch.cuda.is_available()) tensor = tensor.to('cuda');

tensor = torch.ones(4, 4);
console.log(`First row: ${tensor.index(0)}`);
console.log(`First column: ${tensor.index(':', 0)}`);
console.log(`Last column: ${tensor.index('...', -1)}`);
tensor.setitem(':', 1, 0);
console.log(tensor);

const t1 = torch.cat([tensor, tensor, tensor], { dim: 1 });
console.log(t1);

// This computes the matrix multiplication between two tensors. y1, y2, y3 will have the same value
// ``tensor.T`` returns the transpose of a tensor
const y1 = tensor.matmul(tensor.T);
const y2 = tensor.matmul(tensor.T);

const y3 = torch.rand_like(y1);
y3.copy_(torch.matmul(tensor, tensor.T)); // torch.matmul(tensor, tensor.T, out=y3)
console.log(y1, y2, y3);

// This computes the element-wise product. z1, z2, z3 will have the same value
const z1 = tensor.mul(tensor);
const z2 = tensor.mul(tensor);

const z3 = torch.rand_like(tensor);
z3.copy_(torch.mul(tensor, tensor)); // torch.mul(tensor, tensor, out=z3)
console.log(z1, z2, z3);

const agg = tensor.sum();
const agg_item = agg.item();
console.log(agg_item);

console.log(`${tensor} \n`);
tensor.add_(5);
console.log(tensor);
