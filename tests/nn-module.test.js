// nn-module.test.js: nn.Module behaves like PyTorch's (issue 3) — a user model written the
// PyTorch way (class Net extends nn.Module, sub-modules assigned as properties, F.* in
// forward) is callable, finds its parameters in PyTorch's order with dotted names, walks
// children / modules, switches train / eval, zeroes grads, applies functions, prints
// PyTorch's repr (strings from tests/fixtures/nn.json), and round-trips its state_dict;
// load_state_dict reports PyTorch's errors and changes nothing when it fails; Sequential,
// ModuleList and nn.Parameter; Softmax without dim (legacy dim, warned once); and a few
// steps of plain SGD written by hand reduce the loss.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import { assertClose, fixtureTensor, loadFixture } from './helpers.js';
import { TOL, assertThrowsWith, captureWarnings, defineModels, makeModule, prng } from './nn-helpers.js';

const { nn, F } = torch;
const fixture = loadFixture('nn.json');
const { Net, LeNet5, make } = defineModels(torch);
const PT = fixture.models;

/** A kept (N, 1, 28, 28) batch of MNIST-sized noise. */
function batch(n, seed = 1) {
  return torch.tensor(prng(seed).array(n * 28 * 28), { shape: [n, 1, 28, 28] });
}

function snapshot(model) {
  return Object.fromEntries(Object.entries(model.state_dict()).map(([k, v]) => [k, v.toTypedArray().slice()]));
}

// Must run first in this file: the implicit-dim warning is given once per process.
test('Softmax / LogSoftmax without dim: PyTorch legacy dim, warned once', () => {
  const cases = fixture.cases.filter((c) => c.family === 'softmax_implicit');
  assert.equal(cases.length, 8);
  const warned = { Softmax: [], LogSoftmax: [] };
  for (const c of cases) {
    const m = makeModule(nn, c);
    assert.equal(String(m), c.repr);
    const step = c.steps[0];
    const x = fixtureTensor(torch, step.input, true);
    const [out, messages] = captureWarnings(() => m(x));
    warned[c.module].push(...messages);
    assertClose(out.toTypedArray(), step.output.values, { ...TOL, shape: step.output.shape, label: `${c.name} output` });
    const W = fixtureTensor(torch, step.W);
    out.mul(W).sum().backward();
    assertClose(x.grad.toTypedArray(), step.grads.input.values, { ...TOL, label: `${c.name} grad` });
    x.dispose();
    W.dispose();
  }
  for (const [name, messages] of Object.entries(warned)) {
    assert.equal(messages.length, 1, `${name}: one warning for ${cases.length / 2} calls, got ${messages.length}`);
    assert.match(messages[0], /Implicit dimension choice for (log_)?softmax has been deprecated/);
    assert.match(messages[0], /dim=X/);
  }
  // The functional form shares the warning (already given): no new one, same legacy dim.
  const x = torch.tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float32' });
  const [y, more] = captureWarnings(() => F.softmax(x));
  assert.equal(more.length, 0);
  assertClose(y.toTypedArray(), x.softmax(1).toTypedArray(), { ...TOL, label: 'F.softmax 2-D -> dim 1' });
});

test('a PyTorch-style Net subclass is callable and runs forward', () => {
  torch.manual_seed(1);
  const model = new Net();
  assert.ok(model instanceof nn.Module);
  assert.ok(model instanceof Net);
  assert.equal(typeof model, 'function', 'model(x) works because a Module is callable');
  const x = batch(2);
  model.eval();
  const a = torch.no_grad(() => model(x)).toTypedArray();
  const b = torch.no_grad(() => model.forward(x)).toTypedArray();
  assert.deepEqual(a, b, 'model(x) and model.forward(x) agree');
  assert.equal(a.length, 20);
  // log_softmax rows: exp sums to 1
  for (let r = 0; r < 2; r++) {
    const s = a.slice(r * 10, r * 10 + 10).reduce((acc, v) => acc + Math.exp(v), 0);
    assert.ok(Math.abs(s - 1) < 1e-5, `row ${r} of log_softmax sums to ${s}`);
  }
  assert.throws(() => new (class extends nn.Module {})()(x), /missing the required "forward" function/);
  x.dispose();
});

test('named_parameters, state_dict keys, named_modules and children: PyTorch names and order', () => {
  for (const [name, expected] of Object.entries(PT)) {
    if (name === 'load_errors') continue;
    const model = make[name]();
    assert.deepEqual(model.named_parameters().map(([n]) => n), expected.named_parameters, `${name}: named_parameters`);
    assert.deepEqual(Object.keys(model.state_dict()), expected.state_dict_keys, `${name}: state_dict keys`);
    assert.deepEqual(model.named_modules().map(([n]) => n), expected.named_modules, `${name}: named_modules`);
    assert.deepEqual(model.children().map((m) => m.constructor.name), expected.children, `${name}: children`);
    assert.equal(model.parameters().length, expected.named_parameters.length, `${name}: parameters()`);
    model.parameters().forEach((p, i) => assert.equal(p, model.named_parameters()[i][1], `${name}: parameters()[${i}]`));
  }
});

test('repr equals PyTorch str(model)', () => {
  for (const [name, expected] of Object.entries(PT)) {
    if (name === 'load_errors') continue;
    assert.equal(String(make[name]()), expected.repr, `${name}: repr`);
  }
});

test('single-module reprs equal PyTorch str(module)', () => {
  assert.ok(fixture.module_reprs.length > 30);
  for (const [py, js, expected] of fixture.module_reprs) {
    const m = new Function('nn', `return ${js};`)(nn);
    assert.equal(String(m), expected, `${js} (PyTorch: ${py})`);
  }
});

test('children() and modules() return the modules themselves', () => {
  const model = new Net();
  const children = model.children();
  assert.deepEqual(children, [model.conv1, model.conv2, model.dropout1, model.dropout2, model.fc1, model.fc2]);
  const modules = model.modules();
  assert.equal(modules[0], model, 'modules() starts with the model itself');
  assert.deepEqual(modules.slice(1), children);
  const lenet = new LeNet5();
  assert.equal(lenet.modules().length, 1 + 2 + 8 + 6);
  assert.equal(lenet.get_submodule('features.1'), lenet.features[1]);
  // a module shared twice is listed once, as in PyTorch
  const shared = new nn.Linear(2, 2);
  const seq = new nn.Sequential(shared, new nn.ReLU(), shared);
  assert.equal(seq.modules().length, 3);
  assert.equal(seq.parameters().length, 2);
});

test('train() / eval() set .training on every sub-module and return the module', () => {
  const model = new LeNet5();
  assert.equal(model.training, true, 'a new module is in training mode');
  assert.equal(model.eval(), model);
  for (const m of model.modules()) assert.equal(m.training, false, `${m.constructor.name} after eval()`);
  assert.equal(model.train(), model);
  for (const m of model.modules()) assert.equal(m.training, true, `${m.constructor.name} after train()`);
  model.train(false);
  assert.equal(model.features[1].training, false, 'train(false) is eval()');
  // eval() changes results: dropout off, batch norm on running stats
  const seq = new nn.Sequential(new nn.Dropout(0.5));
  const x = torch.ones([100]);
  seq.eval();
  assert.deepEqual([...seq(x).toTypedArray()], new Array(100).fill(1));
  seq.train();
  assert.ok(seq(x).toTypedArray().some((v) => v === 0), 'dropout active in training mode');
  x.dispose();
});

test('zero_grad() clears gradients; gradients accumulate across backward calls until then', () => {
  torch.manual_seed(0);
  const model = new nn.Sequential(new nn.Linear(4, 3), new nn.Tanh(), new nn.Linear(3, 2));
  const x = torch.randn([5, 4]);
  for (const p of model.parameters()) assert.equal(p.grad, null, 'no grad before backward');
  model(x).sum().backward();
  const g1 = model[0].weight.grad.toTypedArray().slice();
  model(x).sum().backward();
  const g2 = model[0].weight.grad.toTypedArray();
  g2.forEach((v, i) => assert.ok(Math.abs(v - 2 * g1[i]) <= 1e-6 + 1e-6 * Math.abs(v), 'accumulated'));
  model.zero_grad({ set_to_none: false });
  for (const p of model.parameters()) assert.ok(p.grad.toTypedArray().every((v) => v === 0), 'zeroed in place');
  model(x).sum().backward();
  model.zero_grad();
  // PyTorch 2.x default (set_to_none=True); PyTorch 1.13 zeroed in place by default.
  for (const p of model.parameters()) assert.ok(p.grad === null || p.grad.toTypedArray().every((v) => v === 0));
  model.zero_grad({ set_to_none: true });
  for (const p of model.parameters()) assert.equal(p.grad, null);
  x.dispose();
});

test('apply(fn) visits children first, then the module, and returns it', () => {
  const model = new Net();
  const seen = [];
  assert.equal(model.apply((m) => seen.push(m)), model);
  // PyTorch: for module in self.children(): module.apply(fn); fn(self)
  assert.deepEqual(seen, [...model.children(), model]);
  model.apply((m) => {
    if (m instanceof nn.Linear) {
      nn.init.ones_(m.weight);
      nn.init.zeros_(m.bias);
    }
  });
  assert.ok(model.fc2.weight.toTypedArray().every((v) => v === 1));
  assert.ok(model.fc1.bias.toTypedArray().every((v) => v === 0));
  assert.equal(model.fc1.weight.requires_grad, true, 'init under apply keeps requires_grad');
});

test('Sequential: indexing, at(), length, append, iteration, named construction', () => {
  const seq = make.MnistSequential();
  assert.equal(seq.length, 12);
  assert.ok(seq[0] instanceof nn.Conv2d);
  assert.ok(seq[11] instanceof nn.LogSoftmax);
  assert.equal(seq.at(0), seq[0]);
  assert.equal(seq.at(-1), seq[11]);
  assert.equal(seq.at(-12), seq[0]);
  assert.throws(() => seq.at(12), RangeError);
  assert.throws(() => seq.at(-13), RangeError);
  assert.deepEqual([...seq], seq.children());
  const names = [];
  for (const m of seq) names.push(m.constructor.name);
  assert.deepEqual(names, PT.MnistSequential.children);
  const extra = new nn.Identity();
  assert.equal(seq.append(extra), seq, 'append returns the Sequential');
  assert.equal(seq.length, 13);
  assert.equal(seq[12], extra);
  assert.equal(seq.at(-1), extra);
  assert.throws(() => seq.append(42), TypeError);
  assert.throws(() => new nn.Sequential(new nn.ReLU(), 'relu'), TypeError);
  // an OrderedDict-like object names the children
  const named = new nn.Sequential({ conv: new nn.Conv2d(1, 2, 3), act: new nn.ReLU() });
  assert.deepEqual(named.named_parameters().map(([n]) => n), ['conv.weight', 'conv.bias']);
  assert.equal(named.at(1), named.act);
  assert.equal(String(named), 'Sequential(\n  (conv): Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1))\n  (act): ReLU()\n)');
  // Sequential forward chains the modules
  torch.manual_seed(3);
  const small = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const x = torch.randn([2, 3]);
  const direct = small[2](small[1](small[0](x)));
  assert.deepEqual(small(x).toTypedArray(), direct.toTypedArray());
  x.dispose();
  // ModuleList
  const list = new nn.ModuleList([new nn.Linear(2, 2), new nn.ReLU()]);
  assert.equal(list.length, 2);
  list.append(new nn.Linear(2, 1));
  assert.equal(list.length, 3);
  assert.ok(list.at(-1) instanceof nn.Linear);
  assert.deepEqual(list.named_parameters().map(([n]) => n), ['0.weight', '0.bias', '2.weight', '2.bias']);
});

test('state_dict round trip gives identical outputs (Net and LeNet5 with batch-norm buffers)', () => {
  for (const name of ['Net', 'LeNet5']) {
    torch.manual_seed(11);
    const a = make[name]();
    const x = batch(3, 5);
    if (name === 'LeNet5') { // move the running stats away from their initial values
      a.train();
      a(x);
      a(x);
    }
    a.eval();
    const sd = a.state_dict();
    assert.deepEqual(Object.keys(sd), PT[name].state_dict_keys);
    for (const [k, v] of Object.entries(sd)) assert.equal(v.requires_grad, false, `state_dict()['${k}'] is detached`);
    torch.manual_seed(12);
    const b = make[name]();
    b.eval();
    const ya = torch.no_grad(() => a(x)).toTypedArray();
    const before = torch.no_grad(() => b(x)).toTypedArray();
    assert.notDeepEqual(before, ya, 'a differently seeded model differs before loading');
    const result = b.load_state_dict(sd);
    assert.deepEqual(result, { missing_keys: [], unexpected_keys: [] });
    assert.deepEqual(torch.no_grad(() => b(x)).toTypedArray(), ya, `${name}: outputs after load_state_dict`);
    assert.deepEqual(snapshot(b), snapshot(a));
    for (const p of b.parameters()) assert.equal(p.requires_grad, true, 'parameters still learn after loading');
    if (name === 'LeNet5') assert.equal(b.features[1].num_batches_tracked.item(), 2);
    x.dispose();
  }
});

test('load_state_dict errors: PyTorch messages, and a failed load changes nothing', () => {
  torch.manual_seed(21);
  const good = new Net().state_dict();
  const cases = {
    'missing fc2.bias': (sd) => { delete sd['fc2.bias']; },
    'unexpected fc3.weight': (sd) => { sd['fc3.weight'] = torch.zeros([3, 3]); },
    'size mismatch conv1.weight': (sd) => { sd['conv1.weight'] = torch.zeros([32, 1, 5, 5]); },
    'missing, unexpected and size mismatch': (sd) => {
      delete sd['conv1.bias'];
      delete sd['fc1.weight'];
      sd.extra = torch.zeros([1]);
      sd['fc2.weight'] = torch.zeros([10, 64]);
    },
  };
  torch.manual_seed(22);
  const model = new Net();
  const before = snapshot(model);
  for (const [name, edit] of Object.entries(cases)) {
    const sd = { ...good };
    edit(sd);
    // JS has no torch.Size: kindling prints a shape as [a, b], PyTorch as torch.Size([a, b]).
    const expected = PT.load_errors[name].replace(/torch\.Size\((\[[^\]]*\])\)/g, '$1');
    const err = assertThrowsWith(() => model.load_state_dict(sd), Error, /^Error\(s\) in loading state_dict for Net:/, name);
    assert.equal(err.message, expected, `${name}: message`);
    assert.deepEqual(snapshot(model), before, `${name}: a failed load changed the model`);
  }
  // a value that is not a tensor
  assertThrowsWith(() => model.load_state_dict({ ...good, 'fc2.bias': [1, 2, 3] }), Error,
    'While copying the parameter named "fc2.bias"', 'not a tensor');
  assert.throws(() => model.load_state_dict(null), TypeError);
  assert.deepEqual(snapshot(model), before);
  // the model still works and loads a good state_dict afterwards
  model.load_state_dict(good);
  assert.deepEqual(snapshot(model), Object.fromEntries(Object.entries(good).map(([k, v]) => [k, v.toTypedArray()])));
});

test('load_state_dict strict=false returns missing / unexpected keys and loads the rest', () => {
  torch.manual_seed(31);
  const src = new Net();
  torch.manual_seed(32);
  const dst = new Net();
  const sd = src.state_dict();
  const keptBias = dst.fc2.bias.toTypedArray().slice();
  delete sd['fc2.bias'];
  sd['head.weight'] = torch.zeros([2]);
  const result = dst.load_state_dict(sd, { strict: false });
  assert.deepEqual(result.missing_keys, ['fc2.bias']);
  assert.deepEqual(result.unexpected_keys, ['head.weight']);
  assert.deepEqual(dst.conv1.weight.toTypedArray(), src.conv1.weight.toTypedArray(), 'matching keys were loaded');
  assert.deepEqual(dst.fc2.bias.toTypedArray(), keptBias, 'the missing key kept its value');
  // strict=false still refuses a size mismatch (as PyTorch does)
  sd['fc2.weight'] = torch.zeros([3, 3]);
  assert.throws(() => dst.load_state_dict(sd, { strict: false }), /size mismatch for fc2\.weight/);
});

test('nn.Parameter', () => {
  const data = torch.tensor([1, 2, 3], { dtype: 'float32' });
  const p = new nn.Parameter(data);
  assert.ok(p instanceof torch.Tensor);
  assert.ok(p instanceof nn.Parameter);
  assert.equal(p.requires_grad, true);
  assert.equal(p.is_leaf, true);
  assert.match(String(p), /^Parameter containing:\ntensor\(\[1\., 2\., 3\.\], requires_grad=True\)$/);
  assert.equal(new nn.Parameter(data, false).requires_grad, false);
  assert.equal(data.requires_grad, false, 'the source tensor is not changed');
  // shares data with its source, as PyTorch's Parameter(data)
  torch.no_grad(() => data.fill_(7));
  assert.deepEqual([...p.toTypedArray()], [7, 7, 7], 'Parameter shares the storage of its data');
  assert.throws(() => new nn.Parameter([1, 2]), TypeError);
  // registration: assigned Parameters are found, plain tensors are not
  class M extends nn.Module {
    constructor() {
      super();
      this.scale = new nn.Parameter(torch.ones([2]));
      this.plain = torch.zeros([2]);
      this.register_buffer('stat', torch.zeros([2]));
      this.register_buffer('tmp', torch.zeros([1]), { persistent: false });
    }
    forward(x) { return x.mul(this.scale); }
  }
  const m = new M();
  assert.deepEqual(m.named_parameters().map(([n]) => n), ['scale']);
  assert.deepEqual(m.named_buffers().map(([n]) => n), ['stat', 'tmp']);
  assert.deepEqual(Object.keys(m.state_dict()), ['scale', 'stat'], 'non-persistent buffers are not saved');
  m.register_parameter('extra', new nn.Parameter(torch.zeros([1])));
  assert.deepEqual(m.named_parameters().map(([n]) => n), ['scale', 'extra']);
  assert.throws(() => m.register_parameter('bad', torch.zeros([1])), TypeError);
  const x = torch.tensor([[1, 2], [3, 4]], { dtype: 'float32' });
  m(x).sum().backward();
  assert.deepEqual([...m.scale.grad.toTypedArray()], [4, 6]);
  m.requires_grad_(false);
  assert.equal(m.scale.requires_grad, false, 'requires_grad_(false) freezes parameters');
});

test('a few steps of plain SGD written by hand reduce the loss', () => {
  torch.manual_seed(1);
  const model = new Net();
  const x = batch(8, 7);
  const r = prng(8);
  const target = Array.from({ length: 8 }, () => r.int(0, 9));
  const onehot = torch.tensor(Float32Array.from({ length: 80 }, (_, i) => (target[Math.floor(i / 10)] === i % 10 ? 1 : 0)), { shape: [8, 10] });
  // nll loss of log-probabilities, mean over the batch
  const lossOf = (out) => out.mul(onehot).sum().div(-8);
  const evalLoss = () => {
    model.eval();
    const v = torch.no_grad(() => lossOf(model(x)).item());
    model.train();
    return v;
  };
  const lr = 0.05;
  const start = evalLoss();
  const losses = [];
  for (let step = 0; step < 5; step++) {
    model.zero_grad();
    const loss = lossOf(model(x));
    losses.push(loss.item());
    loss.backward();
    torch.no_grad(() => {
      for (const p of model.parameters()) p.copy_(p.sub(p.grad.mul(lr)));
    });
  }
  const end = evalLoss();
  assert.ok(Number.isFinite(end), `loss ${end}`);
  assert.ok(end < start * 0.9, `loss did not drop: ${start} -> ${end} (train losses ${losses.map((v) => v.toFixed(4)).join(', ')})`);
  for (const p of model.parameters()) assert.equal(p.requires_grad, true, 'parameters still learn after the update');
  x.dispose();
  onehot.dispose();
});
