// codegen.js: the code each section shows, PyTorch beside kindling JavaScript, generated
// from the current settings so that both always match what the page runs. The JavaScript
// is the code the training worker runs (train-worker.js follows it statement by statement).
// Not here: highlighting and display (code-panel.js).
import { fmtShape, layerCode } from './model-spec.js';

export const NORMS = {
  mnist: { dataset: [0.1307, 0.3081], half: [0.5, 0.5], none: null },
  fashion: { dataset: [0.286, 0.353], half: [0.5, 0.5], none: null },
};
export const normOf = (s) => NORMS[s.dataset][s.norm];

/** Training images used: the subset, or all n there are (0 = all). */
export const trainCount = (s, n) => (s.subset > 0 && s.subset < n ? s.subset : n);
export const BUNDLED_TRAIN = 8000; // the size of the bundled training sets (scripts/prepare-data.mjs)

const DATASET = { mnist: 'MNIST', fashion: 'FashionMNIST' };
const BUNDLED = { mnist: 'data/mnist/', fashion: 'data/fashion-mnist/' };

/** A number as both languages print it: short, no float noise. */
export function num(v) {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(+v.toPrecision(6));
}
const pyNum = (v) => (Number.isInteger(v) && !String(v).includes('e') ? `${v}` : num(v));
const pyFloat = (v) => { const s = num(v); return /[.e]/.test(s) ? s : `${s}.0`; };

// --- optimizer / scheduler arguments, shared by the two languages ----------------------
export function optimizerSpec(s) {
  switch (s.opt) {
    case 'sgd': {
      const a = [['lr', s.lr]];
      if (s.momentum) a.push(['momentum', s.momentum]);
      if (s.weight_decay) a.push(['weight_decay', s.weight_decay]);
      if (s.nesterov) a.push(['nesterov', true]);
      return { name: 'SGD', args: a };
    }
    case 'adam': case 'adamw': {
      const a = [['lr', s.lr]];
      if (s.beta1 !== 0.9 || s.beta2 !== 0.999) a.push(['betas', [s.beta1, s.beta2]]);
      if (s.weight_decay || s.opt === 'adamw') a.push(['weight_decay', s.weight_decay]);
      return { name: s.opt === 'adam' ? 'Adam' : 'AdamW', args: a };
    }
    case 'rmsprop': {
      const a = [['lr', s.lr]];
      if (s.alpha !== 0.99) a.push(['alpha', s.alpha]);
      if (s.momentum) a.push(['momentum', s.momentum]);
      if (s.weight_decay) a.push(['weight_decay', s.weight_decay]);
      return { name: 'RMSprop', args: a };
    }
    default: {
      const a = [['lr', s.lr]];
      if (s.weight_decay) a.push(['weight_decay', s.weight_decay]);
      return { name: 'Adagrad', args: a };
    }
  }
}

export const milestonesOf = (s) => [...new Set(s.milestones.split(',').map(Number))].sort((a, b) => a - b);

/** Scheduler class and keyword arguments; stepsPerEpoch matters only for OneCycleLR. */
export function schedulerSpec(s, { epochs = s.epochs, stepsPerEpoch = 1 } = {}) {
  switch (s.sched) {
    case 'StepLR': return { name: 'StepLR', args: [['step_size', s.step_size], ['gamma', s.gamma]] };
    case 'MultiStepLR': return { name: 'MultiStepLR', args: [['milestones', milestonesOf(s)], ['gamma', s.gamma]] };
    case 'ExponentialLR': return { name: 'ExponentialLR', args: [['gamma', s.exp_gamma]] };
    case 'ReduceLROnPlateau': {
      const a = [['mode', s.mode], ['factor', s.factor], ['patience', s.patience]];
      if (s.threshold !== 1e-4) a.push(['threshold', s.threshold]);
      if (s.cooldown) a.push(['cooldown', s.cooldown]);
      if (s.min_lr) a.push(['min_lr', s.min_lr]);
      return { name: 'ReduceLROnPlateau', args: a };
    }
    case 'CosineAnnealingLR': return { name: 'CosineAnnealingLR', args: [['T_max', s.T_max], ...(s.eta_min ? [['eta_min', s.eta_min]] : [])] };
    case 'CosineAnnealingWarmRestarts':
      return { name: 'CosineAnnealingWarmRestarts', args: [['T_0', s.T_0], ...(s.T_mult !== 1 ? [['T_mult', s.T_mult]] : []), ...(s.eta_min ? [['eta_min', s.eta_min]] : [])] };
    case 'LinearLR': return { name: 'LinearLR', args: [['start_factor', s.start_factor], ['end_factor', s.end_factor], ['total_iters', s.total_iters]] };
    case 'OneCycleLR': return { name: 'OneCycleLR', perBatch: true,
      args: [['max_lr', s.max_lr], ['epochs', epochs], ['steps_per_epoch', stepsPerEpoch], ...(s.pct_start !== 0.3 ? [['pct_start', s.pct_start]] : []),
        // Adagrad has no momentum for OneCycleLR to cycle (PyTorch raises without this).
        ...(s.opt === 'adagrad' ? [['cycle_momentum', false]] : [])] };
    default: return null;
  }
}

function pyArg(v) {
  if (Array.isArray(v)) return v.length === 2 && v.every((x) => !Number.isInteger(x)) ? `(${v.map(pyNum).join(', ')})` : `[${v.map(pyNum).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return pyNum(v);
}
function jsArg(v) {
  if (Array.isArray(v)) return `[${v.map(num).join(', ')}]`;
  if (typeof v === 'string') return `'${v}'`;
  return typeof v === 'boolean' ? String(v) : num(v);
}
const pyKw = (args) => args.map(([k, v]) => `${k}=${pyArg(v)}`).join(', ');
const jsKw = (args) => (args.length ? `{ ${args.map(([k, v]) => `${k}: ${jsArg(v)}`).join(', ')} }` : '');

// --- per section ----------------------------------------------------------------------
/** ctx: {t, layers, rows (inspectLayers), counts (training class counts or null), trainSize} */
export function sectionCode(section, s, ctx) {
  const fn = { data: dataCode, model: modelCode, loss: lossCode, softmax: softmaxCode, regression: regressionCode,
    optimizer: optimizerCode, scheduler: schedulerCode, train: trainCode, infer: inferCode, save: saveCode }[section];
  return fn(s, ctx);
}

function dataCode(s, { t }) {
  const norm = normOf(s);
  const name = DATASET[s.dataset];
  const subset = s.subset > 0;
  const py = [
    'import torch',
    'from torch.utils.data import DataLoader, Subset',
    'from torchvision import datasets, transforms',
    '',
    `torch.manual_seed(${s.seed})  # ${t('c.seed')}`,
    'transform = transforms.Compose([',
    `    transforms.ToTensor(),  # ${t('c.toTensor')}`,
    ...(norm ? [`    transforms.Normalize((${norm[0]},), (${norm[1]},)),  # ${t('c.normalize')}`] : []),
    '])',
    `train_set = datasets.${name}('data', train=True, download=True, transform=transform)`,
    `test_set = datasets.${name}('data', train=False, transform=transform)`,
    ...(subset ? [`train_set = Subset(train_set, range(${s.subset}))  # ${t('c.subset', { n: s.subset })}`] : []),
    `train_loader = DataLoader(train_set, batch_size=${s.batch}, shuffle=True)`,
    'test_loader = DataLoader(test_set, batch_size=1000)',
  ];
  const js = [
    "import * as torch from 'kindling';",
    "import * as datasets from 'kindling/datasets';",
    "import * as transforms from 'kindling/transforms';",
    'const { DataLoader, Subset } = torch.utils.data;',
    '',
    `torch.manual_seed(${s.seed});  // ${t('c.seed')}`,
    'const transform = new transforms.Compose([',
    `  new transforms.ToTensor(),  // ${t('c.toTensor')}`,
    ...(norm ? [`  new transforms.Normalize([${norm[0]}], [${norm[1]}]),  // ${t('c.normalize')}`] : []),
    ']);',
    `// ${t('c.bundled', { dir: BUNDLED[s.dataset] })}`,
    `let train_set = await datasets.${name}.load({ train: true, transform });`,
    `const test_set = await datasets.${name}.load({ train: false, transform });`,
    ...(subset ? [`train_set = new Subset(train_set, [...Array(${s.subset}).keys()]);  // ${t('c.subset', { n: s.subset })}`] : []),
    `const train_loader = new DataLoader(train_set, { batch_size: ${s.batch}, shuffle: true });`,
    'const test_loader = new DataLoader(test_set, { batch_size: 1000 });',
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

function modelCode(s, { t, layers, rows }) {
  const shapeNote = (i) => (rows?.[i]?.shape ? `  # ${t('c.shape', { shape: fmtShape(rows[i].shape) })}` : '');
  const py = ['import torch.nn as nn', '', 'model = nn.Sequential('];
  const js = ['const { nn } = torch;', '', 'const model = new nn.Sequential('];
  layers.forEach((layer, i) => {
    const comma = i < layers.length - 1 ? ',' : '';
    py.push(`    ${layerCode(layer, 'py')}${comma}${shapeNote(i)}`);
    js.push(`  ${layerCode(layer, 'js')}${comma}${shapeNote(i).replace('  #', '  //')}`);
  });
  py.push(')', 'print(model)');
  js.push(');', 'console.log(String(model));');
  return { py: py.join('\n'), js: js.join('\n') };
}

/** The criterion lines; counts are the training set's class counts (for weight). */
function criterionLines(s, counts, t, lang) {
  const args = [];
  const lines = [];
  if (s.ce_weight === 'inverse') {
    const list = counts ? counts.map(String).join(', ') : '...';
    if (lang === 'py') {
      lines.push(`counts = torch.tensor([${list}], dtype=torch.float)  # ${t('c.counts')}`);
      lines.push('inverse = 1 / counts');
      lines.push(`class_weights = inverse / inverse.sum()  # ${t('c.weights')}`);
    } else {
      lines.push(`const counts = torch.tensor([${list}], { dtype: torch.float32 });  // ${t('c.counts')}`);
      lines.push('const inverse = counts.pow(-1);');
      lines.push(`const class_weights = inverse.div(inverse.sum());  // ${t('c.weights')}`);
    }
    args.push(['weight', null]);
  }
  if (s.ignore_index !== -100) args.push(['ignore_index', s.ignore_index]);
  if (s.reduction !== 'mean') args.push(['reduction', s.reduction]);
  if (s.label_smoothing) args.push(['label_smoothing', s.label_smoothing]);
  const render = (k, v) => (k === 'weight' ? (lang === 'py' ? 'weight=class_weights' : 'weight: class_weights')
    : lang === 'py' ? `${k}=${pyArg(v)}` : `${k}: ${jsArg(v)}`);
  const list = args.map(([k, v]) => render(k, v)).join(', ');
  lines.push(lang === 'py' ? `# ${t('c.logits')}` : `// ${t('c.logits')}`);
  lines.push(lang === 'py' ? `criterion = nn.CrossEntropyLoss(${list})` : `const criterion = new nn.CrossEntropyLoss(${list ? `{ ${list} }` : ''});`);
  return lines;
}

function lossCode(s, { t, counts }) {
  return { py: criterionLines(s, counts, t, 'py').join('\n'), js: criterionLines(s, counts, t, 'js').join('\n') };
}

/** The Softmax(dim) demo of the Loss section, on its two samples of three scores. */
function softmaxCode(s, { t }) {
  const dim = s.softmax_dim;
  const py = [
    'import torch',
    'import torch.nn as nn',
    '',
    `scores = torch.tensor([[1.0, 2.0, 0.5], [3.0, 0.2, 0.1]])  # ${t('c.scores')}`,
    `softmax = nn.Softmax(dim=${dim})  # ${t(dim === 1 ? 'c.dim1' : 'c.dim0')}`,
    'probs = softmax(scores)',
    `print(probs.sum(dim=${dim}))  # ${t('c.sums')}`,
  ];
  const js = [
    "import * as torch from 'kindling';",
    'const { nn } = torch;',
    '',
    `const scores = torch.tensor([[1.0, 2.0, 0.5], [3.0, 0.2, 0.1]]);  // ${t('c.scores')}`,
    `const softmax = new nn.Softmax({ dim: ${dim} });  // ${t(dim === 1 ? 'c.dim1' : 'c.dim0')}`,
    'const probs = softmax(scores);',
    `console.log(probs.sum(${dim}).tolist());  // ${t('c.sums')}`,
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

/** L1, MSE and Smooth L1 on a few errors: per sample, and the usual mean. */
function regressionCode(s, { t }) {
  const beta = pyFloat(s.beta);
  const py = [
    'import torch',
    'import torch.nn as nn',
    '',
    `pred = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0])  # ${t('c.regPred')}`,
    'target = torch.zeros(5)',
    `print(nn.L1Loss(reduction='none')(pred, target))  # |error|`,
    `print(nn.MSELoss(reduction='none')(pred, target))  # error ** 2`,
    `print(nn.SmoothL1Loss(reduction='none', beta=${beta})(pred, target))  # ${t('c.smooth')}`,
    `criterion = nn.SmoothL1Loss(beta=${beta})  # ${t('c.regMean')}`,
    'loss = criterion(pred, target)',
  ];
  const js = [
    "import * as torch from 'kindling';",
    'const { nn } = torch;',
    '',
    `const pred = torch.tensor([-2.0, -0.5, 0.0, 0.5, 2.0]);  // ${t('c.regPred')}`,
    'const target = torch.zeros([5]);',
    `console.log(new nn.L1Loss({ reduction: 'none' })(pred, target).tolist());  // |error|`,
    `console.log(new nn.MSELoss({ reduction: 'none' })(pred, target).tolist());  // error ** 2`,
    `console.log(new nn.SmoothL1Loss({ reduction: 'none', beta: ${num(s.beta)} })(pred, target).tolist());  // ${t('c.smooth')}`,
    `const criterion = new nn.SmoothL1Loss({ beta: ${num(s.beta)} });  // ${t('c.regMean')}`,
    'const loss = criterion(pred, target);',
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

function optimizerLines(s, lang) {
  const { name, args } = optimizerSpec(s);
  return lang === 'py' ? [`optimizer = optim.${name}(model.parameters(), ${pyKw(args)})`]
    : [`const optimizer = new optim.${name}(model.parameters(), ${jsKw(args)});`];
}

function optimizerCode(s) {
  return { py: ['import torch.optim as optim', '', ...optimizerLines(s, 'py')].join('\n'),
    js: ['const { optim } = torch;', '', ...optimizerLines(s, 'js')].join('\n') };
}

function schedulerLines(s, ctx, lang) {
  const spec = schedulerSpec(s, { stepsPerEpoch: ctx.stepsPerEpoch ?? 1 });
  if (!spec) return lang === 'py' ? [`scheduler = None  # ${ctx.t('c.constant')}`] : [`const scheduler = null;  // ${ctx.t('c.constant')}`];
  const args = spec.name === 'OneCycleLR' ? spec.args.map(([k, v]) => (k === 'steps_per_epoch' ? [k, { raw: lang === 'py' ? 'len(train_loader)' : 'train_loader.length' }] : [k, v])) : spec.args;
  const fmt = (k, v) => (v && v.raw ? (lang === 'py' ? `${k}=${v.raw}` : `${k}: ${v.raw}`) : lang === 'py' ? `${k}=${pyArg(v)}` : `${k}: ${jsArg(v)}`);
  const list = args.map(([k, v]) => fmt(k, v)).join(', ');
  return lang === 'py' ? [`scheduler = optim.lr_scheduler.${spec.name}(optimizer, ${list})`]
    : [`const scheduler = new optim.lr_scheduler.${spec.name}(optimizer, { ${list} });`];
}

function schedulerCode(s, ctx) {
  const stepPy = s.sched === 'ReduceLROnPlateau' ? [`# scheduler.step(${s.monitor})  # ${ctx.t('c.plateau')}`]
    : s.sched === 'OneCycleLR' ? [`# scheduler.step()  # ${ctx.t('c.perBatch')}`] : s.sched === 'none' ? [] : [`# scheduler.step()  # ${ctx.t('c.perEpoch')}`];
  const stepJs = stepPy.map((line) => line.replace(/^# /, '// ').replace('  # ', ';  // '));
  return { py: [...schedulerLines(s, ctx, 'py'), ...stepPy].join('\n'), js: [...schedulerLines(s, ctx, 'js'), ...stepJs].join('\n') };
}

function trainCode(s, ctx) {
  const { t } = ctx;
  const none = s.reduction === 'none';
  const perBatch = s.sched === 'OneCycleLR';
  const plateau = s.sched === 'ReduceLROnPlateau';
  const metricPy = s.monitor === 'test_acc' ? 'accuracy' : 'test_loss';
  const py = [
    'import torch.nn.functional as F',
    'import torch.optim as optim',
    '',
    ...optimizerLines(s, 'py'),
    ...schedulerLines(s, ctx, 'py'),
    '',
    `for epoch in range(1, ${s.epochs} + 1):`,
    '    model.train()',
    '    for x, y in train_loader:',
    '        optimizer.zero_grad()',
    `        loss = criterion(model(x), y)${none ? `.mean()  # ${t('c.noneMean')}` : ''}`,
    '        loss.backward()',
    '        optimizer.step()',
    ...(perBatch ? [`        scheduler.step()  # ${t('c.perBatch')}`] : []),
    `    model.eval()  # ${t('c.evaluate')}`,
    '    test_loss, correct = 0.0, 0',
    '    with torch.no_grad():',
    '        for x, y in test_loader:',
    '            out = model(x)',
    "            test_loss += F.cross_entropy(out, y, reduction='sum').item()",
    '            correct += (out.argmax(1) == y).sum().item()',
    '    test_loss /= len(test_set)',
    '    accuracy = correct / len(test_set)',
    ...(plateau ? [`    scheduler.step(${metricPy})  # ${t('c.plateau')}`] : s.sched !== 'none' && !perBatch ? [`    scheduler.step()  # ${t('c.perEpoch')}`] : []),
    "    print(f'epoch {epoch}: test loss {test_loss:.4f}, accuracy {accuracy}')",
  ];
  const js = [
    'const { F, optim } = torch;',
    '',
    ...optimizerLines(s, 'js'),
    ...schedulerLines(s, ctx, 'js'),
    '',
    `for (let epoch = 1; epoch <= ${s.epochs}; epoch++) {`,
    '  model.train();',
    '  for (const [x, y] of train_loader) {',
    '    optimizer.zero_grad();',
    `    const loss = criterion(model(x), y)${none ? `.mean();  // ${t('c.noneMean')}` : ';'}`,
    '    loss.backward();',
    '    optimizer.step();',
    ...(perBatch ? [`    scheduler.step();  // ${t('c.perBatch')}`] : []),
    '  }',
    `  model.eval();  // ${t('c.evaluate')}`,
    '  let test_loss = 0, correct = 0;',
    '  for (const [x, y] of test_loader) {',
    '    torch.no_grad(() => {',
    '      const out = model(x);',
    "      test_loss += F.cross_entropy(out, y, { reduction: 'sum' }).item();",
    '      correct += out.argmax(1).eq(y).sum().item();',
    '    });',
    '  }',
    '  test_loss /= test_set.length;',
    '  const accuracy = correct / test_set.length;',
    ...(plateau ? [`  scheduler.step(${metricPy});  // ${t('c.plateau')}`] : s.sched !== 'none' && !perBatch ? [`  scheduler.step();  // ${t('c.perEpoch')}`] : []),
    '  console.log(`epoch ${epoch}: test loss ${test_loss.toFixed(4)}, accuracy ${accuracy}`);',
    '}',
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

function inferCode(s, { t }) {
  const py = [
    `# ${t('c.normalised')}`,
    'model.eval()',
    'with torch.no_grad():',
    '    probs = model(image.unsqueeze(0)).softmax(dim=1)',
    'print(probs.argmax(dim=1).item(), probs.max().item())',
  ];
  const js = [
    `// ${t('c.normalised')}`,
    'model.eval();',
    'const probs = torch.no_grad(() => model(image.unsqueeze(0)).softmax(1));',
    'console.log(probs.argmax(1).item(), probs.max().item());',
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

// Save / load: the weights alone (a state_dict, as .pt and .safetensors), then a checkpoint
// that resumes training. Runs after the "train" code (tests/web.test.js runs it in Node).
function saveCode(s, { t }) {
  const sched = s.sched !== 'none';
  const py = [
    `# ${t('c.saveWeights')}`,
    "torch.save(model.state_dict(), 'model.pt')",
    '',
    `# ${t('c.loadWeights')}`,
    "model.load_state_dict(torch.load('model.pt'))",
    'model.eval()',
    '',
    `# ${t('c.safetensors')}`,
    'from safetensors.torch import save_file, load_file',
    "save_file(model.state_dict(), 'model.safetensors')",
    "model.load_state_dict(load_file('model.safetensors'))",
    '',
    `# ${t('c.checkpoint')}`,
    'torch.save({',
    "    'epoch': epoch,",
    "    'model': model.state_dict(),",
    "    'optimizer': optimizer.state_dict(),",
    ...(sched ? ["    'scheduler': scheduler.state_dict(),"] : []),
    "    'rng': torch.get_rng_state(),",
    "}, 'checkpoint.pt')",
    "checkpoint = torch.load('checkpoint.pt')",
    "model.load_state_dict(checkpoint['model'])",
    "optimizer.load_state_dict(checkpoint['optimizer'])",
    ...(sched ? ["scheduler.load_state_dict(checkpoint['scheduler'])"] : []),
    "torch.set_rng_state(checkpoint['rng'])",
    "start_epoch = checkpoint['epoch'] + 1",
  ];
  const js = [
    `// ${t('c.saveWeights')}`,
    `// (${t('c.saveWhere')})`,
    "await torch.save(model.state_dict(), 'model.pt');",
    '',
    `// ${t('c.loadWeights')}`,
    `// (${t('c.loadWhere')})`,
    "model.load_state_dict(await torch.load('model.pt'));",
    'model.eval();',
    '',
    `// ${t('c.safetensorsJs')}`,
    "await torch.save(model.state_dict(), 'model.safetensors');",
    "model.load_state_dict(await torch.load('model.safetensors'));",
    '',
    `// ${t('c.checkpoint')}`,
    'await torch.save({',
    `  epoch: ${s.epochs},  // ${t('c.lastEpoch')}`,
    '  model: model.state_dict(),',
    '  optimizer: optimizer.state_dict(),',
    ...(sched ? ['  scheduler: scheduler.state_dict(),'] : []),
    '  rng: torch.tensor(torch.get_rng_state()),',
    "}, 'checkpoint.pt');",
    "const checkpoint = await torch.load('checkpoint.pt');",
    'model.load_state_dict(checkpoint.model);',
    'optimizer.load_state_dict(checkpoint.optimizer);',
    ...(sched ? ['scheduler.load_state_dict(checkpoint.scheduler);'] : []),
    'torch.set_rng_state(Uint8Array.from(checkpoint.rng.toTypedArray()));',
    'const start_epoch = checkpoint.epoch + 1;',
  ];
  return { py: py.join('\n'), js: js.join('\n') };
}

export { pyFloat };
