// autosave.js: the training run's checkpoint in IndexedDB — one record, written by the
// worker at the end of every epoch and on pause, read by the page when it loads so that it
// can offer to resume. Works in the page and in the worker (IndexedDB exists in both).
// Every failure — no IndexedDB, storage disabled (private mode, a policy), a full quota —
// rejects with an Error carrying `reason` ('missing' | 'denied' | 'quota' | 'failed') and
// `detail` (the browser's own message) for the page to show; nothing here throws
// synchronously. Not here: what goes into the record (train-worker.js).

const DB = 'kindling-page';
const STORE = 'checkpoints';
const KEY = 'current';
const OPEN_TIMEOUT_MS = 3000; // some private modes never answer open()

function storageError(reason, cause) {
  const detail = cause ? `${cause.name ?? 'Error'}: ${String(cause.message ?? cause).replace(/\.$/, '')}` : '';
  const error = new Error(`autosave: ${reason}${detail ? ` (${detail})` : ''}`);
  error.reason = reason;
  error.detail = detail;
  return error;
}

function reasonOf(error) {
  const name = error?.name ?? '';
  if (name === 'QuotaExceededError' || /quota/i.test(error?.message ?? '')) return 'quota';
  if (name === 'SecurityError' || name === 'InvalidStateError' || name === 'NotAllowedError') return 'denied';
  return 'failed';
}
const wrap = (error) => (error?.reason ? error : storageError(reasonOf(error), error));

let opening = null;
function open() {
  if (opening) return opening;
  opening = new Promise((resolve, reject) => {
    const idb = globalThis.indexedDB;
    if (!idb) { reject(storageError('missing')); return; }
    let req;
    try {
      req = idb.open(DB, 1);
    } catch (error) {
      reject(wrap(error));
      return;
    }
    const timer = setTimeout(() => reject(storageError('denied', new Error('indexedDB.open did not answer'))), OPEN_TIMEOUT_MS);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => {
      clearTimeout(timer);
      const db = req.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    req.onerror = (event) => { event.preventDefault?.(); clearTimeout(timer); reject(wrap(req.error)); };
  });
  opening.catch(() => { opening = null; });
  return opening;
}

async function transact(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    let result;
    try {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      req.onsuccess = () => { result = req.result; };
      tx.oncomplete = () => resolve(result);
      tx.onerror = (event) => { event.preventDefault?.(); reject(wrap(event.target.error ?? tx.error)); };
      tx.onabort = () => reject(wrap(tx.error ?? new Error('the transaction was aborted')));
    } catch (error) {
      reject(wrap(error));
    }
  });
}

/** Checks that storage can be opened at all (resolves, or rejects with a reason). */
export const probeStorage = () => open().then(() => true);

export const saveCheckpoint = (record) => transact('readwrite', (store) => store.put(record, KEY));

/** The saved record, or null when there is none. */
export const loadCheckpoint = () => transact('readonly', (store) => store.get(KEY)).then((r) => r ?? null);

export const clearCheckpoint = () => transact('readwrite', (store) => store.delete(KEY));
