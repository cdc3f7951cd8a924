// model-spec.js: the model editor's data — layer types and their arguments, the presets,
// the URL text of a layer list, building an nn.Sequential from a list with kindling, and
// the live check that runs a dummy input through it (shapes, parameter counts, errors).
// Shared by the page and the training worker. User input is only ever parsed into
// numbers against this table; no text is evaluated.

// [name, kind, default (undefined = required, null = None), min]
export const LAYER_TYPES = {
  Conv2d: [['in_channels', 'int', undefined, 1], ['out_channels', 'int', undefined, 1], ['kernel_size', 'int', undefined, 1],
    ['stride', 'int', 1, 1], ['padding', 'int', 0, 0]],
  Linear: [['in_features', 'int', undefined, 1], ['out_features', 'int', undefined, 1]],
  ReLU: [],
  LeakyReLU: [['negative_slope', 'float', 0.01, 0]],
  Sigmoid: [],
  Tanh: [],
  MaxPool2d: [['kernel_size', 'int', undefined, 1], ['stride', 'int', null, 1]],
  AvgPool2d: [['kernel_size', 'int', undefined, 1], ['stride', 'int', null, 1]],
  BatchNorm2d: [['num_features', 'int', undefined, 1]],
  BatchNorm1d: [['num_features', 'int', undefined, 1]],
  Dropout: [['p', 'float', 0.5, 0]],
  Dropout2d: [['p', 'float', 0.5, 0]],
  Flatten: [],
  Softmax: [['dim', 'int', 1, -4]],
};

// Arguments PyTorch users write by keyword even when they have no default.
const KEYWORD_ALWAYS = new Set(['dim']);

const L = (type, ...values) => {
  const args = {};
  LAYER_TYPES[type].forEach(([name, , def], i) => { args[name] = i < values.length ? values[i] : def; });
  return { type, args };
};

export const PRESETS = {
  // PyTorch's examples/mnist Net, as the tutorial uses it (logits out: CrossEntropyLoss
  // applies log-softmax itself, so the example's final log_softmax is left out).
  tutorial: () => [L('Conv2d', 1, 32, 3, 1), L('ReLU'), L('Conv2d', 32, 64, 3, 1), L('ReLU'), L('MaxPool2d', 2),
    L('Dropout', 0.25), L('Flatten'), L('Linear', 9216, 128), L('ReLU'), L('Dropout', 0.5), L('Linear', 128, 10)],
  // LeNet-5 with ReLU and max pooling, padding 2 so that 28x28 MNIST fits its 32x32 design.
  lenet: () => [L('Conv2d', 1, 6, 5, 1, 2), L('ReLU'), L('MaxPool2d', 2), L('Conv2d', 6, 16, 5), L('ReLU'), L('MaxPool2d', 2),
    L('Flatten'), L('Linear', 400, 120), L('ReLU'), L('Linear', 120, 84), L('ReLU'), L('Linear', 84, 10)],
  mlp: () => [L('Flatten'), L('Linear', 784, 128), L('ReLU'), L('Linear', 128, 10)],
};

/** A default layer of a type, with arguments that usually fit after `shape`. */
export function newLayer(type, shape) {
  const c = shape && shape.length >= 2 ? shape[1] : 1;
  const features = shape && shape.length === 2 ? shape[1] : 10;
  switch (type) {
    case 'Conv2d': return L('Conv2d', c, 16, 3, 1, 1);
    case 'Linear': return L('Linear', features, 10);
    case 'MaxPool2d': case 'AvgPool2d': return L(type, 2);
    case 'BatchNorm2d': case 'BatchNorm1d': return L(type, c);
    default: return L(type);
  }
}

export const layersOf = (settings) =>
  settings.model === 'custom' ? parseLayers(settings.layers) ?? PRESETS.lenet() : PRESETS[settings.model]();

// --- URL text: Type:arg,arg~Type ------------------------------------------------------
export function serializeLayers(layers) {
  return layers.map(({ type, args }) => {
    const values = LAYER_TYPES[type].map(([name]) => (args[name] === null ? '' : String(args[name])));
    while (values.length && values[values.length - 1] === '') values.pop();
    return values.length ? `${type}:${values.join(',')}` : type;
  }).join('~');
}

/** Parses URL text into layers, or returns null when anything is malformed. */
export function parseLayers(text) {
  if (!text) return null;
  const layers = [];
  for (const part of text.split('~')) {
    const [type, argText = ''] = part.split(':');
    const schema = LAYER_TYPES[type];
    if (!schema || layers.length >= 64) return null;
    const values = argText === '' ? [] : argText.split(',');
    if (values.length > schema.length) return null;
    const args = {};
    for (let i = 0; i < schema.length; i++) {
      const [name, kind, def] = schema[i];
      const v = parseArg(kind, values[i] ?? '', def);
      if (v === undefined) return null;
      args[name] = v;
    }
    layers.push({ type, args });
  }
  return layers;
}

/** One argument from text: a number, null (blank, when None is allowed) or undefined (invalid). */
export function parseArg(kind, text, def) {
  const s = String(text).trim();
  if (s === '') return def === undefined ? undefined : def;
  const v = Number(s);
  if (!Number.isFinite(v)) return undefined;
  if (kind === 'int' && !Number.isInteger(v)) return undefined;
  if (Math.abs(v) > 1e6) return undefined;
  return v;
}

// --- building with kindling -----------------------------------------------------------
function ctorArgs(type, args) {
  const schema = LAYER_TYPES[type];
  const positional = [];
  const keyword = {};
  let i = 0;
  for (; i < schema.length; i++) {
    const [name, , def] = schema[i];
    if (def !== undefined || KEYWORD_ALWAYS.has(name)) break;
    positional.push(args[name]);
  }
  for (; i < schema.length; i++) {
    const [name, , def] = schema[i];
    if (args[name] !== def || KEYWORD_ALWAYS.has(name)) keyword[name] = args[name];
  }
  return { positional, keyword };
}

export function buildLayer(nn, { type, args }) {
  const { positional, keyword } = ctorArgs(type, args);
  return Object.keys(keyword).length ? new nn[type](...positional, keyword) : new nn[type](...positional);
}

export function buildModel(nn, layers) {
  return new nn.Sequential(...layers.map((layer) => buildLayer(nn, layer)));
}

export function disposeModule(module) {
  for (const t of [...module.parameters(), ...module.buffers()]) if (!t.is_disposed) t.dispose();
}

const numel = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Runs a [1, 1, 28, 28] zero image through the layers one by one under torch.no_grad, in
 * eval mode. Returns one row per layer ({shape, params, error, hint}) and the summary.
 */
export function inspectLayers(torch, layers, { classes = 10 } = {}) {
  const rows = [];
  let total = 0;
  let failed = false;
  torch.no_grad(() => {
    let x = torch.zeros([1, 1, 28, 28]);
    const input = x;
    for (const layer of layers) {
      if (failed) { rows.push({ shape: null, params: null, error: null }); continue; }
      let module = null;
      try {
        module = buildLayer(torch.nn, layer);
        module.eval();
        const params = module.parameters().reduce((n, p) => n + p.numel(), 0);
        total += params;
        const inShape = x.shape;
        try {
          const y = module(x);
          if (y !== x && x !== input) x.dispose(); // our own scratch: free it now, whatever the step rule
          x = y;
          rows.push({ shape: x.shape, params, error: null });
        } catch (error) {
          failed = true;
          rows.push({ shape: null, params, error: error.message, hint: hintFor(layer, inShape) });
        }
      } catch (error) {
        failed = true;
        rows.push({ shape: null, params: null, error: error.message, hint: hintFor(layer, x.shape) });
      } finally {
        if (module) disposeModule(module);
      }
    }
    rows.output = failed ? null : x.shape;
    if (x !== input) x.dispose();
    input.dispose();
  });
  let modelError = null;
  if (!failed) {
    const out = rows.output;
    if (!layers.length) modelError = { key: 'model.err.empty' };
    else if (out.length !== 2 || out[1] !== classes) modelError = { key: 'model.err.output', vars: { shape: fmtShape(out), classes } };
  }
  const last = layers[layers.length - 1];
  const warning = last && (last.type === 'Softmax') ? { key: 'model.warn.softmax' } : null;
  return { rows, total, output: rows.output ?? null, ok: !failed && !modelError, modelError, warning };
}

/** A suggested fix for a layer that does not fit its input shape: {arg, value} or {key}. */
function hintFor(layer, shape) {
  const { type, args } = layer;
  if (type === 'Linear') {
    if (shape.length > 2) return { key: 'model.hint.flatten', vars: { shape: fmtShape(shape), n: numel(shape.slice(1)) } };
    if (shape.length === 2 && args.in_features !== shape[1]) return { arg: 'in_features', value: shape[1] };
  }
  if (type === 'Conv2d' || type === 'BatchNorm2d' || type === 'MaxPool2d' || type === 'AvgPool2d' || type === 'Dropout2d') {
    if (shape.length !== 4) return { key: 'model.hint.needs4d', vars: { shape: fmtShape(shape) } };
    if (type === 'Conv2d' && args.in_channels !== shape[1]) return { arg: 'in_channels', value: shape[1] };
    if (type === 'BatchNorm2d' && args.num_features !== shape[1]) return { arg: 'num_features', value: shape[1] };
    if (type === 'Conv2d' || type === 'MaxPool2d' || type === 'AvgPool2d') return { key: 'model.hint.small', vars: { shape: fmtShape(shape) } };
  }
  if (type === 'BatchNorm1d' && shape.length >= 2 && args.num_features !== shape[1]) return { arg: 'num_features', value: shape[1] };
  return null;
}

export const fmtShape = (shape) => `[${['N', ...shape.slice(1)].join(', ')}]`;

// --- code text ------------------------------------------------------------------------
const pyValue = (v) => (v === null ? 'None' : v === true ? 'True' : v === false ? 'False' : String(v));

export function layerCode(layer, lang) {
  const { positional, keyword } = ctorArgs(layer.type, layer.args);
  if (lang === 'py') {
    const parts = [...positional.map(pyValue), ...Object.entries(keyword).map(([k, v]) => `${k}=${pyValue(v)}`)];
    return `nn.${layer.type}(${parts.join(', ')})`;
  }
  const parts = positional.map(String);
  const kw = Object.entries(keyword).map(([k, v]) => `${k}: ${v}`);
  if (kw.length) parts.push(`{ ${kw.join(', ')} }`);
  return `new nn.${layer.type}(${parts.join(', ')})`;
}
