// nn-errors.test.js: bad input to torch.nn gives a clear JavaScript error (issue 3): the
// class and the message (which names the PyTorch-level call, what was expected and what
// was given, in PyTorch's words where PyTorch has words for it) are checked, the failed
// call leaves no tensor behind and changes no module state, and the next call — on the
// same module where there is one — still works.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';

const { nn, F } = torch;

const x4 = (...shape) => torch.randn(shape);
const inputs = {
  img: x4(2, 3, 8, 8), img4ch: x4(2, 4, 8, 8), tiny: x4(1, 1, 3, 3), mat: x4(8, 8), five: x4(1, 1, 1, 8, 8),
  one: x4(1, 1, 5, 5), rows7: x4(3, 7), rows10: x4(3, 10), bnSingle: x4(1, 4), bnSingle2d: x4(1, 4, 1, 1),
  bn4: x4(2, 4, 2, 2), bn3: x4(2, 4, 2), six: x4(1, 1, 6, 6), vec: x4(3), ints: torch.zeros([1, 1, 2, 2], { dtype: 'int64' }),
};
const { img, img4ch, tiny, mat, five, one, rows7, rows10, bnSingle, bnSingle2d, bn4, bn3, six, vec, ints } = inputs;

// Modules used by several cases: the bad call must not break them.
const conv = new nn.Conv2d(3, 8, 3);
const conv1 = new nn.Conv2d(1, 2, 5);
const linear = new nn.Linear(10, 5);
const bn1 = new nn.BatchNorm1d(4);
const bn2 = new nn.BatchNorm2d(4);
const pool = new nn.MaxPool2d(3, { stride: 1, padding: 2 });
const avg = new nn.AvgPool2d(3, 1, 2);
const VALID_CONV = 'in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype';

// [what, bad call, error class, message pattern, next call that must work, its output shape]
const cases = [
  // Conv2d
  ['Conv2d: wrong channel count', () => conv(img4ch), Error,
    /^conv2d: given groups=1, weight of size \[8, 3, 3, 3\], expected input\[2, 4, 8, 8\] to have 3 channels, but got 4 channels instead$/,
    () => conv(img), [2, 8, 6, 6]],
  ['Conv2d: input smaller than the kernel', () => conv1(tiny), Error,
    /^conv2d: calculated padded input size per channel: \(3 x 3\)\. Kernel size: \(5 x 5\)\. Kernel size can't be greater than actual input size$/,
    () => conv1(one), [1, 2, 1, 1]],
  ['Conv2d: a 2-D input', () => conv(mat), RangeError,
    /^conv2d: expected 3D \(unbatched\) or 4D \(batched\) input, but got input of size: \[8, 8\]$/, () => conv(img), [2, 8, 6, 6]],
  ['Conv2d: a 5-D input', () => conv(five), RangeError,
    /^conv2d: expected 3D \(unbatched\) or 4D \(batched\) input, but got input of size: \[1, 1, 1, 8, 8\]$/, () => conv(img), [2, 8, 6, 6]],
  ['Conv2d: negative padding', () => new nn.Conv2d(1, 2, 3, { padding: -1 }), RangeError, /^Conv2d: padding must be >= 0, got -1$/,
    () => new nn.Conv2d(1, 2, 3, { padding: 1 })(one), [1, 2, 5, 5]],
  ['F.conv2d: negative padding', () => F.conv2d(one, conv1.weight, null, 1, [0, -1]), RangeError,
    /^conv2d: negative padding is not supported, got \[0,-1\]$/, () => F.conv2d(one, conv1.weight), [1, 2, 1, 1]],
  ['Conv2d: zero stride', () => new nn.Conv2d(1, 2, 3, { stride: 0 }), RangeError, /^Conv2d: stride must be >= 1, got 0$/,
    () => new nn.Conv2d(1, 2, 3, { stride: 2 })(one), [1, 2, 2, 2]],
  ['F.conv2d: zero stride', () => F.conv2d(one, conv1.weight, null, 0), RangeError,
    /^conv2d: non-positive stride is not supported, got 0$/, () => F.conv2d(one, conv1.weight, null, 1), [1, 2, 1, 1]],
  ['Conv2d: a bad padding string', () => new nn.Conv2d(1, 2, 3, { padding: 'full' }), TypeError,
    /^Conv2d: invalid padding string 'full', should be one of \{'valid', 'same'\}$/,
    () => new nn.Conv2d(1, 2, 3, { padding: 'same' })(one), [1, 2, 5, 5]],
  ['F.conv2d: a bad padding string', () => F.conv2d(one, conv1.weight, null, 1, 'SAME'), TypeError,
    /^conv2d: invalid padding string 'SAME', should be one of \{'valid', 'same'\}$/,
    () => F.conv2d(one, conv1.weight, null, 1, 'valid'), [1, 2, 1, 1]],
  ["Conv2d: padding='same' with stride 2", () => new nn.Conv2d(1, 2, 3, { padding: 'same', stride: 2 }), Error,
    /^Conv2d: padding='same' is not supported for strided convolutions$/, () => conv(img), [2, 8, 6, 6]],
  ['Conv2d: groups not dividing in_channels', () => new nn.Conv2d(3, 4, 3, { groups: 2 }), RangeError,
    /^Conv2d: in_channels must be divisible by groups \(3 % 2 != 0\)$/, () => new nn.Conv2d(4, 4, 3, { groups: 2 })(img4ch), [2, 4, 6, 6]],
  ['Conv2d: groups not dividing out_channels', () => new nn.Conv2d(4, 3, 3, { groups: 2 }), RangeError,
    /^Conv2d: out_channels must be divisible by groups \(3 % 2 != 0\)$/, () => conv(img), [2, 8, 6, 6]],
  ['F.conv2d: weight and groups do not fit the input', () => F.conv2d(img, torch.zeros([4, 1, 3, 3]), null, 1, 0, 1, 2), Error,
    /^conv2d: given groups=2, weight of size \[4, 1, 3, 3\], expected input\[2, 3, 8, 8\] to have 2 channels, but got 3 channels instead$/,
    () => F.conv2d(img, torch.zeros([3, 1, 3, 3]), null, 1, 0, 1, 3), [2, 3, 6, 6]],
  ['F.conv2d: a bias of the wrong size', () => F.conv2d(one, conv1.weight, torch.zeros([3])), Error,
    /^conv2d: expected bias of shape \[2\], got \[3\]$/, () => F.conv2d(one, conv1.weight, torch.zeros([2])), [1, 2, 1, 1]],
  ['Conv2d: an int64 input', () => conv1(ints), TypeError, /^conv2d: expected float32 input, weight and bias, got int64/,
    () => conv1(one), [1, 2, 1, 1]],
  ['Conv2d: an array instead of a tensor', () => conv([1, 2, 3]), TypeError,
    /^conv2d: expected a Tensor for input, got an array of length 3$/, () => conv(img), [2, 8, 6, 6]],
  ['Conv2d: kernel_size 0', () => new nn.Conv2d(1, 1, 0), RangeError, /^Conv2d: kernel_size must be >= 1, got 0$/,
    () => new nn.Conv2d(1, 1, 1)(one), [1, 1, 5, 5]],
  ['Conv2d: fractional in_channels', () => new nn.Conv2d(1.5, 1, 1), TypeError,
    /^Conv2d: expected an integer for 'in_channels', got number 1.5$/, () => new nn.Conv2d(1, 1, 1)(one), [1, 1, 5, 5]],
  ['Conv2d: a stride of three numbers', () => new nn.Conv2d(1, 1, 3, { stride: [1, 2, 3] }), TypeError,
    /^Conv2d: expected an int or a pair of ints for stride, got an array of length 3$/, () => conv(img), [2, 8, 6, 6]],
  // Linear
  ['Linear: in_features mismatch', () => linear(rows7), Error,
    /^linear: mat1 and mat2 shapes cannot be multiplied \(input \[3, 7\], weight \[5, 10\]: in_features 10\)$/,
    () => linear(rows10), [3, 5]],
  ['Linear: negative in_features', () => new nn.Linear(-1, 1), RangeError, /^Linear: 'in_features' must be >= 0, got -1$/,
    () => linear(rows10), [3, 5]],
  ['F.linear: a 1-D weight', () => F.linear(rows10, vec), Error, /^linear: expected a 2D weight \(out_features, in_features\)/,
    () => F.linear(rows10, linear.weight), [3, 5]],
  // BatchNorm
  ['BatchNorm1d: one value per channel in training', () => bn1(bnSingle), Error,
    /^batch_norm: expected more than 1 value per channel when training, got input size \[1, 4\]$/,
    () => bn1.eval()(bnSingle), [1, 4], () => bn1.train()],
  ['BatchNorm2d: one value per channel in training', () => bn2(bnSingle2d), Error,
    /^batch_norm: expected more than 1 value per channel when training, got input size \[1, 4, 1, 1\]$/,
    () => bn2(bn4), [2, 4, 2, 2]],
  ['BatchNorm2d: a 3-D input', () => bn2(bn3), RangeError, /^BatchNorm2d: expected 4D input \(got 3D input\)$/,
    () => bn2(bn4), [2, 4, 2, 2]],
  ['BatchNorm1d: a 4-D input', () => bn1(bn4), RangeError, /^BatchNorm1d: expected 2D or 3D input \(got 4D input\)$/,
    () => bn1(bn3), [2, 4, 2]],
  ['BatchNorm2d: wrong channel count', () => bn2(img), Error, /^batch_norm: .*running_mean.*\[4\].*\[3\]|^batch_norm: .*running_mean.*\[3\].*\[4\]/,
    () => bn2(bn4), [2, 4, 2, 2]],
  ['BatchNorm2d: eps 0', () => new nn.BatchNorm2d(3, { eps: 0 }), RangeError, /^BatchNorm2d: eps must be a positive number, got 0$/,
    () => bn2(bn4), [2, 4, 2, 2]],
  // wrong option names
  ['Conv2d: option strides (for stride)', () => new nn.Conv2d(1, 8, 3, { strides: 2 }), TypeError,
    new RegExp(`^Conv2d: unknown option 'strides'; valid options are: ${VALID_CONV}$`), () => new nn.Conv2d(1, 8, 3, { stride: 2 })(one), [1, 8, 2, 2]],
  ['Conv2d: option kernelSize (camelCase)', () => new nn.Conv2d({ in_channels: 1, out_channels: 2, kernelSize: 3 }), TypeError,
    /^Conv2d: unknown option 'kernelSize'; valid options are: in_channels, /, () => new nn.Conv2d({ in_channels: 1, out_channels: 2, kernel_size: 3 })(one), [1, 2, 3, 3]],
  ['Linear: option bais', () => new nn.Linear(1, 8, { bais: false }), TypeError,
    /^Linear: unknown option 'bais'; valid options are: in_features, out_features, bias, device, dtype$/, () => linear(rows10), [3, 5]],
  ['MaxPool2d: option kernelSize', () => new nn.MaxPool2d({ kernelSize: 2 }), TypeError,
    /^MaxPool2d: unknown option 'kernelSize'; valid options are: kernel_size, stride, padding, dilation, return_indices, ceil_mode$/,
    () => new nn.MaxPool2d({ kernel_size: 2 })(six), [1, 1, 3, 3]],
  ['BatchNorm2d: option momentom', () => new nn.BatchNorm2d(4, { momentom: 0.2 }), TypeError,
    /^BatchNorm2d: unknown option 'momentom'; valid options are: num_features, eps, momentum, affine, track_running_stats, device, dtype$/,
    () => bn2(bn4), [2, 4, 2, 2]],
  ['Dropout: option prob', () => new nn.Dropout({ prob: 0.2 }), TypeError,
    /^Dropout: unknown option 'prob'; valid options are: p, inplace$/, () => new nn.Dropout({ p: 0.2 }).eval()(vec), [3]],
  ['ReLU: too many positional arguments', () => new nn.ReLU(true, 1), TypeError,
    /^ReLU: takes at most 1 positional arguments but 2 were given$/, () => new nn.ReLU()(vec), [3]],
  // load_state_dict
  ['load_state_dict: a weight of the wrong shape', () => linear.load_state_dict({ weight: torch.zeros([5, 9]), bias: torch.zeros([5]) }), Error,
    /^Error\(s\) in loading state_dict for Linear:\n\tsize mismatch for weight: copying a param with shape \[5, 9\] from checkpoint, the shape in current model is \[5, 10\]\.$/,
    () => linear(rows10), [3, 5]],
  ['load_state_dict: a misspelled key', () => linear.load_state_dict({ weight: torch.zeros([5, 10]), bais: torch.zeros([5]) }), Error,
    /^Error\(s\) in loading state_dict for Linear:\n\tMissing key\(s\) in state_dict: "bias"\. \n\tUnexpected key\(s\) in state_dict: "bais"\. $/,
    () => linear(rows10), [3, 5]],
  // pooling
  ['MaxPool2d: padding larger than half the kernel', () => pool(six), RangeError,
    /^max_pool2d: pad should be at most half of effective kernel size, but got pad=2 and kernel_size=3$/,
    () => new nn.MaxPool2d(3, 1, 1)(six), [1, 1, 6, 6]],
  ['F.max_pool2d: padding larger than half the kernel', () => F.max_pool2d(six, 2, 2, 2), RangeError,
    /^max_pool2d: pad should be at most half of effective kernel size/, () => F.max_pool2d(six, 2, 2, 1), [1, 1, 4, 4]],
  ['AvgPool2d: padding larger than half the kernel', () => avg(six), RangeError,
    /^avg_pool2d: pad should be at most half of effective kernel size, but got pad=2 and kernel_size=3$/,
    () => new nn.AvgPool2d(3, 1, 1)(six), [1, 1, 6, 6]],
  ['MaxPool2d: input smaller than the kernel', () => new nn.MaxPool2d(5)(tiny), Error,
    /^max_pool2d: output size is too small: input \[1, 1, 3, 3\] with kernel \(5, 5\) gives an empty output$/,
    () => new nn.MaxPool2d(3)(tiny), [1, 1, 1, 1]],
  ['MaxPool2d: stride 0', () => new nn.MaxPool2d(2, 0)(six), RangeError, /^max_pool2d: stride must be greater than zero, got 0$/,
    () => new nn.MaxPool2d(2)(six), [1, 1, 3, 3]],
  ['MaxPool2d: a 2-D input', () => new nn.MaxPool2d(2)(mat), RangeError,
    /^max_pool2d: expected 3D \(unbatched\) or 4D \(batched\) input, but got input of size: \[8, 8\]$/,
    () => new nn.MaxPool2d(2)(six), [1, 1, 3, 3]],
  ['AvgPool2d: divisor_override 0', () => new nn.AvgPool2d(2, { divisor_override: 0 })(six), RangeError,
    /^avg_pool2d: divisor must be not zero, got 0$/, () => new nn.AvgPool2d(2, { divisor_override: 1 })(six), [1, 1, 3, 3]],
  ['AdaptiveAvgPool2d: output size 0', () => new nn.AdaptiveAvgPool2d(0)(six), RangeError,
    /^adaptive_avg_pool2d: output_size must be positive integers, got 0$/, () => new nn.AdaptiveAvgPool2d(2)(six), [1, 1, 2, 2]],
  // dropout
  ['Dropout: p = 1.5', () => new nn.Dropout(1.5), RangeError, /^Dropout: dropout probability has to be between 0 and 1, but got 1\.5$/,
    () => new nn.Dropout(1)(vec), [3]],
  ['Dropout: p = -0.1', () => new nn.Dropout(-0.1), RangeError, /^Dropout: dropout probability has to be between 0 and 1, but got -0\.1$/,
    () => new nn.Dropout(0)(vec), [3]],
  ['Dropout2d: p = 1.01', () => new nn.Dropout2d(1.01), RangeError,
    /^Dropout2d: dropout probability has to be between 0 and 1, but got 1\.01$/, () => new nn.Dropout2d(0.5)(img), [2, 3, 8, 8]],
  ['F.dropout: p = 2', () => F.dropout(vec, 2), RangeError, /^dropout: dropout probability has to be between 0 and 1, but got 2$/,
    () => F.dropout(vec, 0.5), [3]],
  ['F.dropout2d: p = NaN', () => F.dropout2d(img, NaN), RangeError, /^dropout2d: dropout probability has to be between 0 and 1, but got NaN$/,
    () => F.dropout2d(img, 0.5), [2, 3, 8, 8]],
  // activations and shape layers
  ["GELU: approximate 'fast'", () => new nn.GELU({ approximate: 'fast' })(vec), TypeError,
    /^gelu: approximate must be 'none' or 'tanh', got "fast"$/, () => new nn.GELU({ approximate: 'tanh' })(vec), [3]],
  ['Softmax: dim out of range', () => new nn.Softmax(2)(rows10), RangeError,
    /^softmax: dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)$/, () => new nn.Softmax(1)(rows10), [3, 10]],
  ['Flatten: end_dim out of range', () => new nn.Flatten(1, 5)(rows10), RangeError,
    /^flatten: dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)$/, () => new nn.Flatten()(img), [2, 192]],
  ['Unflatten: sizes that do not multiply to the dim', () => new nn.Unflatten(1, [4, 2])(x4(2, 6)), Error,
    /^reshape: shape '\[2, 4, 2\]' is invalid for input of size 12$/, () => new nn.Unflatten(1, [3, 2])(x4(2, 6)), [2, 3, 2]],
];

test(`${cases.length} bad nn inputs each give a clear error, and the next call still works`, async (t) => {
  for (const [what, call, ErrorClass, pattern, next, nextShape, cleanup] of cases) {
    await t.test(what, () => {
      const stats = [bn1, bn2].map((m) => [m.running_mean.toTypedArray().slice(), m.running_var.toTypedArray().slice()]);
      const before = torch.memory_stats();
      assert.throws(call, (error) => {
        assert.equal(error.constructor, ErrorClass, `${what}: ${error.constructor.name}: ${error.message}`);
        assert.match(error.message, pattern);
        return true;
      });
      const after = torch.memory_stats();
      // A failed call may leave step-scoped wrappers of intermediate results (an unsqueezed
      // view, say) until the step ends; never more than a couple.
      assert.ok(after.live_tensors <= before.live_tensors + 4, `${what}: ${after.live_tensors - before.live_tensors} tensors leaked`);
      [bn1, bn2].forEach((m, i) => {
        assert.deepEqual(m.running_mean.toTypedArray(), stats[i][0], `${what}: running_mean changed by a failed call`);
        assert.deepEqual(m.running_var.toTypedArray(), stats[i][1], `${what}: running_var changed by a failed call`);
      });
      const y = next();
      assert.deepEqual(y.shape, nextShape, `${what}: the next call`);
      assert.ok(y.toTypedArray().every(Number.isFinite), `${what}: the next call gives finite values`);
      if (cleanup) cleanup();
    });
  }
});

test('a failed forward leaves the module and its parameters untouched', () => {
  const m = new nn.Conv2d(3, 8, 3);
  const w = m.weight.toTypedArray().slice();
  assert.throws(() => m(img4ch));
  assert.deepEqual(m.weight.toTypedArray(), w);
  assert.equal(m.weight.grad, null);
  const y = m(img);
  y.sum().backward();
  assert.deepEqual(m.weight.grad.shape, [8, 3, 3, 3], 'backward after a failed forward works');
});

test('the error names what was given: a tensor, a number, a string', () => {
  assert.throws(() => F.conv2d(img, 'weight'), /^TypeError: conv2d: expected a Tensor for weight, got the string 'weight'$|conv2d: expected a Tensor for weight, got the string 'weight'/);
  assert.throws(() => F.linear(3, linear.weight), /linear: expected a Tensor for input, got number 3/);
  assert.throws(() => F.max_pool2d(img, [2, 2, 2]), /max_pool2d: expected an int or a pair of ints for kernel_size, got an array of length 3/);
});
