// trainer.js: the page's side of the training worker, started when first asked for.
// Requests (load, predict, features) are promises matched by id; training sends a stream of
// events (batch, epoch, done, nan, error, stopped) to the listeners. Not here: any
// computation (train-worker.js does it).

export class Trainer {
  constructor() {
    this._worker = null;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
  }

  /** The worker, started on first use: an embedded section that needs no training never starts one. */
  get worker() {
    if (this._worker) return this._worker;
    this._worker = new Worker(new URL('../train-worker.js', import.meta.url), { type: 'module' });
    this._worker.addEventListener('message', (event) => this._onMessage(event.data));
    this._worker.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new Error(event.message || 'the training worker failed to start');
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      this._emit({ type: 'error', error: error.message });
    });
    return this._worker;
  }

  get started() { return this._worker !== null; }

  _onMessage(msg) {
    if (msg.id && this.pending.has(msg.id)) {
      const { resolve, reject } = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) reject(new Error(msg.error));
      else resolve(msg.result);
      return;
    }
    this._emit(msg);
  }

  _emit(msg) { for (const fn of this.listeners) fn(msg); }

  on(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }

  request(type, payload = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload }, transfer);
    });
  }

  send(type, payload = {}) { this.worker.postMessage({ type, ...payload }); }
}
