// sections/optimizer.js: the Optimizer section — the optimizer's arguments (with the
// warnings the tutorial's mistakes call for) and its code, and the race of SGD, SGD with
// momentum, Adam and RMSprop on a 2-D surface. Each racer is a pair of kindling tensors
// with requires_grad; every step evaluates the surface with tensor ops, calls backward()
// and the real optimizer's step(). The background map is plain JS arithmetic (paint only).
import { settingsWarnings } from '../lib/advice.js';
import { COLORS } from '../lib/charts.js';
import { renderCodePair } from '../lib/code-panel.js';
import { num, sectionCode } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { optimizerDefaults } from '../lib/state.js';

const SURFACES = {
  rosenbrock: {
    f: (x, y) => x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)),
    plain: (x, y) => (1 - x) ** 2 + 100 * (y - x * x) ** 2,
    start: [-1.5, 2.0], min: [1, 1], fmin: 0, view: [-2.2, 2.2, -1.0, 2.3], steps: 1200, perFrame: 4,
    racers: [['SGD', { lr: 1e-3 }], ['SGD', { lr: 5e-4, momentum: 0.9 }], ['Adam', { lr: 0.1 }], ['RMSprop', { lr: 0.01 }]],
  },
  saddle: {
    f: (x, y) => x.pow(2).add(y.pow(4).mul(0.25)).sub(y.pow(2).mul(0.5)),
    plain: (x, y) => x * x + y ** 4 / 4 - y * y / 2,
    start: [-1.8, 0.001], min: [0, 1], fmin: -0.25, view: [-2, 2, -1.5, 1.5], steps: 600, perFrame: 2,
    racers: [['SGD', { lr: 0.02 }], ['SGD', { lr: 0.02, momentum: 0.9 }], ['Adam', { lr: 0.02 }], ['RMSprop', { lr: 0.005 }]],
  },
};

export function init(app) {
  const { store, torch } = app;
  const codeEl = document.querySelector('[data-code="optimizer"]');
  const warning = document.getElementById('opt-warning');

  function renderCode() { renderCodePair(codeEl, sectionCode('optimizer', store.all(), { t })); }
  const defaultsNote = document.getElementById('opt-defaults');
  function warn() {
    const s = store.all();
    const messages = settingsWarnings(s).map((m) => t(...m));
    // AdamW's decay is decoupled from the gradient: its customary 0.01 is not strong.
    if (s.weight_decay >= (s.opt === 'adamw' ? 0.1 : 0.01)) messages.push(t('opt.wdHigh', { value: num(s.weight_decay) }));
    if (s.opt === 'sgd' && s.nesterov && !(s.momentum > 0)) messages.push(t('opt.nesterovNeeds'));
    warning.hidden = !messages.length;
    warning.textContent = messages.join(' ');
    app.optimizerOk = !(s.opt === 'sgd' && s.nesterov && !(s.momentum > 0));
  }
  // Choosing an optimizer brings its customary arguments (lib/state.js), and says so.
  document.querySelector('[data-setting="opt"]').addEventListener('input', () => store.set(optimizerDefaults(store.get('opt'))));
  const showDefaults = () => { defaultsNote.textContent = t(`opt.defaults.${store.get('opt')}`); };
  store.on(['opt'], showDefaults);
  app.on('lang', showDefaults);
  showDefaults();
  store.on(['opt', 'lr', 'momentum', 'weight_decay', 'nesterov', 'beta1', 'beta2', 'alpha'], () => { renderCode(); warn(); });
  app.on('lang', () => { renderCode(); warn(); drawLegend(); });
  renderCode();
  warn();

  // --- the race -------------------------------------------------------------------------
  const canvas = document.getElementById('race-canvas');
  const ctx = canvas.getContext('2d');
  const legend = document.getElementById('race-legend');
  const playButton = document.getElementById('race-play');
  const reduceMotion = matchMedia('(prefers-reduced-motion: reduce)').matches;
  let surface = null, racers = [], step = 0, background = null;
  let playing = !reduceMotion, visible = false, frame = 0;

  const toCanvas = ([x, y]) => {
    const [x0, x1, y0, y1] = surface.view;
    return [((x - x0) / (x1 - x0)) * canvas.width, ((y1 - y) / (y1 - y0)) * canvas.height];
  };

  function paintBackground() {
    const { width, height } = canvas;
    const image = ctx.createImageData(width, height);
    const [x0, x1, y0, y1] = surface.view;
    for (let j = 0; j < height; j++)
      for (let i = 0; i < width; i++) {
        const x = x0 + ((i + 0.5) / width) * (x1 - x0), y = y1 - ((j + 0.5) / height) * (y1 - y0);
        const v = Math.log1p(Math.max(0, surface.plain(x, y) - surface.fmin) * 4);
        const shade = Math.min(1, v / 7);
        const edge = (v * 2.2) % 1 < 0.07 ? 0.86 : 1; // contour lines
        const p = (j * width + i) * 4;
        // pale yellow at the bottom of the valley, light slate blue high up
        image.data[p] = (255 - 85 * shade) * edge;
        image.data[p + 1] = (250 - 60 * shade) * edge;
        image.data[p + 2] = (225 + 20 * shade) * edge;
        image.data[p + 3] = 255;
      }
    background = image;
  }

  function disposeRacers() {
    for (const r of racers) {
      for (const s of r.optimizer.state.values()) for (const v of Object.values(s)) if (v instanceof torch.Tensor && !v.is_disposed) v.dispose();
      r.x.dispose();
      r.y.dispose();
    }
    racers = [];
  }

  function reset() {
    disposeRacers();
    surface = SURFACES[store.get('surface')];
    const scale = store.get('race_lr');
    racers = surface.racers.map(([name, args], i) => {
      const x = torch.tensor([surface.start[0]], { dtype: 'float32', requires_grad: true });
      const y = torch.tensor([surface.start[1]], { dtype: 'float32', requires_grad: true });
      const options = { ...args, lr: args.lr * scale };
      const optimizer = new torch.optim[name]([x, y], options);
      const label = `${name}(lr=${num(options.lr)}${args.momentum ? `, momentum=${args.momentum}` : ''})`;
      return { x, y, optimizer, label, color: COLORS[i], path: [surface.start.slice()], loss: surface.plain(...surface.start), diverged: false };
    });
    step = 0;
    paintBackground();
    if (reduceMotion) advance(surface.steps);
    draw();
    drawLegend();
  }

  function advance(n) {
    for (let k = 0; k < n && step < surface.steps; k++) {
      for (const r of racers) {
        if (r.diverged) continue;
        r.optimizer.zero_grad();
        const loss = surface.f(r.x, r.y);
        loss.backward();
        r.optimizer.step();
        r.loss = loss.item();
        const p = [r.x.item(), r.y.item()];
        if (!p.every(Number.isFinite) || Math.abs(p[0]) > 50 || Math.abs(p[1]) > 50) r.diverged = true;
        else r.path.push(p);
      }
      step++;
    }
  }

  function draw() {
    ctx.putImageData(background, 0, 0);
    const [mx, my] = toCanvas(surface.min);
    ctx.fillStyle = '#111';
    ctx.beginPath();
    ctx.moveTo(mx, my - 7); ctx.lineTo(mx + 6, my + 5); ctx.lineTo(mx - 6, my + 5); ctx.closePath();
    ctx.fill();
    ctx.globalAlpha = 0.8; // overlapping paths stay visible
    for (const r of racers) {
      ctx.strokeStyle = r.color;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      r.path.forEach((p, i) => { const [cx, cy] = toCanvas(p); if (i) ctx.lineTo(cx, cy); else ctx.moveTo(cx, cy); });
      ctx.stroke();
      const [cx, cy] = toCanvas(r.path[r.path.length - 1]);
      ctx.fillStyle = r.color;
      ctx.beginPath();
      ctx.arc(cx, cy, 5.5, 0, Math.PI * 2);
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = 'rgba(255,255,255,0.85)';
    ctx.fillRect(6, 6, 92, 22);
    ctx.fillStyle = '#111';
    ctx.font = '13px system-ui, sans-serif';
    ctx.fillText(t('race.step', { n: step }), 12, 22);
  }

  function drawLegend() {
    legend.replaceChildren(...racers.map((r) => {
      const li = document.createElement('li');
      li.innerHTML = '<i></i><span></span>';
      li.querySelector('i').style.background = r.color;
      li.querySelector('span').textContent = `${r.label}: ${r.diverged ? t('race.diverged') : `f = ${fmt(Math.round(r.loss * 10000) / 10000, 4)}`}`;
      return li;
    }));
  }

  function loop() {
    frame = 0;
    if (!playing || !visible || step >= surface.steps) return;
    advance(surface.perFrame);
    draw();
    if (step % 8 === 0 || step >= surface.steps) drawLegend();
    if (step >= surface.steps) { playing = false; setPlayLabel(); return; }
    frame = requestAnimationFrame(loop);
  }
  const kick = () => { if (!frame) frame = requestAnimationFrame(loop); };

  playButton.addEventListener('click', () => {
    if (step >= surface.steps) { reset(); playing = true; }
    else playing = !playing;
    playButton.textContent = t(playing ? 'race.pause' : 'race.play');
    kick();
  });
  document.getElementById('race-reset').addEventListener('click', () => { reset(); playing = !reduceMotion; setPlayLabel(); kick(); });
  const setPlayLabel = () => { playButton.textContent = t(playing ? 'race.pause' : 'race.play'); };
  app.on('lang', () => { setPlayLabel(); draw(); });
  store.on(['surface', 'race_lr'], () => { reset(); playing = !reduceMotion; setPlayLabel(); kick(); });
  new IntersectionObserver((entries) => {
    visible = entries.some((e) => e.isIntersecting);
    if (visible) kick();
  }).observe(canvas);
  setPlayLabel();
  reset();
  // Runs the race to its end at once (for screenshots and the console).
  app.race = { finish() { advance(surface.steps); playing = false; setPlayLabel(); draw(); drawLegend(); } };
}
