// datasets/csv.js: numeric CSV files — one sample per row, a label column and feature
// columns (e.g. Kaggle's mnist_train.csv: label, then 784 pixels).
//
//   readCsv(text | bytes, {label_column = 0, header = 'auto', delimiter = ','})
//     -> {header, labels, data, rows, columns}
//   new CSVDataset(text | bytes, {label_column, header, delimiter, image_shape, transform, target_transform})
//   await CSVDataset.load(path | url | bytes, options)     (gzipped files too)
//
// header: true, false, or 'auto' (the first row is a header when any of its cells is not a
// number). label_column: an index (negative counts from the end), a header name, or null
// (no labels). Every cell must be a finite number: a ragged row or a non-numeric cell is
// an Error naming its line and column, and nothing is returned. Blank lines are skipped.
// Quoted cells are unquoted, but a quoted cell may not contain the delimiter or a newline.
// Not here: strings or categories as features (parse those yourself).
import { signatures } from '../args.js';
import { parseOptions, typeError } from '../errors.js';
import { Dataset, FETCH_BATCH } from '../utils/data.js';
import { FLOAT32, INT64, emptyTensor, dataView, scopedTensor } from '../transforms/buffers.js';
import { gunzip, isGzip, readResource, toBytes } from './bytes.js';

const READ_OPTIONS = { label_column: 0, header: 'auto', delimiter: ',' };

function unquote(cell) {
  cell = cell.trim();
  return cell.length >= 2 && cell[0] === '"' && cell[cell.length - 1] === '"' ? cell.slice(1, -1).replace(/""/g, '"').trim() : cell;
}

const isNumber = (cell) => cell !== '' && Number.isFinite(Number(cell));

/** Parses a numeric CSV; see the file comment. */
export function readCsv(input, options) {
  const o = parseOptions('readCsv', options, READ_OPTIONS);
  if (typeof o.delimiter !== 'string' || o.delimiter.length !== 1 || o.delimiter === '"' || o.delimiter === '\n')
    throw typeError('readCsv', 'a one-character delimiter', o.delimiter);
  if (o.header !== true && o.header !== false && o.header !== 'auto') throw typeError('readCsv', "true, false or 'auto' for header", o.header);
  let text = typeof input === 'string' ? input : new TextDecoder('utf-8').decode(toBytes('readCsv', input));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const lines = text.split('\n');
  let header = null;
  let columns = -1;
  let firstLine = 0;
  let rows = 0;
  const cells = []; // [lineIndex, cells] of data rows
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li].endsWith('\r') ? lines[li].slice(0, -1) : lines[li];
    if (line.trim() === '') continue;
    const row = line.split(o.delimiter).map(unquote);
    if (columns < 0) {
      columns = row.length;
      firstLine = li + 1;
      const isHeader = o.header === true || (o.header === 'auto' && !row.every(isNumber));
      if (isHeader) {
        header = row;
        continue;
      }
    } else if (row.length !== columns) {
      throw new Error(`readCsv: line ${li + 1} has ${row.length} cells, expected ${columns} (as on line ${firstLine})`);
    }
    cells.push(li + 1, row);
    rows++;
  }
  if (columns < 0) throw new Error('readCsv: the CSV has no rows');

  let label = o.label_column;
  if (typeof label === 'string') {
    if (!header) throw new TypeError(`readCsv: label_column '${label}' is a name, but the CSV has no header`);
    const at = header.indexOf(label);
    if (at < 0) throw new RangeError(`readCsv: no column named '${label}' in the header (${header.join(', ')})`);
    label = at;
  } else if (label !== null) {
    if (!Number.isInteger(label)) throw typeError('readCsv', 'an integer, a column name or null for label_column', label);
    if (label < -columns || label >= columns) throw new RangeError(`readCsv: label_column ${label} is out of range for ${columns} columns`);
    if (label < 0) label += columns;
  }
  const featureCount = label === null ? columns : columns - 1;
  const data = new Float32Array(rows * featureCount);
  const labelValues = label === null ? null : new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const lineNo = cells[2 * r], row = cells[2 * r + 1];
    let k = r * featureCount;
    for (let c = 0; c < columns; c++) {
      const cell = row[c];
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) {
        const name = header ? ` ('${header[c]}')` : '';
        throw new Error(`readCsv: line ${lineNo}, column ${c + 1}${name}: ${JSON.stringify(cell)} is not a number`);
      }
      if (c === label) labelValues[r] = v;
      else data[k++] = v;
    }
  }
  let labels = null;
  if (labelValues) labels = labelValues.every(Number.isInteger) ? Int32Array.from(labelValues) : Float32Array.from(labelValues);
  return { header, labels, data, rows, columns: featureCount };
}

const DATASET_OPTIONS = { ...READ_OPTIONS, image_shape: null, transform: null, target_transform: null };
const applyTransform = (t, x) => (typeof t === 'function' ? t(x) : t.forward(x));

/**
 * Rows of a numeric CSV as samples: getitem(i) -> [features, label] (features alone when
 * label_column is null). features is a float32 tensor [columns], or, with
 * image_shape [H, W] or [H, W, C] (pixel values must be integers in 0-255), an image
 * {data, width, height, channels} for transforms.ToTensor().
 */
export class CSVDataset extends Dataset {
  constructor(input, options) {
    super();
    const o = parseOptions('CSVDataset', options, DATASET_OPTIONS);
    const parsed = readCsv(input, { label_column: o.label_column, header: o.header, delimiter: o.delimiter });
    let pixels = null;
    let shape = null;
    if (o.image_shape !== null) {
      shape = o.image_shape;
      if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3) || !shape.every((d) => Number.isInteger(d) && d > 0))
        throw typeError('CSVDataset', 'image_shape [H, W] or [H, W, C] of positive ints', shape);
      const size = shape.reduce((a, b) => a * b, 1);
      if (size !== parsed.columns)
        throw new RangeError(`CSVDataset: image_shape [${shape.join(', ')}] holds ${size} pixels, the CSV has ${parsed.columns} feature columns`);
      const bad = parsed.data.findIndex((v) => !(Number.isInteger(v) && v >= 0 && v <= 255));
      if (bad >= 0)
        throw new RangeError(`CSVDataset: with image_shape, pixels must be integers in [0, 255]; row ${Math.floor(bad / size) + 1} has ${parsed.data[bad]}`);
      pixels = Uint8Array.from(parsed.data);
    }
    for (const name of ['transform', 'target_transform'])
      if (o[name] !== null && typeof o[name] !== 'function' && typeof o[name]?.forward !== 'function')
        throw typeError('CSVDataset', `a function or transform for ${name}`, o[name]);
    this.header = parsed.header;
    this.features = parsed.data;
    this.labels = parsed.labels;
    this.columns = parsed.columns;
    this.image_shape = shape;
    this.transform = o.transform;
    this.target_transform = o.target_transform;
    this._rows = parsed.rows;
    this._pixels = pixels;
  }

  /** await CSVDataset.load(path | URL | bytes, options): reads (and gunzips) the file first. */
  static async load(source, options) {
    let bytes;
    if (typeof source === 'string' || source instanceof URL) {
      bytes = await readResource(source);
      if (!bytes) throw new Error(`CSVDataset.load: ${source} not found`);
    } else {
      bytes = toBytes('CSVDataset.load', source);
    }
    if (isGzip(bytes)) bytes = await gunzip('CSVDataset.load', bytes);
    return new this(bytes, options);
  }

  len() { return this._rows; }

  getitem(index) {
    if (!Number.isInteger(index) || index < 0 || index >= this._rows)
      throw new RangeError(`CSVDataset: index ${index} is out of range for a dataset of length ${this._rows}`);
    const n = this.columns;
    let features;
    if (this._pixels) {
      const [H, W, C = 1] = this.image_shape;
      features = { data: this._pixels.subarray(index * n, (index + 1) * n), width: W, height: H, channels: C };
    } else {
      features = scopedTensor(this.features.subarray(index * n, (index + 1) * n), [n], FLOAT32);
    }
    if (this.transform) features = applyTransform(this.transform, features);
    if (!this.labels) return features;
    let label = this.labels[index];
    if (this.target_transform) label = applyTransform(this.target_transform, label);
    return [features, label];
  }

  /** Untransformed tabular rows: one [B, columns] tensor (and labels) per batch, no per-row tensors. */
  [FETCH_BATCH](indices) {
    if (this._pixels || this.transform || this.target_transform) return undefined;
    const n = this.columns;
    for (const i of indices)
      if (!Number.isInteger(i) || i < 0 || i >= this._rows)
        throw new RangeError(`CSVDataset: index ${i} is out of range for a dataset of length ${this._rows}`);
    const x = emptyTensor([indices.length, n], FLOAT32);
    const view = dataView(x);
    indices.forEach((i, b) => view.set(this.features.subarray(i * n, (i + 1) * n), b * n));
    if (!this.labels) return x;
    const isInt = this.labels instanceof Int32Array;
    const y = scopedTensor(indices.map((i) => this.labels[i]), [indices.length], isInt ? INT64 : FLOAT32);
    return [x, y];
  }
}

signatures(CSVDataset, ['CSVDataset.len()', 'CSVDataset.getitem(index)']);
