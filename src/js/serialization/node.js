// serialization/node.js: where saved bytes go and loaded bytes come from, outside memory —
// a file path in Node, a download or a URL in a browser, a Blob / File / Response anywhere.
// Node's fs is imported dynamically and only when a path is used in Node, so browsers and
// bundlers never load (or try to resolve) a Node built-in because of this module.

export const isNode = () => typeof process !== 'undefined' && !!process.versions?.node;

async function fs() {
  const name = 'node:fs/promises';
  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);
}

/** Node: writes bytes to path. Browser: offers them as a download named after path's last part. */
export async function writeTo(path, bytes) {
  if (isNode()) {
    await (await fs()).writeFile(path, bytes);
    return;
  }
  download(bytes, path.split(/[\\/]/).pop() || 'download');
}

/** Node: reads a file. Browser: fetches the URL. */
export async function readFrom(path) {
  if (isNode()) return new Uint8Array(await (await fs()).readFile(path));
  const response = await fetch(path);
  if (!response.ok) throw new Error(`load: fetching '${path}' failed with HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** A Blob, File or fetch Response (anything with arrayBuffer()) -> bytes. */
export async function readBlob(blob) {
  return new Uint8Array(await blob.arrayBuffer());
}

/** Browser: saves bytes through a temporary <a download> link (a Blob URL). */
export function download(bytes, filename) {
  if (typeof document === 'undefined' || typeof Blob === 'undefined' || typeof URL?.createObjectURL !== 'function')
    throw new Error('download: needs a browser page (document, Blob and URL.createObjectURL); in Node pass a path to torch.save');
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; give it a moment.
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
