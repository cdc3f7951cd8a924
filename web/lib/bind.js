// bind.js: two-way binding between the page's form controls ([data-setting]) and the
// settings store, plus the visibility rules ([data-show="key:v1,v2"]). A typed value that
// is out of range marks the control invalid (aria-invalid) and keeps the last good value.
// Not here: what a setting does.
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

function showValue(el, spec, value) {
  if (spec.type === 'bool') { el.checked = Boolean(value); return; }
  const text = formatValue(spec, value);
  if (el.tagName === 'SELECT' && ![...el.options].some((o) => o.value === text)) {
    const option = document.createElement('option'); // a URL value the menu lacks
    option.value = option.textContent = text;
    el.append(option);
  }
  if (document.activeElement !== el || el.tagName === 'SELECT') el.value = text;
  el.removeAttribute('aria-invalid');
}

export function bindControls(root, store) {
  const controls = [...root.querySelectorAll('[data-setting]')];
  const outputs = [...root.querySelectorAll('output[data-for]')];
  for (const el of controls) {
    const key = el.dataset.setting;
    const spec = SCHEMA[key];
    if (!spec) throw new Error(`bind: unknown setting ${key}`);
    showValue(el, spec, store.get(key));
    const commit = (final) => {
      const value = parseInput(spec, el);
      if (value === undefined) {
        el.setAttribute('aria-invalid', 'true');
        if (final) showValue(el, spec, store.get(key));
        return;
      }
      el.removeAttribute('aria-invalid');
      store.set({ [key]: value });
    };
    const live = el.tagName === 'SELECT' || el.type === 'checkbox' || el.type === 'range';
    el.addEventListener(live ? 'input' : 'input', () => commit(false));
    el.addEventListener('change', () => commit(true));
  }
  const refresh = () => {
    for (const el of controls) showValue(el, SCHEMA[el.dataset.setting], store.get(el.dataset.setting));
    for (const out of outputs) out.value = formatValue(SCHEMA[out.dataset.for], store.get(out.dataset.for));
    for (const el of root.querySelectorAll('[data-show]')) {
      const [key, list] = el.dataset.show.split(':');
      el.hidden = !list.split(',').includes(String(store.get(key)));
    }
  };
  store.on(null, refresh);
  refresh();
}

/** Hides parts listed in ?hide= (code, notes, text, nav, header, lang, share, or a control's key). */
export function applyHide(root, hide) {
  for (const token of hide) {
    for (const el of root.querySelectorAll(`[data-part="${CSS.escape(token)}"], [data-ctl="${CSS.escape(token)}"], [data-note="${CSS.escape(token)}"]`))
      el.classList.add('hidden-by-url'), (el.style.display = 'none');
  }
}
