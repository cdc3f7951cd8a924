// trainer.js: the page's side of the training worker. Requests (load, predict, features)
// are promises matched by id; training sends a stream of events (batch, epoch, done, nan,
// error, stopped) to the listeners. Not here: any computation (train-worker.js does it).

export class Trainer {
  constructor() {
    this.worker = new Worker(new URL('../train-worker.js', import.meta.url), { type: 'module' });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.worker.addEventListener('message', (event) => this._onMessage(event.data));
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new Error(event.message || 'the training worker failed to start');
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      this._emit({ type: 'error', error: error.message });
    });
    this.ready = this.request('hello');
  }

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
