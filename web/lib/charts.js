// charts.js: line charts on uPlot. uPlot was chosen over Chart.js because it is about a
// fifth of the size (~42 KB gzipped as an ES module, against ~65 KB for Chart.js's minified
// UMD build) and draws tens of thousands of streamed points (a loss per batch) without
// slowing the page. Not here: what the charts show (the sections).
import uPlot from '../vendor/uplot/uPlot.esm.js';

export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#e67e00', '#17becf'];

const FONT = '12px system-ui, sans-serif';
const LABEL_FONT = 'bold 12px system-ui, sans-serif';
let measurer = null;
/** A y axis's width: its widest tick label plus tick and gap, so the axis title never overlaps the labels. */
function axisWidth(u, values) {
  measurer ??= document.createElement('canvas').getContext('2d');
  measurer.font = FONT;
  const widest = Math.max(0, ...(values ?? []).map((v) => measurer.measureText(v).width));
  return Math.ceil((widest + 18) / 8) * 8; // in steps of 8 px: the plot is not resized for every small change of its ticks
}

/** Log-axis ticks: only the powers of ten are labelled, all in one form (1e-3, 1e-2, 1e-1, 1e0). */
export function formatLogTick(v) {
  if (!(v > 0)) return '';
  const k = Math.log10(v);
  return Math.abs(k - Math.round(k)) < 1e-9 ? `1e${Math.round(k)}` : '';
}

const powersOfTen = (u, splits) => splits.map((v) => (formatLogTick(v) ? v : null));

/**
 * A chart that fills its container's width. series: [{label, color, scale ('y' | 'y2'),
 * dash, width, points, stepped (1: a value holds until the next point; -1: since the
 * previous one)}]; axes: {x, y, y2} labels; options: {height, logY, xRange, yRange, bands}.
 */
function logRange(u, min, max) {
  const top = 10 ** Math.ceil(Math.log10(max));
  return [Math.max(10 ** Math.floor(Math.log10(min)), top * 1e-12), top];
}

export function lineChart(el, { series, axes = {}, height = 220, logY = false, xRange = null, yRange = null, y2Range = null, draw = null }) {
  const hasY2 = series.some((s) => s.scale === 'y2');
  const opts = {
    width: Math.max(260, el.clientWidth || 600),
    height,
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { live: true },
    scales: {
      x: { time: false, ...(xRange ? { range: xRange } : {}) },
      // A log axis spans at most 12 decades below its top: uPlot's log splits overflow
      // (RangeError) on curves like StepLR(gamma=0.5) over 100 epochs (1e-2 down to 1e-32).
      y: { distr: logY ? 3 : 1, ...(yRange ? { range: yRange } : logY ? { range: logRange } : {}) },
      ...(hasY2 ? { y2: { ...(y2Range ? { range: y2Range } : {}) } } : {}),
    },
    axes: [
      { label: axes.x ?? '', size: 40, labelSize: 18, font: FONT, labelFont: LABEL_FONT, grid: { stroke: '#e5e7eb' } },
      { label: axes.y ?? '', size: axisWidth, labelSize: 20, labelGap: 2, font: FONT, labelFont: LABEL_FONT,
        // on a log axis, grid lines and ticks at the powers of ten only (the ones labelled)
        grid: { stroke: '#e5e7eb', ...(logY ? { filter: powersOfTen } : {}) }, ...(logY ? { ticks: { filter: powersOfTen } } : {}),
        values: (u, splits) => splits.map(logY ? formatLogTick : formatTick) },
      ...(hasY2 ? [{ scale: 'y2', side: 1, label: axes.y2 ?? '', size: axisWidth, labelSize: 20, labelGap: 2, font: FONT, labelFont: LABEL_FONT,
        grid: { show: false }, values: (u, splits) => splits.map(formatTick) }] : []),
    ],
    series: [
      { label: axes.x ?? 'x' },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: s.width ?? 2,
        scale: s.scale ?? 'y',
        dash: s.dash,
        spanGaps: true,
        ...(s.stepped ? { paths: uPlot.paths.stepped({ align: s.stepped }) } : {}),
        points: { show: s.points ?? false, size: 5, fill: s.color },
        value: (u, v) => (v === null || v === undefined ? '—' : formatTick(v)),
      })),
    ],
    hooks: draw ? { draw: [draw] } : {},
  };
  const data = [[], ...series.map(() => [])];
  const chart = new uPlot(opts, data, el);
  const observer = new ResizeObserver(() => {
    const width = Math.max(260, el.clientWidth);
    if (width !== chart.width) chart.setSize({ width, height });
  });
  observer.observe(el);
  return {
    chart,
    setData(d, resetScales = true) { chart.setData(d, resetScales); },
    setLabels(labels, axisLabels) {
      const xLabel = chart.root.querySelector('.u-legend .u-series .u-label');
      if (axisLabels?.x && xLabel) { chart.series[0].label = axisLabels.x; xLabel.textContent = axisLabels.x; }
      labels.forEach((label, i) => {
        chart.series[i + 1].label = label;
        const el2 = chart.root.querySelectorAll('.u-legend .u-series')[i + 1]?.querySelector('.u-label');
        if (el2) el2.textContent = label;
      });
      if (axisLabels) {
        chart.axes[0].label = axisLabels.x ?? chart.axes[0].label;
        chart.axes[1].label = axisLabels.y ?? chart.axes[1].label;
        if (chart.axes[2]) chart.axes[2].label = axisLabels.y2 ?? chart.axes[2].label;
        chart.redraw(false, true);
      }
    },
    destroy() { observer.disconnect(); chart.destroy(); },
  };
}

export function formatTick(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5) return v.toExponential(2);
  return String(+v.toPrecision(4));
}
