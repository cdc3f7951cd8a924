// autosave.js: training runs' checkpoints in IndexedDB — one record per browser tab (its
// key is the tab's, see tabSlot), written by the worker at the end of every epoch and on
// pause, and replaced by the finished model when the run ends; read by the page when it
// loads so that it can restore the model or offer to resume. Tabs never touch each
// other's record: a tab holds a Web Lock named after its key while it is open, so the
// records of closed tabs are told apart from those of tabs still open. Works in the page
// and in the worker (IndexedDB exists in both).
// Every failure — no IndexedDB, storage disabled (private mode, a policy), a full quota —
// rejects with an Error carrying `reason` ('missing' | 'denied' | 'quota' | 'failed') and
// `detail` (the browser's own message) for the page to show; nothing here throws
// synchronously. Not here: what goes into the record (train-worker.js).

const DB = 'kindling-page';
const STORE = 'checkpoints';
const KEEP = 4; // records of closed tabs kept (the newest); older ones are pruned
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

/** Runs fn(store) in one transaction; fn returns a request (or an array of them, read together). */
async function transact(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    try {
      const tx = db.transaction(STORE, mode);
      const made = fn(tx.objectStore(STORE));
      const requests = Array.isArray(made) ? made : [made];
      tx.oncomplete = () => {
        const results = requests.map((req) => req.result);
        resolve(Array.isArray(made) ? results : results[0]);
      };
      tx.onerror = (event) => { event.preventDefault?.(); reject(wrap(event.target.error ?? tx.error)); };
      tx.onabort = () => reject(wrap(tx.error ?? new Error('the transaction was aborted')));
    } catch (error) {
      reject(wrap(error));
    }
  });
}

/** Checks that storage can be opened at all (resolves, or rejects with a reason). */
export const probeStorage = () => open().then(() => true);

export const saveCheckpoint = (key, record) => transact('readwrite', (store) => store.put(record, key));

/** The record saved under key, or null when there is none. */
export const loadCheckpoint = (key) => transact('readonly', (store) => store.get(key)).then((r) => r ?? null);

export const clearCheckpoint = (key) => transact('readwrite', (store) => store.delete(key));

/** Every saved record as {key, record}. */
export async function listCheckpoints() {
  // one transaction, so that keys and records are read from the same state
  const [keys, records] = await transact('readonly', (store) => [store.getAllKeys(), store.getAll()]);
  return keys.map((key, i) => ({ key, record: records[i] }));
}

/** Moves a record to another key (a tab adopting a closed tab's run). */
export async function moveCheckpoint(from, to) {
  const record = await loadCheckpoint(from);
  if (!record) return null;
  await saveCheckpoint(to, record);
  await clearCheckpoint(from);
  return record;
}

// --- one record per tab -----------------------------------------------------------------------
const lockName = (key) => `kindling-page:${key}`;
const newKey = () => `tab-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/**
 * This tab's record key: kept in sessionStorage, so a reload finds its own record again;
 * held as a Web Lock while the tab is open. A duplicated tab (whose sessionStorage is a
 * copy) finds the lock taken and picks a key of its own. Page only.
 */
export async function tabSlot() {
  let key = null;
  try { key = sessionStorage.getItem('kindling-tab'); } catch { /* storage disabled */ }
  const locks = globalThis.navigator?.locks;
  for (let attempt = 0; attempt < 3; attempt++) {
    key ??= newKey();
    if (!locks) break;
    const held = await new Promise((resolve) => {
      locks.request(lockName(key), { ifAvailable: true }, (lock) => {
        resolve(Boolean(lock));
        return lock ? new Promise(() => {}) : undefined; // held until the tab closes
      }).catch(() => resolve(true));
    });
    if (held) break;
    key = null;
  }
  try { sessionStorage.setItem('kindling-tab', key); } catch { /* storage disabled */ }
  return key;
}

/**
 * The record this tab may take up: its own, else the newest left by a tab that is now
 * closed (never one of a tab still open). Prunes all but the newest KEEP closed tabs' records.
 */
export async function findCheckpoint(myKey) {
  const all = await listCheckpoints();
  let open = new Set();
  try {
    const { held = [] } = (await globalThis.navigator?.locks?.query()) ?? {};
    open = new Set(held.map((l) => l.name));
  } catch { /* no Web Locks: every other record counts as closed */ }
  const mine = all.find((r) => r.key === myKey && r.record?.version === 1);
  const orphans = all.filter((r) => r.key !== myKey && !open.has(lockName(r.key)))
    .sort((a, b) => (b.record?.savedAt ?? 0) - (a.record?.savedAt ?? 0));
  for (const { key } of orphans.slice(KEEP)) await clearCheckpoint(key).catch(() => {});
  return mine ?? orphans.find((r) => r.record?.version === 1) ?? null;
}
