// api-options.test.js: no public call silently ignores an option. The test walks the public
// API — torch.*, torch.nn.functional, torch.nn.init, Tensor.prototype, every nn module (its
// constructor and its methods), torch.optim and lr_scheduler (constructors and methods),
// torch.utils.data, kindling/datasets and kindling/transforms — and calls each function,
// constructor and method with an unknown option, {bogus_option: 1}, appended to arguments
// that are otherwise valid. Every such call must throw, and at least one must throw the
// TypeError that names the option and lists the valid ones (or says the call takes none).
//
// Nothing here is a list of the functions to check: they are found by walking the modules,
// so a new function is checked the day it is exported. ARGS gives working arguments where
// the generic ones (tensors and small integers, tried in turn) cannot call a function, and
// SKIP names the few callables that take no options object at all, each with the reason.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../dist/index.js';
import * as datasets from '../dist/datasets/index.js';
import * as transforms from '../dist/transforms/index.js';

const { nn, optim } = torch;
const BOGUS = { bogus_option: 1 };
const UNKNOWN = /unknown option 'bogus_option'; (valid options are: [\w, ]+|it takes no options)$/;

// --- fresh arguments (a call may consume or change what it is given) -----------------------
const x = () => torch.tensor([[0.5, -1.5, 2.0], [1.0, 0.25, -0.75]]);
const img4 = () => torch.rand(1, 2, 6, 6);
const target = () => torch.tensor([0, 2]);
const image = () => ({ data: new Uint8Array(4 * 4 * 1).fill(7), width: 4, height: 4, channels: 1 });
const param = () => new nn.Parameter(torch.randn(2, 3));
const sgd = () => new optim.SGD([param()], { lr: 0.1 });
const tds = () => new torch.utils.data.TensorDataset(torch.randn(4, 2), torch.tensor([0, 1, 0, 1]));

/** Generic argument lists, tried in turn for callables without an ARGS entry. */
const GENERIC = [[], [x], [x, x], [x, 1], [x, 0], [x, 0, 1], [x, target], [1], [0], [0, 1], [2, 3], [img4, 2], [x, x, x]];

/**
 * Working arguments (thunks are called fresh for every call) for what GENERIC cannot call.
 * Keys: 'torch.name', 'F.name', 'init.name', 'nn.Class' (constructor), 'Class#method',
 * 'optim.Class', 'sched.Class', 'data.name', 'datasets.name', 'transforms.name'.
 */
const ARGS = {
  'torch.tensor': [[[1, 2]]],
  'torch.full': [[[2], 1]],
  'torch.full_like': [[x, 1]],
  'torch.cat': [[() => [x(), x()]], [() => [x(), x()], 0]],
  'torch.stack': [[() => [x(), x()]], [() => [x(), x()], 0]],
  'torch.set_rng_state': [[() => torch.get_rng_state()]],
  'torch.set_grad_enabled': [[true]],
  'torch.no_grad': [[() => () => 1]],
  'torch.enable_grad': [[() => () => 1]],
  'torch.inference_mode': [[() => () => 1]],
  'torch.set_simd': [[true]],
  'torch.set_printoptions': [[() => ({ precision: 4 })]],
  'torch.device': [['cpu']],
  'torch.save': [[() => ({ w: x() })]],
  'torch.load': [[() => torch.save({ w: x() })]],
  'torch.download': [[() => ({ w: x() }), 'f.pt']],
  'torch.index_select': [[x, 1, () => torch.tensor([0])]],
  'torch.masked_fill': [[x, () => torch.tensor([[true, false, true], [false, true, false]]), 0]],
  'torch.scatter': [[x, 1, () => torch.tensor([[0], [2]]), 1]],
  'torch.scatter_add': [[x, 1, () => torch.tensor([[0], [2]]), () => torch.ones(2, 1)]],
  'Tensor#masked_fill_': [[() => torch.tensor([[true, false, true], [false, true, false]]), 0]],
  'Tensor#masked_fill': [[() => torch.tensor([[true, false, true], [false, true, false]]), 0]],
  'Tensor#scatter_': [[1, () => torch.tensor([[0], [2]]), 1]],
  'Tensor#scatter': [[1, () => torch.tensor([[0], [2]]), 1]],
  'Tensor#scatter_add_': [[1, () => torch.tensor([[0], [2]]), () => torch.ones(2, 1)]],
  'Tensor#scatter_add': [[1, () => torch.tensor([[0], [2]]), () => torch.ones(2, 1)]],
  'torch.narrow': [[x, 1, 0, 1]],
  'torch.transpose': [[x, 0, 1]],
  'torch.permute': [[x, 1, 0]],
  'torch.reshape': [[x, 3, 2]],
  'torch.randint': [[3, [2]]],
  'torch.manual_seed': [[0]],
  'torch.Generator': [[]],
  'Generator#manual_seed': [[1]],
  'Generator#set_state': [[() => new torch.Generator().get_state()]],
  'Tensor#index_select': [[1, () => torch.tensor([0])]],
  'Tensor#narrow': [[1, 0, 1]],
  'Tensor#transpose': [[0, 1]],
  'Tensor#permute': [[1, 0]],
  'Tensor#reshape': [[3, 2]],
  'Tensor#view': [[3, 2]],
  'Tensor#expand': [[2, 3]],
  'Tensor#to': [['float32']],
  'Tensor#type': [['torch.FloatTensor']],
  'Tensor#backward': [[() => torch.ones(2, 3)]],
  'Tensor#requires_grad_': [[true]],
  'F.conv2d': [[img4, () => torch.rand(3, 2, 3, 3)]],
  'F.linear': [[x, () => torch.rand(4, 3)]],
  'F.batch_norm': [[x, () => torch.zeros(3), () => torch.ones(3)]],
  'F.adaptive_avg_pool2d': [[img4, 2]],
  'F.max_pool2d': [[img4, 2]],
  'F.avg_pool2d': [[img4, 2]],
  'F.cross_entropy': [[x, target]],
  'F.nll_loss': [[x, target]],
  'F.binary_cross_entropy': [[() => torch.rand(2, 3), () => torch.rand(2, 3)]],
  'init.calculate_gain': [['relu']],
  'init.uniform_': [[x]], 'init.normal_': [[x]], 'init.constant_': [[x, 1]],
  'init.xavier_uniform_': [[x]], 'init.xavier_normal_': [[x]], 'init.kaiming_uniform_': [[x]], 'init.kaiming_normal_': [[x]],
  'nn.Conv2d': [[2, 3, 3]],
  'Conv2d#forward': [[img4]],
  'nn.Linear': [[3, 4]],
  'nn.BatchNorm1d': [[3]], 'nn.BatchNorm2d': [[2]],
  'BatchNorm2d#forward': [[img4]],
  'nn.MaxPool2d': [[2]], 'nn.AvgPool2d': [[2]], 'nn.AdaptiveAvgPool2d': [[2]],
  'MaxPool2d#forward': [[img4]], 'AvgPool2d#forward': [[img4]], 'AdaptiveAvgPool2d#forward': [[img4]],
  'nn.Unflatten': [[1, [3, 1]]],
  'nn.Parameter': [[x]],
  'nn.Sequential': [[() => new nn.ReLU()]],
  'nn.ModuleList': [[() => [new nn.ReLU()]]],
  'Module#register_buffer': [['b', x]],
  'Module#register_parameter': [['p', param]],
  'Module#add_module': [['m', () => new nn.ReLU()]],
  'Module#register_module': [['m', () => new nn.ReLU()]],
  'Module#get_submodule': [['']],
  'Module#apply': [[() => () => {}]],
  'Module#load_state_dict': [[() => ({})]],
  'Module#to': [['cpu']],
  'Module#train': [[true]],
  'Sequential#append': [[() => new nn.ReLU()]], 'ModuleList#append': [[() => new nn.ReLU()]],
  'Sequential#at': [[0]], 'ModuleList#at': [[0]],
  'optim.SGD': [[() => [param()], () => ({ lr: 0.1 })]],
  'optim.Adam': [[() => [param()]]], 'optim.AdamW': [[() => [param()]]], 'optim.RMSprop': [[() => [param()]]],
  'optim.Adagrad': [[() => [param()]]], 'optim.Adadelta': [[() => [param()]]],
  'Optimizer#add_param_group': [[() => ({ params: [param()] })]],
  'Optimizer#load_state_dict': [[() => sgd().state_dict()]],
  'sched.StepLR': [[sgd, 2]], 'sched.MultiStepLR': [[sgd, [2]]], 'sched.ExponentialLR': [[sgd, 0.9]],
  'sched.ConstantLR': [[sgd]], 'sched.LinearLR': [[sgd]], 'sched.PolynomialLR': [[sgd]],
  'sched.CosineAnnealingLR': [[sgd, 10]], 'sched.CosineAnnealingWarmRestarts': [[sgd, 10]],
  'sched.CyclicLR': [[sgd, 0.01, 0.1]], 'sched.OneCycleLR': [[sgd, 0.1, 10]],
  'sched.LambdaLR': [[sgd, () => () => 1]], 'sched.MultiplicativeLR': [[sgd, () => () => 1]],
  'sched.ReduceLROnPlateau': [[sgd]],
  'sched.SequentialLR': [{ all: () => { const o = sgd(); return [o, [new optim.lr_scheduler.ConstantLR(o), new optim.lr_scheduler.ConstantLR(o)], [2]]; } }],
  'sched.ChainedScheduler': [{ all: () => [[new optim.lr_scheduler.ConstantLR(sgd())]] }],
  'LRScheduler#load_state_dict': [[() => ({})]], 'Composite#load_state_dict': [[() => ({ _schedulers: [] })]],
  'ReduceLROnPlateau#load_state_dict': [[() => ({})]],
  'sched.LRScheduler': [[sgd]], 'sched._LRScheduler': [[sgd]],
  'ReduceLROnPlateau#step': [[1.0]],
  'data.TensorDataset': [[x, x]],
  'data.Subset': [[tds, [0, 1]]],
  'data.ConcatDataset': [[() => [tds(), tds()]]],
  'data.ChainDataset': [[() => [tds()]]],
  'data.random_split': [[tds, [2, 2]]],
  'data.SequentialSampler': [[tds]], 'data.RandomSampler': [[tds]],
  'data.SubsetRandomSampler': [[[0, 1]]],
  'data.BatchSampler': [[() => new torch.utils.data.SequentialSampler(tds()), 2, false]],
  'data.DataLoader': [[tds]],
  'data.default_collate': [[() => [x(), x()]]],
  'data.default_convert': [[x]],
  'TensorDataset#getitem': [[0]], 'TensorDataset#slice': [[0, 2]], 'Subset#getitem': [[0]], 'ConcatDataset#getitem': [[0]],
  'DataLoader#load_state_dict': [[() => new torch.utils.data.DataLoader(tds()).state_dict()]],
  'transforms.Compose': [[() => [new transforms.ToTensor()]]],
  'transforms.Lambda': [[() => (v) => v]],
  'transforms.Normalize': [[[0.5], [0.5]]],
  'transforms.Pad': [[1]], 'transforms.CenterCrop': [[2]], 'transforms.RandomCrop': [[2]],
  'transforms.RandomRotation': [[10]], 'transforms.Resize': [[2]],
  'Compose#forward': [[image]], 'ToTensor#forward': [[image]], 'Pad#forward': [[image]], 'CenterCrop#forward': [[image]],
  'RandomCrop#forward': [[image]], 'RandomHorizontalFlip#forward': [[image]], 'RandomVerticalFlip#forward': [[image]],
  'RandomRotation#forward': [[image]], 'Resize#forward': [[image]], 'Lambda#forward': [[image]],
  'Normalize#forward': [[() => torch.rand(1, 2, 2)]],
  'datasets.parseIdx': [[() => datasets.writeIdx({ dtype: 'uint8', shape: [2], data: new Uint8Array(2) })]],
  'datasets.readIdx': [[() => datasets.writeIdx({ dtype: 'uint8', shape: [2], data: new Uint8Array(2) })]],
  'datasets.writeIdx': [[() => ({ dtype: 'uint8', shape: [2], data: new Uint8Array(2) })]],
  'datasets.readCsv': [['1,2\n3,4\n']],
  'datasets.CSVDataset': [['1,2\n3,4\n']],
  'datasets.classFromPath': [['a/b.png']],
  'datasets.find_classes': [[['a/b.png']]],
  'datasets.relativePath': [['a/b.png']],
  'datasets.isImage': [[image]], 'transforms.isImage': [[image]],
};

/**
 * Callables that take no options object, so an unknown option cannot be told from data:
 * each takes exactly the one value it works on, of any type.
 */
const SKIP = {
  'Tensor#index': "Python's t[...] takes no keyword arguments; a plain object is refused as an index (views.test.js)",
  'Tensor#setitem': "Python's t[...] = v takes no keyword arguments; a plain object is refused as an index (views.test.js)",
  'torch.is_tensor': 'asks whether any value is a Tensor: a plain object is a valid (false) answer',
  'datasets.isImage': 'asks whether any value is a kindling image: a plain object is its very input',
  'transforms.isImage': 'the same function as datasets.isImage',
  'Lambda#forward': "runs the user's function on whatever it is given",
  'nn.Identity': "PyTorch's Identity is argument-insensitive by design: it takes and ignores any arguments",
  'torch.Tensor': 'wraps a core handle (kindling makes Tensors; users call torch.tensor and the factories)',
  'Module#forward': 'abstract: every nn.Module subclass defines its own forward',
  'Dataset#getitem': 'abstract: a Dataset subclass defines getitem(index)',
  'Dataset#len': 'abstract: a Dataset subclass defines len()',
  'Sampler#len': 'abstract: a Sampler subclass defines len()',
  'Transform#forward': 'abstract: a Transform subclass defines forward(x)',
  'LRScheduler#get_lr': 'abstract: an LRScheduler subclass defines get_lr()',
};

// Internal helpers that are exported for kindling's own modules, not PyTorch API.
// (torch.unary is math.js's kernel helper for nn.functional, re-exported by its `export *`.)
const INTERNAL = new Set(['F._get_softmax_dim', 'init._calculate_fan_in_and_fan_out', 'torch.unary']);

// Browser-only readers: Node has no canvas or ImageData (tests/web.test.js covers them).
const BROWSER_ONLY = new Set(['datasets.imageFromCanvas', 'datasets.imageFromImageData', 'datasets.loadImage',
  'datasets.ImageFolder', 'datasets.MNIST', 'datasets.FashionMNIST']);

const isClass = (v) => typeof v === 'function' && /^class\b/.test(Function.prototype.toString.call(v));
/** An argument list: thunks called fresh, or {all: () => [...args]} when the arguments share state. */
const fresh = (args) => (!Array.isArray(args) ? args.all() : args.map((a) => (typeof a === 'function' && !isClass(a) && a.length === 0 && !a.name.startsWith('bound') ? a() : a)));
const isThenable = (v) => v && typeof v.then === 'function';

/** Calls `call(args)` with {bogus_option} appended for each argument list; returns problems. */
let probed = 0; // callables checked, so that a broken walk cannot pass vacuously
async function probe(key, call, argLists) {
  probed++;
  let named = false;
  let returned = 0;
  const problems = [];
  for (const thunks of argLists) {
    let args;
    try {
      args = fresh(thunks);
    } catch (e) {
      problems.push(`${key}: making its arguments failed: ${e.message}`);
      continue;
    }
    try {
      let r = call([...args, { ...BOGUS }]);
      if (isThenable(r)) r = await r;
      returned++;
    } catch (e) {
      if (e instanceof TypeError && UNKNOWN.test(e.message)) named = true;
    }
  }
  if (returned) problems.push(`${key}: returned without an error for ${returned} of ${argLists.length} argument lists + {bogus_option}`);
  else if (!named && !problems.length)
    problems.push(`${key}: no argument list gave "unknown option 'bogus_option'; valid options are: ..." ` +
      `(add working arguments for it to ARGS)`);
  return problems;
}

/** Own methods of a prototype chain up to (not including) stop, with the class that defines each. */
function methodsOf(proto, stop) {
  const out = new Map();
  for (let p = proto; p && p !== stop && p !== Object.prototype && p !== Function.prototype; p = Object.getPrototypeOf(p)) {
    const owner = p.constructor?.name;
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name === 'constructor' || name.startsWith('_') || out.has(name)) continue;
      const d = Object.getOwnPropertyDescriptor(p, name);
      if (typeof d.value === 'function') out.set(name, owner);
    }
  }
  return out;
}

const argsFor = (key, instanceKeys = []) => {
  for (const k of [key, ...instanceKeys]) if (ARGS[k]) return ARGS[k];
  return GENERIC;
};

async function checkNamespace(prefix, ns, problems, seenClasses) {
  for (const [name, value] of Object.entries(ns)) {
    const key = `${prefix}.${name}`;
    if (typeof value !== 'function' || INTERNAL.has(key) || BROWSER_ONLY.has(key) || SKIP[key]) continue;
    if (isClass(value)) {
      problems.push(...(await probe(`new ${key}`, (args) => new value(...args), argsFor(key))));
      seenClasses.push([key, value]);
    } else {
      problems.push(...(await probe(key, (args) => value(...args), argsFor(key))));
    }
  }
}

/** The methods of instances of each class (built from ARGS), each probed once per defining class. */
async function checkMethods(classes, problems) {
  const done = new Set();
  for (const [key, cls] of classes) {
    if (cls === torch.Tensor) continue; // Tensor's methods are walked on their own below
    for (const [method, owner] of methodsOf(cls.prototype)) {
      const mkey = `${owner}#${method}`;
      if (done.has(mkey) || SKIP[mkey]) continue;
      done.add(mkey);
      const make = () => new cls(...fresh(argsFor(key)[0]));
      let instance;
      try {
        instance = make();
      } catch (e) {
        problems.push(`${mkey}: cannot make an instance of ${key}: ${e.message}`);
        continue;
      }
      if (typeof instance[method] !== 'function') continue;
      const lists = argsFor(`${cls.name}#${method}`, [mkey]);
      problems.push(...(await probe(mkey, (args) => make()[method](...args), lists)));
    }
  }
}

test('every public function, constructor and method rejects an unknown option, naming the valid ones', async () => {
  const problems = [];
  const classes = [];
  await checkNamespace('torch', torch, problems, classes);
  await checkNamespace('F', torch.nn.functional, problems, classes);
  await checkNamespace('init', torch.nn.init, problems, classes);
  await checkNamespace('nn', nn, problems, classes);
  await checkNamespace('optim', optim, problems, classes);
  await checkNamespace('sched', optim.lr_scheduler, problems, classes);
  await checkNamespace('data', torch.utils.data, problems, classes);
  await checkNamespace('datasets', datasets, problems, classes);
  await checkNamespace('transforms', transforms, problems, classes);
  await checkMethods(classes, problems);
  // Tensor methods, on a fresh tensor each call
  for (const [method] of methodsOf(torch.Tensor.prototype)) {
    const key = `Tensor#${method}`;
    if (SKIP[key]) continue;
    const lists = ARGS[key] ?? GENERIC.map((list) => list.filter((a) => a !== x).length === list.length ? list : list.slice(1));
    problems.push(...(await probe(key, (args) => x()[method](...args), lists)));
  }
  assert.deepEqual(problems, [], `\n${problems.join('\n')}`);
  console.log(`${probed} public functions, constructors and methods each refused an unknown option`);
  assert.ok(probed > 300, `only ${probed} callables were walked`);
});

test('the walk reaches the whole surface (a broken walk would pass vacuously)', () => {
  const tensorMethods = methodsOf(torch.Tensor.prototype);
  for (const m of ['add', 'mul', 'matmul', 'sum', 'backward', 'to', 'type', 'reshape']) assert.ok(tensorMethods.has(m), m);
  assert.ok(isClass(nn.Conv2d) && isClass(optim.SGD) && isClass(optim.lr_scheduler.StepLR) && isClass(transforms.Normalize));
  assert.ok(!isClass(torch.add) && !isClass(torch.nn.functional.relu));
});

test("out= and inplace= are refused or honoured, never ignored", () => {
  const a = torch.ones(2, 2), b = torch.ones(2, 2);
  for (const call of [() => torch.matmul(a, b, { out: b }), () => torch.mul(a, 2, { out: b }), () => a.mul(2, { out: b })])
    assert.throws(call, (e) => e instanceof TypeError && /the option 'out' is not supported/.test(e.message) && /valid options are/.test(e.message));
  // inplace=true with no autograd history overwrites the input, as PyTorch's does
  const y = torch.tensor([-1.5, 2.0]);
  const out = torch.nn.functional.relu(y, { inplace: true });
  assert.deepEqual(y.tolist(), [0, 2]);
  assert.deepEqual(out.tolist(), [0, 2]);
  assert.throws(() => torch.nn.functional.relu(y, { inplce: true }), /unknown option 'inplce'; valid options are: input, inplace/);
});
