// bind.js: two-way binding between the page's form controls ([data-setting]) and the
// settings store, plus the visibility rules ([data-show="key:v1,v2"]). A typed value that
// is not allowed is never used: the control is marked (aria-invalid, its style and a hint
// with the allowed range) and keeps showing what was typed, while the setting goes back
// to the value it had before the edit began — so neither a valid prefix ("1" of "1e9") nor
// a near miss ("-5" read as 5) slips through. Not here: what a setting does.
import { t } from './i18n.js';
import { SCHEMA, formatValue } from './state.js';

function parseInput(spec, el) {
  if (spec.type === 'bool') return el.checked;
  const text = el.value.trim();
  if (spec.type === 'enum') return spec.values.includes(text) ? text : undefined;
  if (spec.type === 'str') return spec.pattern.test(text.replace(/\s+/g, '')) ? text.replace(/\s+/g, '') : undefined;
  if (text === '') return undefined;
  const v = Number(text);
  if (!Number.isFinite(v)) return undefined;
  if (spec.type === 'int' && !Number.isInteger(v)) return undefined;
  if (v < spec.min || v > spec.max) return undefined;
  return v;
}

/** The allowed values, as the hint beside an invalid control says them (its key, and the range). */
function hintOf(key, spec) {
  if (key === 'milestones') return ['input.milestones', ''];
  if (spec.type === 'int') return ['input.allowedInt', `${spec.min} … ${spec.max}`];
  const short = (v) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : formatValue(spec, v));
  if (spec.type === 'float') return ['input.allowed', `${short(spec.min)} … ${short(spec.max)}`];
  return ['input.allowedText', ''];
}

function showValue(el, spec, value) {
  if (spec.type === 'bool') { el.checked = Boolean(value); return; }
  const text = formatValue(spec, value);
  if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === text)) {
    const option = document.createElement('option'); // a URL value the menu lacks
    option.value = option.textContent = text;
    el.append(option);
  }
  if (document.activeElement !== el || el.tagName === 'SELECT') el.value = text;
}

function markInvalid(el, invalid) {
  if (invalid) el.setAttribute('aria-invalid', 'true');
  else el.removeAttribute('aria-invalid');
  const hint = el.invalidHint;
  if (hint) hint.hidden = !invalid;
}

export function bindControls(root, store) {
  const controls = [...root.querySelectorAll('[data-setting]')];
  const outputs = [...root.querySelectorAll('output[data-for]')];
  let editing = null; // the control whose own edit is setting the store (its text stays)
  for (const el of controls) {
    const key = el.dataset.setting;
    const spec = SCHEMA[key];
    if (!spec) throw new Error(`bind: unknown setting ${key}`);
    if (el.tagName === 'INPUT' && (el.type === 'number' || el.type === 'text')) {
      const [hintKey, range] = hintOf(key, spec);
      const hint = document.createElement('span');
      hint.className = 'invalid-hint';
      hint.id = `hint-${key}`;
      hint.hidden = true;
      hint.innerHTML = '<span></span> <span class="range"></span>';
      hint.firstChild.dataset.i18n = hintKey;
      hint.firstChild.textContent = t(hintKey);
      hint.lastChild.textContent = range;
      el.after(hint);
      el.setAttribute('aria-describedby', hint.id);
      el.invalidHint = hint;
    }
    showValue(el, spec, store.get(key));
    let before = store.get(key); // the setting when this edit began
    el.addEventListener('focus', () => { if (el.getAttribute('aria-invalid') !== 'true') before = store.get(key); });
    const commit = () => {
      const value = parseInput(spec, el);
      editing = el;
      try {
        markInvalid(el, value === undefined);
        store.set({ [key]: value === undefined ? before : value });
      } finally {
        editing = null;
      }
    };
    el.addEventListener('input', commit);
    el.addEventListener('change', commit);
  }
  const refresh = (state, changed = null) => {
    for (const el of controls) {
      if (el === editing) continue;
      const key = el.dataset.setting;
      // A control still showing an invalid entry keeps it, unless its setting was set from elsewhere.
      if (el.getAttribute('aria-invalid') === 'true' && !(changed ?? []).includes(key)) continue;
      if (changed === null || changed.includes(key)) markInvalid(el, false);
      showValue(el, SCHEMA[key], store.get(key));
    }
    for (const out of outputs) out.value = formatValue(SCHEMA[out.dataset.for], store.get(out.dataset.for));
    for (const el of root.querySelectorAll('[data-show]')) {
      const [key, list] = el.dataset.show.split(':');
      el.hidden = !list.split(',').includes(String(store.get(key)));
    }
  };
  store.on(null, refresh);
  refresh(null, null);
}

/** The first control showing an invalid entry, as {key, hint}; null when every entry is valid. */
export function invalidControl(root = document) {
  const el = root.querySelector('[data-setting][aria-invalid="true"]');
  if (!el) return null;
  return { key: el.dataset.setting, hint: el.invalidHint?.textContent.trim() ?? '' };
}

/** Hides parts listed in ?hide= (code, notes, text, nav, header, lang, share, or a control's key). */
export function applyHide(root, hide) {
  for (const token of hide) {
    for (const el of root.querySelectorAll(`[data-part="${CSS.escape(token)}"], [data-ctl="${CSS.escape(token)}"], [data-note="${CSS.escape(token)}"]`))
      el.classList.add('hidden-by-url'), (el.style.display = 'none');
  }
}
