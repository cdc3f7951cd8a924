// Bad input gets a clear JavaScript Error naming the call, what was expected and what was
// given; the instance keeps working afterwards and nothing leaks.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';

const a = torch.randn(64, 10);
const b = torch.randn(9, 3);
const released = torch.ones(2);
released.dispose();

// [what is tried, the call, the error class, a pattern the message must match]
const cases = [
  ['matmul with mismatched inner sizes', () => a.matmul(b), Error, /^matmul: shapes \[64, 10\] and \[9, 3\] cannot be multiplied \(10 != 9\)/],
  ['matmul with a number', () => a.matmul(3), TypeError, /^matmul: expected a Tensor for other, got number 3/],
  ['add with shapes that do not broadcast', () => torch.ones(3, 4).add(torch.ones(5)), Error, /^add: the size of tensor a \(4\) must match the size of tensor b \(5\) at non-singleton dimension 1/],
  ['mul with a string', () => a.mul('2'), TypeError, /^mul: expected a Tensor or a number for other, got the string '2'/],
  ['sum over a dim out of range', () => a.sum(2), RangeError, /^sum: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/],
  ['softmax without dim', () => a.softmax(), TypeError, /^softmax: missing required argument 'dim'/],
  ['softmax over a dim out of range', () => a.softmax(-3), RangeError, /^softmax: dimension out of range/],
  ['reshape to a wrong size', () => a.reshape(7, -1), Error, /^reshape: shape '\[7, -1\]' is invalid for input of size 640/],
  ['reshape with two -1', () => a.reshape(-1, -1), Error, /^reshape: only one dimension can be inferred/],
  ['view with a fractional size', () => a.view(2.5, 4), TypeError, /^view: expected a shape of integers, got number 2.5/],
  ['permute with too few dims', () => a.permute(0), Error, /^permute: number of dims don't match/],
  ['permute repeating a dim', () => a.permute(0, 0), Error, /^permute: repeated dim 0/],
  ['transpose out of range', () => a.transpose(0, 5), RangeError, /^transpose: dimension out of range/],
  ['item on many elements', () => a.item(), RangeError, /^item: a Tensor with 640 elements cannot be converted to Scalar/],
  ['backward on a non-scalar', () => torch.randn([3], { requires_grad: true }).mul(2).backward(), Error, /^backward: grad can be implicitly created only for scalar outputs, got shape \[3\]/],
  ['backward without grad', () => a.sum().backward(), Error, /^backward: element 0 of tensors does not require grad/],
  ['backward twice', () => { const w = torch.ones([2], { requires_grad: true }); const l = w.mul(w).sum(); l.backward(); l.backward(); }, Error, /^backward: Trying to backward through the graph a second time.*Specify retain_graph=True/],
  ['std of an integer tensor', () => torch.tensor([1, 2]).std(), TypeError, /^std: expected a floating point tensor, got int64/],
  ['mean of an integer tensor', () => torch.tensor([1, 2]).mean(), TypeError, /^mean: could not infer output dtype/],
  ['requires_grad on integers', () => torch.tensor([1, 2], { dtype: torch.int64, requires_grad: true }), TypeError, /only tensors of floating point dtype can require gradients/],
  ['an unknown option name', () => torch.zeros([2], { requiresGrad: true }), TypeError, /^zeros: unknown option 'requiresGrad'; valid options are: dtype, requires_grad, device/],
  ['an unknown dtype', () => torch.zeros([2], { dtype: 'float16' }), TypeError, /^zeros: unsupported dtype "float16"/],
  ['a negative size', () => torch.zeros(-1, 3), RangeError, /^full: negative dimension -1 in shape/],
  ['a tensor beyond the heap limit', () => torch.zeros(100000, 100000), RangeError, /needs more than the wasm heap limit of 2147483648 bytes/],
  ['ragged nested arrays', () => torch.tensor([[1, 2], [3]]), RangeError, /^tensor: expected a sequence of length 2 at dimension 1/],
  ['a non-numeric element', () => torch.tensor([1, 'x']), TypeError, /^tensor: expected numbers, booleans or nested arrays of them, got the string 'x'/],
  ['a released tensor', () => released.add(1), Error, /^This tensor was released: dispose\(\) was called on it/],
  ['a released tensor as an argument', () => a.add(released), Error, /released/],
  ['randint with low >= high', () => torch.randint(5, 5, [3]), Error, /^randint: random_ expects 'from' to be less than 'to'/],
  ['randperm of a negative n', () => torch.randperm(-2), RangeError, /^randperm: 'n' must be >= 0, got -2/],
  ['manual_seed with a negative seed', () => torch.manual_seed(-1), TypeError, /^manual_seed: expected a non-negative integer seed/],
  ['no_grad without a function', () => torch.no_grad(5), TypeError, /^no_grad: expected a function to run, got number 5/],
  ['in-place fill of a leaf that requires grad', () => torch.ones([2], { requires_grad: true }).fill_(3), Error, /^fill_: a leaf Variable that requires grad is being used in an in-place operation/],
  ['assigning a grad of the wrong shape', () => { torch.ones([2], { requires_grad: true }).grad = torch.ones(3); }, Error, /^grad: assigned grad has shape \[3\] \(float32\) but the tensor has shape \[2\]/],
  ['expand to an incompatible size', () => torch.ones(3, 2).expand(3, 4), Error, /^expand: the expanded size of the tensor \(4\) must match the existing size \(2\) at dimension 1/],
  ['max over an empty dim', () => torch.zeros(0, 3).max(0), Error, /^max: expected a non-empty tensor/],
];

test(`${cases.length} bad inputs each give a clear error, and the next call still works`, async (t) => {
  for (const [what, call, ErrorClass, pattern] of cases) {
    await t.test(what, () => {
      const before = torch.memory_stats();
      assert.throws(call, (error) => {
        assert.equal(error.constructor, ErrorClass, `${what}: ${error.constructor.name}: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
      });
      // The instance still works and the failed call left no tensor behind in the core.
      const check = torch.tensor([1, 2, 3], { dtype: 'float32' });
      assert.equal(check.sum().item(), 6);
      check.dispose();
      const after = torch.memory_stats();
      assert.ok(after.live_tensors <= before.live_tensors + 8, `${what}: leaked tensors`);
    });
  }
});

test('a failing op leaves its input tensors untouched', () => {
  const x = torch.tensor([1, 2, 3], { dtype: 'float32' });
  assert.throws(() => x.reshape(2, 2));
  assert.deepEqual(Array.from(x.toTypedArray()), [1, 2, 3]);
});
