// state.js: every choice the page offers, its default, and its place in the URL.
// The query string is the whole state (shareable, reproducible: the seed is in it), so a
// course can link or embed any configuration. Values are validated on the way in; a bad
// value falls back to its default and is reported, never thrown. Not here: what the
// choices mean (codegen.js, the sections) or how they are shown.

const int = (def, min, max) => ({ type: 'int', def, min, max });
const num = (def, min, max) => ({ type: 'float', def, min, max });
const pick = (def, values) => ({ type: 'enum', def, values });
const bool = (def) => ({ type: 'bool', def });
const str = (def, pattern) => ({ type: 'str', def, pattern });

export const SCHEMA = {
  lang: pick(null, ['ko', 'en']),
  seed: int(0, 0, 2 ** 31 - 1),
  // Data
  dataset: pick('mnist', ['mnist', 'fashion']),
  subset: int(0, 0, 60000), // 0: all the training images there are
  batch: int(64, 1, 1024),
  norm: pick('dataset', ['dataset', 'half', 'none']),
  // Model
  model: pick('lenet', ['tutorial', 'lenet', 'mlp', 'custom']),
  layers: str('', /^[A-Za-z0-9_:,.~\-]*$/),
  // Loss
  ce_weight: pick('none', ['none', 'inverse']),
  ignore_index: int(-100, -100, 9),
  reduction: pick('mean', ['mean', 'sum', 'none']),
  label_smoothing: num(0, 0, 0.99),
  softmax_dim: int(1, 0, 1),
  beta: num(1, 0.05, 3),
  // Optimizer
  opt: pick('sgd', ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad']),
  lr: num(0.01, 1e-6, 1000),
  momentum: num(0.9, 0, 0.999),
  weight_decay: num(0, 0, 1),
  nesterov: bool(false),
  beta1: num(0.9, 0, 0.9999),
  beta2: num(0.999, 0, 0.99999),
  alpha: num(0.99, 0, 0.9999),
  surface: pick('rosenbrock', ['rosenbrock', 'saddle']),
  race_lr: num(1, 0.1, 10),
  // Scheduler
  sched: pick('none', ['none', 'StepLR', 'MultiStepLR', 'ExponentialLR', 'ReduceLROnPlateau',
    'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'LinearLR', 'OneCycleLR']),
  step_size: int(20, 1, 1000),
  gamma: num(0.1, 0.001, 1),
  milestones: str('20,50', /^\d{1,4}(,\d{1,4}){0,9}$/),
  exp_gamma: num(0.95, 0.5, 1),
  mode: pick('min', ['min', 'max']),
  factor: num(0.1, 0.01, 0.99),
  patience: int(5, 0, 100),
  threshold: num(1e-4, 0, 0.5),
  cooldown: int(0, 0, 100),
  min_lr: num(0, 0, 1),
  monitor: pick('test_loss', ['test_loss', 'test_acc']),
  T_max: int(50, 1, 1000),
  eta_min: num(0, 0, 1),
  T_0: int(10, 1, 1000),
  T_mult: int(1, 1, 4),
  start_factor: num(1 / 3, 0.001, 1),
  end_factor: num(1, 0.001, 1),
  total_iters: int(5, 1, 1000),
  max_lr: num(0.1, 1e-5, 10),
  pct_start: num(0.3, 0.01, 0.99),
  curve_epochs: int(100, 5, 300),
  // Train
  epochs: int(3, 1, 100),
};

/**
 * Each optimizer's customary starting arguments, which it brings when chosen; a link that
 * names the optimizer but not these gets them too. SGD: lr 0.01 with momentum 0.9, the
 * usual start for CNNs (PyTorch 2's own default is lr 1e-3 without momentum); Adam 1e-3
 * and AdamW 1e-3 with weight_decay 0.01 (PyTorch's defaults); RMSprop 1e-3 without
 * momentum (PyTorch's default lr 1e-2 is often too large for a CNN; 1e-3 is the usual
 * value, Keras's default); Adagrad 1e-2 (PyTorch's default).
 */
export const OPT_DEFAULTS = {
  sgd: { lr: 0.01, momentum: 0.9 },
  adam: { lr: 0.001 },
  adamw: { lr: 0.001, weight_decay: 0.01 },
  rmsprop: { lr: 0.001, momentum: 0 },
  adagrad: { lr: 0.01 },
};
const OPT_KEYS = ['lr', 'momentum', 'weight_decay', 'nesterov', 'beta1', 'beta2', 'alpha'];

/** Every optimizer argument at the customary value for opt. */
export function optimizerDefaults(opt) {
  const out = {};
  for (const key of OPT_KEYS) out[key] = OPT_DEFAULTS[opt]?.[key] ?? SCHEMA[key].def;
  return out;
}

/** A setting's default, given the others (the optimizer's arguments depend on the optimizer). */
export const defaultOf = (key, settings) => (OPT_KEYS.includes(key) ? optimizerDefaults(settings.opt)[key] : SCHEMA[key].def);

export const SECTIONS = ['data', 'model', 'loss', 'optimizer', 'scheduler', 'train', 'infer', 'save'];

/** Parses one URL value; returns [value, ok]. */
function parseValue(spec, text) {
  switch (spec.type) {
    case 'int': {
      if (!/^-?\d+$/.test(text)) return [spec.def, false];
      const v = Number(text);
      return v >= spec.min && v <= spec.max ? [v, true] : [spec.def, false];
    }
    case 'float': {
      const v = Number(text);
      if (text.trim() === '' || !Number.isFinite(v)) return [spec.def, false];
      return v >= spec.min && v <= spec.max ? [v, true] : [spec.def, false];
    }
    case 'enum': return spec.values.includes(text) ? [text, true] : [spec.def, false];
    case 'bool': return text === '1' || text === 'true' ? [true, true] : text === '0' || text === 'false' ? [false, true] : [spec.def, false];
    case 'str': return spec.pattern.test(text) ? [text, true] : [spec.def, false];
    default: return [spec.def, false];
  }
}

export function formatValue(spec, value) {
  if (spec.type === 'bool') return value ? '1' : '0';
  if (spec.type === 'float') return String(+value.toPrecision(6));
  return String(value);
}

export function defaults() {
  const out = {};
  for (const [key, spec] of Object.entries(SCHEMA)) out[key] = spec.def;
  return out;
}

/** Settings from a query string, plus the view options (embed: the sections shown, or null for
 * the whole page; hide) and any rejected keys. */
export function parseQuery(search) {
  const params = new URLSearchParams(search);
  const settings = defaults();
  const rejected = [];
  for (const [key, text] of params) {
    const spec = SCHEMA[key];
    if (!spec) continue;
    const [value, ok] = parseValue(spec, text);
    settings[key] = value;
    if (!ok) rejected.push(key);
  }
  // The optimizer's arguments the link leaves out (or gets wrong) are its customary ones.
  const optDefaults = optimizerDefaults(settings.opt);
  for (const key of OPT_KEYS) if (!params.has(key) || rejected.includes(key)) settings[key] = optDefaults[key];
  // embed=train,infer shows those sections (in the page's order); unknown names are dropped.
  const embed = SECTIONS.filter((name) => (params.get('embed') ?? '').split(',').map((s) => s.trim()).includes(name));
  const view = {
    embed: embed.length ? embed : null,
    hide: new Set((params.get('hide') ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  };
  return { settings, view, rejected };
}

// ':' ',' '~' are legal in a query and keep layer lists readable in a shared link.
const tidy = (s) => encodeURIComponent(s).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%7E/gi, '~');

/** The query string for settings: the seed always, everything else only when not default. */
export function toQuery(settings, view = null, { all = false } = {}) {
  const parts = [];
  if (view?.embed) parts.push(`embed=${view.embed.join(',')}`);
  if (view?.hide?.size) parts.push(`hide=${[...view.hide].map(tidy).join(',')}`);
  for (const [key, spec] of Object.entries(SCHEMA)) {
    const value = settings[key];
    if (value === null || value === undefined) continue;
    if (key === 'layers' && settings.model !== 'custom') continue;
    if (!all && key !== 'seed' && value === defaultOf(key, settings)) continue;
    parts.push(`${key}=${tidy(formatValue(spec, value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** A tiny observable store: set() notifies the listeners of the keys that changed. */
export function createStore(initial) {
  const state = { ...initial };
  const listeners = new Set();
  return {
    get: (key) => state[key],
    all: () => ({ ...state }),
    set(patch) {
      const changed = [];
      for (const [key, value] of Object.entries(patch)) {
        if (!(key in SCHEMA)) throw new Error(`unknown setting ${key}`);
        if (state[key] !== value) {
          state[key] = value;
          changed.push(key);
        }
      }
      if (changed.length) for (const fn of listeners) fn(changed, state);
      return changed;
    },
    /** Calls fn(state, changedKeys) when any of keys (or any key, for null) changes. */
    on(keys, fn) {
      const wrapped = (changed, s) => {
        if (!keys || changed.some((key) => keys.includes(key))) fn(s, changed);
      };
      listeners.add(wrapped);
      return () => listeners.delete(wrapped);
    },
  };
}
