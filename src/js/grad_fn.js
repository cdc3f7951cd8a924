// grad_fn.js: Tensor.grad_fn — PyTorch's autograd node objects as the autograd tutorial
// prints them: name() (AddmmBackward0, ..., 'torch::autograd::AccumulateGrad' for a leaf)
// and next_functions as [[node | null, 0], ...]. A node is the tensor that produced it
// plus a path of next_functions indices; the core walks the graph (src/abi/abi_grad_fn.c),
// so the names come from its op table. After backward() releases the graph, a node keeps
// its name but its next_functions are empty, where PyTorch still shows the edges.
import { cString, k, raise, writeInts } from './core.js';

export class GradFn {
  constructor(root, path = []) {
    this._root = root;
    this._path = path;
  }

  /** [name, next kinds] from the core. */
  _read() {
    const depth = this._path.length;
    if (depth) writeInts('grad_fn', this._path);
    const ptr = k.k_grad_fn(this._root.handle, depth);
    if (!ptr) raise();
    const info = new Int32Array(k.memory.buffer, k.k_scratch(), 1 + 4);
    const next = Array.from(info.subarray(1, 1 + info[0]));
    return [cString(ptr), next];
  }

  name() { return this._read()[0]; }

  get next_functions() {
    const [, next] = this._read();
    return next.map((isNode, i) => [isNode ? new GradFn(this._root, [...this._path, i]) : null, 0]);
  }

  toString() {
    const name = this.name();
    return `<${name.replace('torch::autograd::', '')} object>`;
  }
  [Symbol.for('nodejs.util.inspect.custom')]() { return this.toString(); }
}
