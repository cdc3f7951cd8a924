// images.js: small canvas helpers for 28x28 grey images — drawing uint8 or float pixels
// (scaled, crisp), a diverging colour map for weights, and turning a free drawing into an
// MNIST-like input (bounding box to 20x20, centred by centre of mass in 28x28, as the
// MNIST files were made).

/** Draws w x h grey pixels (Uint8 0..255, or floats with range [lo, hi]) at (x, y), scaled. */
export function drawGray(ctx, pixels, w, h, x, y, scale = 1, range = null) {
  const image = new ImageData(w, h);
  const [lo, hi] = range ?? [0, 255];
  const k = 255 / (hi - lo || 1);
  for (let i = 0; i < w * h; i++) {
    const v = Math.max(0, Math.min(255, (pixels[i] - lo) * k));
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  blit(ctx, image, x, y, scale);
}

/** Draws signed weights blue (negative) / white / red (positive), scaled to max |w|. */
export function drawDiverging(ctx, values, w, h, x, y, scale = 1) {
  let m = 1e-12;
  for (let i = 0; i < w * h; i++) m = Math.max(m, Math.abs(values[i]));
  const image = new ImageData(w, h);
  for (let i = 0; i < w * h; i++) {
    const v = values[i] / m;
    const a = Math.round(255 * (1 - Math.abs(v)));
    image.data[i * 4] = v > 0 ? 255 : a;
    image.data[i * 4 + 1] = a;
    image.data[i * 4 + 2] = v < 0 ? 255 : a;
    image.data[i * 4 + 3] = 255;
  }
  blit(ctx, image, x, y, scale);
}

let scratch = null;
function blit(ctx, image, x, y, scale) {
  if (scale === 1) return ctx.putImageData(image, x, y);
  scratch ??= document.createElement('canvas');
  scratch.width = image.width;
  scratch.height = image.height;
  scratch.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, x, y, image.width * scale, image.height * scale);
}

/**
 * A drawing (white ink on black) as 784 floats in [0, 1], MNIST style; null when empty.
 * The ink's bounding box is scaled to fit 20x20 and its centre of mass put at (14, 14).
 */
export function canvasToMnist(canvas) {
  const { width, height } = canvas;
  const src = canvas.getContext('2d', { willReadFrequently: true }).getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (src[(y * width + x) * 4] > 20) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = 20 / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)), th = Math.max(1, Math.round(bh * scale));
  // Downsample in one step with the browser's smoothing (area-like averaging).
  const small = document.createElement('canvas');
  small.width = tw;
  small.height = th;
  const sctx = small.getContext('2d', { willReadFrequently: true });
  sctx.imageSmoothingEnabled = true;
  sctx.imageSmoothingQuality = 'high';
  sctx.drawImage(canvas, x0, y0, bw, bh, 0, 0, tw, th);
  const box = sctx.getImageData(0, 0, tw, th).data;
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const v = box[(y * tw + x) * 4];
      mass += v;
      mx += v * x;
      my += v * y;
    }
  const cx = mass ? mx / mass : tw / 2, cy = mass ? my / mass : th / 2;
  const ox = Math.round(14 - cx - 0.5), oy = Math.round(14 - cy - 0.5);
  const out = new Float32Array(784);
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const X = x + ox, Y = y + oy;
      if (X >= 0 && X < 28 && Y >= 0 && Y < 28) out[Y * 28 + X] = box[(y * tw + x) * 4] / 255;
    }
  return out;
}
