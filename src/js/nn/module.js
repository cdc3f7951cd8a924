// nn/module.js: nn.Module, nn.Parameter and the containers (Sequential, ModuleList).
// Modules are callable like PyTorch's (model(x) runs forward) and find their parameters
// and sub-modules among their own properties, in assignment order, as PyTorch does.
import { check, k } from '../core.js';
import { parseTo } from '../device.js';
import { dtypeCode } from '../dtype.js';
import { bindArgs, signatures } from '../args.js';
import { isOptions, parseOptions, typeError } from '../errors.js';
import { adopt, keep, release_later } from '../memory.js';
import { Tensor } from '../tensor.js';

/** A tensor that a Module learns: kept, requires grad by default, shares data with its source. */
export class Parameter extends Tensor {
  constructor(...args) {
    const [data, requires_grad = true] = bindArgs('Parameter(data, requires_grad=true)', args);
    if (!(data instanceof Tensor)) throw typeError('Parameter', 'a Tensor for data', data);
    super(check(k.k_detach(data.handle)));
    this._fromInts = data._fromInts; // its dtype errors explain an int64 made from JS integers
    adopt(this, true);
    if (requires_grad) this.requires_grad_(true);
  }
  toString() { return `Parameter containing:\n${super.toString()}`; }
}

export class Module {
  constructor(...args) {
    bindArgs('Module()', args); // PyTorch 2's Module.__init__ takes no arguments either
    // A function object with Module's prototype, so that instances are callable.
    const self = function (...args) { return self.forward(...args); };
    delete self.name;
    delete self.length;
    Object.setPrototypeOf(self, new.target.prototype);
    Object.defineProperty(self, '_buffers', { value: new Map(), enumerable: false });
    Object.defineProperty(self, '_nonPersistent', { value: new Set(), enumerable: false });
    self.training = true;
    return self;
  }

  forward() {
    throw new Error(`Module [${this.constructor.name}] is missing the required "forward" function`);
  }

  // --- registration -------------------------------------------------------------------
  register_buffer(name, tensor, options) {
    const { persistent } = parseOptions('register_buffer', options, { persistent: true });
    if (tensor !== null && !(tensor instanceof Tensor)) throw typeError('register_buffer', 'a Tensor or null', tensor);
    if (tensor) keep(tensor);
    release_later(this._buffers.get(name));
    this._buffers.set(name, tensor);
    if (!persistent) this._nonPersistent.add(name);
    Object.defineProperty(this, name, {
      get: () => this._buffers.get(name),
      set: (value) => this.register_buffer(name, value, { persistent: !this._nonPersistent.has(name) }),
      enumerable: false, configurable: true,
    });
  }
  register_parameter(name, param) {
    if (param !== null && !(param instanceof Parameter)) throw typeError('register_parameter', 'an nn.Parameter or null', param);
    this[name] = param;
  }
  add_module(name, module) {
    if (module !== null && !(module instanceof Module)) throw typeError('add_module', 'an nn.Module or null', module);
    this[name] = module;
  }
  register_module(name, module) { this.add_module(name, module); }

  // --- traversal ----------------------------------------------------------------------
  *named_children() {
    for (const [name, value] of Object.entries(this)) if (value instanceof Module) yield [name, value];
  }
  children() { return [...this.named_children()].map(([, m]) => m); }

  *_namedModules(prefix, seen) {
    if (seen) { // null: every occurrence of a shared module (remove_duplicate=false)
      if (seen.has(this)) return;
      seen.add(this);
    }
    yield [prefix, this];
    for (const [name, child] of this.named_children()) yield* child._namedModules(prefix ? `${prefix}.${name}` : name, seen);
  }
  named_modules() { return [...this._namedModules('', new Set())]; }
  modules() { return this.named_modules().map(([, m]) => m); }

  _ownParameters() { return Object.entries(this).filter(([, v]) => v instanceof Parameter); }
  named_parameters(options) {
    const { prefix, recurse, remove_duplicate } = parseOptions('named_parameters', options, { prefix: '', recurse: true, remove_duplicate: true });
    const out = [];
    const seen = new Set();
    const modules = recurse ? [...this._namedModules('', remove_duplicate ? new Set() : null)] : [['', this]];
    for (const [path, module] of modules)
      for (const [name, p] of module._ownParameters()) {
        if (remove_duplicate && seen.has(p)) continue;
        seen.add(p);
        out.push([[prefix, path, name].filter(Boolean).join('.'), p]);
      }
    return out;
  }
  parameters(recurse = true) { return this.named_parameters({ recurse }).map(([, p]) => p); }
  named_buffers() {
    const out = [];
    for (const [path, module] of this.named_modules())
      for (const [name, b] of module._buffers) if (b) out.push([path ? `${path}.${name}` : name, b]);
    return out;
  }
  buffers() { return this.named_buffers().map(([, b]) => b); }

  get_submodule(target) {
    let module = this;
    for (const part of target ? target.split('.') : []) {
      if (!(module[part] instanceof Module)) throw new Error(`${module.constructor.name} has no attribute \`${part}\``);
      module = module[part];
    }
    return module;
  }

  apply(fn) {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // --- modes and gradients ------------------------------------------------------------
  train(mode = true) {
    if (typeof mode !== 'boolean') throw typeError('train', 'a boolean for mode', mode);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  eval() { return this.train(false); }
  requires_grad_(requires_grad = true) {
    for (const p of this.parameters()) p.requires_grad_(requires_grad);
    return this;
  }
  zero_grad(options) {
    const { set_to_none } = parseOptions('zero_grad', options, { set_to_none: true });
    for (const p of this.parameters()) {
      if (set_to_none) p.grad = null;
      else if (p.grad) p.grad.zero_();
    }
  }
  /** to(device | dtype | {device, dtype}): kindling's parameters are float32 on the CPU already. */
  to(...args) {
    const { dtype } = parseTo('Module.to', args, Tensor);
    if (dtype !== undefined && dtypeCode('Module.to', dtype) !== 0)
      throw new TypeError(`Module.to: nn.Module.to only accepts floating point dtypes, but got desired dtype=${dtype}`);
    return this;
  }
  cpu() { return this; }
  cuda() { return this.to('cuda'); }
  float() { return this; }

  // --- state --------------------------------------------------------------------------
  state_dict(options) {
    const { prefix, keep_vars, destination } = parseOptions('state_dict', options, { prefix: '', keep_vars: false, destination: null });
    if (destination !== null && (typeof destination !== 'object' || Array.isArray(destination)))
      throw typeError('state_dict', 'an object for destination', destination);
    const out = destination ?? {}; // filled and returned, as PyTorch's destination=
    for (const [path, module] of this.named_modules()) {
      const at = (name) => prefix + (path ? `${path}.${name}` : name);
      for (const [name, p] of module._ownParameters()) out[at(name)] = keep_vars ? p : p.detach().keep();
      for (const [name, b] of module._buffers)
        if (b && !module._nonPersistent.has(name)) out[at(name)] = keep_vars ? b : b.detach().keep();
    }
    return out;
  }

  load_state_dict(state_dict, options) {
    const { strict } = parseOptions('load_state_dict', options, { strict: true });
    if (state_dict === null || typeof state_dict !== 'object') throw typeError('load_state_dict', 'a state_dict object', state_dict);
    const own = this.state_dict({ keep_vars: true });
    // own keys only: `in` would find Object.prototype's names ('toString', 'constructor')
    const missing = Object.keys(own).filter((key) => !Object.hasOwn(state_dict, key));
    const unexpected = Object.keys(state_dict).filter((key) => !Object.hasOwn(own, key));
    const problems = [];
    for (const [key, target] of Object.entries(own)) {
      const source = state_dict[key];
      if (source === undefined) continue;
      if (!(source instanceof Tensor)) {
        problems.push(`While copying the parameter named "${key}", expected a Tensor, got ${typeof source}.`);
        continue;
      }
      // A released tensor still reports its shape: touch both handles now, so that it
      // throws before the first copy instead of half-way through.
      source.handle;
      target.handle;
      if (source.shape.join() !== target.shape.join())
        problems.push(`size mismatch for ${key}: copying a param with shape [${source.shape.join(', ')}] from checkpoint, ` +
          `the shape in current model is [${target.shape.join(', ')}].`);
    }
    if (strict) {
      if (unexpected.length) problems.unshift(`Unexpected key(s) in state_dict: ${unexpected.map((key) => `"${key}"`).join(', ')}. `);
      if (missing.length) problems.unshift(`Missing key(s) in state_dict: ${missing.map((key) => `"${key}"`).join(', ')}. `);
    }
    // Check everything first, so that a failed load changes nothing.
    if (problems.length)
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join('\n\t')}`);
    const before = k.k_grad_enabled();
    k.k_set_grad_enabled(0);
    try {
      for (const [key, target] of Object.entries(own)) if (state_dict[key] !== undefined) target.copy_(state_dict[key]);
    } finally {
      k.k_set_grad_enabled(before);
    }
    return { missing_keys: missing, unexpected_keys: unexpected };
  }

  // --- repr ---------------------------------------------------------------------------
  extra_repr() { return ''; }
  _getName() { return this.constructor.name; }
  toString() {
    const lines = [];
    const extra = this.extra_repr();
    if (extra) lines.push(...extra.split('\n'));
    for (const [name, child] of this.named_children()) {
      const text = String(child).split('\n').join('\n  ');
      lines.push(`(${name}): ${text}`);
    }
    if (!lines.length) return `${this._getName()}()`;
    if (lines.length === 1 && extra && !this.children().length) return `${this._getName()}(${extra})`;
    return `${this._getName()}(\n  ${lines.join('\n  ')}\n)`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}

function moduleArg(call, m) {
  if (!(m instanceof Module)) throw typeError(call, 'an nn.Module', m);
  return m;
}

export class Sequential extends Module {
  constructor(...modules) {
    super();
    if (modules.length > 1 && isOptions(modules[modules.length - 1])) bindArgs('Sequential(*modules)', modules);
    if (modules.length === 1 && !(modules[0] instanceof Module) && modules[0] && typeof modules[0] === 'object') {
      for (const [name, m] of Object.entries(modules[0])) this[name] = moduleArg('Sequential', m); // an OrderedDict
    } else {
      modules.forEach((m, i) => { this[String(i)] = moduleArg('Sequential', m); });
    }
  }
  get length() { return this.children().length; }
  at(index) {
    const children = this.children();
    const i = index < 0 ? index + children.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= children.length)
      throw new RangeError(`Sequential: index ${index} is out of range for ${children.length} modules`);
    return children[i];
  }
  append(module) {
    this[String(this.length)] = moduleArg('Sequential.append', module);
    return this;
  }
  [Symbol.iterator]() { return this.children()[Symbol.iterator](); }
  forward(input) {
    let x = input;
    for (const module of this.children()) x = module(x);
    return x;
  }
}

export class ModuleList extends Module {
  constructor(...args) {
    super();
    const [modules = []] = bindArgs('ModuleList(modules=null)', args);
    for (const m of modules) this.append(m);
  }
  get length() { return this.children().length; }
  at(index) { return Sequential.prototype.at.call(this, index); }
  append(module) {
    this[String(this.length)] = moduleArg('ModuleList.append', module);
    return this;
  }
  [Symbol.iterator]() { return this.children()[Symbol.iterator](); }
}

signatures(Module, ['Module.register_parameter(name, param)', 'Module.add_module(name, module)',
  'Module.register_module(name, module)', 'Module.named_children()', 'Module.children()', 'Module.named_modules()',
  'Module.modules()', 'Module.parameters(recurse=true)', 'Module.named_buffers()', 'Module.buffers()',
  'Module.get_submodule(target)', 'Module.apply(fn)', 'Module.train(mode=true)', 'Module.eval()',
  'Module.requires_grad_(requires_grad=true)', 'Module.cpu()', 'Module.cuda()', 'Module.float()', 'Module.extra_repr()',
  'Module.toString()']);
signatures(Parameter, ['toString()']);
for (const cls of [Sequential, ModuleList]) signatures(cls, [`${cls.name}.at(index)`, `${cls.name}.append(module)`]);
signatures(Sequential, ['Sequential.forward(input)']);
