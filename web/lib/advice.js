// advice.js: watches a training run's numbers and speaks up once when it goes wrong — the
// loss far above where it started (diverging, exploding), or test accuracy no better than
// guessing after an epoch — with concrete advice for the optimizer in use and the settings
// that fix it. Also the warnings shown before training, for settings that usually fail.
// Pure logic: messages are [i18n key, vars] parts; the sections show them.
import { num } from './codegen.js';
import { optimizerDefaults } from './state.js';

const CHANCE = 0.1; // ten classes
const OPT_NAMES = { sgd: 'SGD', adam: 'Adam', adamw: 'AdamW', rmsprop: 'RMSprop', adagrad: 'Adagrad' };

/** The fix for a run that diverged or learned nothing: [parts, patch]. */
export function fixFor(s) {
  const opt = OPT_NAMES[s.opt];
  const usual = optimizerDefaults(s.opt);
  if (s.opt === 'rmsprop' && s.momentum > 0)
    return [[['advice.fix.rmsprop', { lr: num(s.lr), momentum: num(s.momentum), suggest: num(usual.lr) }]], { lr: usual.lr, momentum: 0 }];
  if (s.lr > usual.lr)
    return [[['advice.fix.usual', { lr: num(s.lr), opt, suggest: num(usual.lr) }]], { lr: usual.lr }];
  return [[['advice.fix.lower', { lr: num(s.lr), suggest: num(s.lr / 10) }]], { lr: +(s.lr / 10).toPrecision(6) }];
}

/** Warnings before training: an lr far above the optimizer's usual one, RMSprop with momentum and a large lr. */
export function settingsWarnings(s) {
  const usual = optimizerDefaults(s.opt);
  const out = [];
  if (s.opt === 'rmsprop' && s.momentum > 0 && s.lr > 2 * usual.lr)
    out.push(['opt.rmspropRisk', { lr: num(s.lr), momentum: num(s.momentum), suggest: num(usual.lr) }]);
  else if (s.lr >= 10 * usual.lr)
    out.push(['opt.lrHigh', { lr: num(s.lr), opt: OPT_NAMES[s.opt], usual: num(usual.lr) }]);
  return out;
}

/** A watcher: reset(settings) at a run's start, then batch(msg) and epoch(msg); calls onAdvice once. */
export function divergenceAdvice() {
  // The loss "at the start" is the first batch's: the untrained model's (ln 10 ≈ 2.3 for a
  // mean cross-entropy), before a too-large step can have raised it.
  let s = null, start = null, spoken = false;
  const speak = (parts) => {
    spoken = true;
    const [fix, patch] = fixFor(s);
    watcher.onAdvice?.({ parts: [...parts, ...fix], patch });
  };
  const watcher = {
    onAdvice: null,
    reset(settings, history = null) {
      s = settings;
      spoken = false;
      start = history?.loss.length ? history.loss[0] : null;
    },
    batch({ loss, epoch, batch }) {
      if (spoken || !s || !Number.isFinite(loss)) return;
      if (start === null) { start = loss; return; }
      // Far above the start: ten times it, and clearly more than noise for a small start.
      if (loss > Math.max(10 * start, start + 5))
        speak([['advice.exploding', { loss: num(+loss.toPrecision(3)), start: num(+start.toPrecision(3)), epoch, batch }]]);
    },
    epoch({ epoch, accuracy }) {
      if (spoken || !s || !(accuracy <= 1.5 * CHANCE)) return;
      speak([['advice.chance', { epoch, acc: num(+(accuracy * 100).toFixed(1)) }]]);
    },
  };
  return watcher;
}
