// sections/model.js: the model editor — presets, add / remove / reorder layers, edit their
// arguments, with each layer's output shape and parameter count checked live by running a
// dummy image through kindling (model-spec.js inspectLayers), and inline errors with a
// one-click fix where the fix is clear. Publishes app.model for the other sections.
import { renderCodePair } from '../lib/code-panel.js';
import { sectionCode } from '../lib/codegen.js';
import { fmt, t } from '../lib/i18n.js';
import { LAYER_TYPES, PRESETS, fmtShape, inspectLayers, layersOf, newLayer, parseArg, serializeLayers } from '../lib/model-spec.js';

export function init(app) {
  const { store, torch } = app;
  const list = document.getElementById('layers');
  const addType = document.getElementById('add-type');
  const summary = document.getElementById('model-summary');
  const errorEl = document.getElementById('model-error');
  const warningEl = document.getElementById('model-warning');
  const codeEl = document.querySelector('[data-code="model"]');

  let layers = layersOf(store.all());
  const invalid = new Set(); // "index:arg" of inputs that hold no valid number
  let inspection = null;

  for (const type of Object.keys(LAYER_TYPES)) addType.append(new Option(type, type));
  addType.value = 'Conv2d';

  function commit() {
    const text = serializeLayers(layers);
    const preset = Object.keys(PRESETS).find((name) => serializeLayers(PRESETS[name]()) === text);
    store.set(preset ? { model: preset, layers: '' } : { model: 'custom', layers: text });
  }

  function renderList() {
    list.replaceChildren();
    const input = document.createElement('li');
    input.className = 'layer input';
    input.innerHTML = `<div class="def"><span class="type"></span></div><div class="meta"><span class="shape">[N, 1, 28, 28]</span></div>`;
    input.querySelector('.type').textContent = t('model.input');
    list.append(input);
    layers.forEach((layer, index) => list.append(layerItem(layer, index)));
    update();
  }

  function layerItem(layer, index) {
    const li = document.createElement('li');
    li.className = 'layer';
    li.dataset.index = index;
    const def = document.createElement('div');
    def.className = 'def';
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = layer.type;
    def.append(type);
    for (const [name, kind, dflt] of LAYER_TYPES[layer.type]) {
      const label = document.createElement('label');
      const span = document.createElement('span');
      span.textContent = name;
      const field = document.createElement('input');
      field.type = 'text';
      field.inputMode = kind === 'int' ? 'numeric' : 'decimal';
      field.value = layer.args[name] === null ? '' : String(layer.args[name]);
      if (dflt === null) field.placeholder = 'None';
      field.dataset.arg = name;
      field.setAttribute('aria-label', `${layer.type} ${index + 1}: ${name}`);
      field.addEventListener('input', () => {
        const v = parseArg(kind, field.value, dflt);
        const key = `${index}:${name}`;
        if (v === undefined || (v !== null && v < LAYER_TYPES[layer.type].find(([n]) => n === name)[3])) {
          invalid.add(key);
          field.setAttribute('aria-invalid', 'true');
        } else {
          invalid.delete(key);
          field.removeAttribute('aria-invalid');
          layer.args[name] = v;
        }
        scheduleUpdate(true);
      });
      label.append(span, field);
      def.append(label);
    }
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.innerHTML = '<span class="shape"></span><span class="params"></span><span class="acts"></span>';
    const acts = meta.querySelector('.acts');
    const button = (text, labelKey, fn, disabled) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('aria-label', `${t(labelKey)}: ${layer.type} ${index + 1}`);
      b.title = t(labelKey);
      b.disabled = disabled;
      b.addEventListener('click', () => { fn(); focusAfter(labelKey, index); });
      acts.append(b);
    };
    button('↑', 'model.up', () => move(index, -1), index === 0);
    button('↓', 'model.down', () => move(index, 1), index === layers.length - 1);
    button('✕', 'model.remove', () => remove(index), false);
    const msg = document.createElement('div');
    msg.className = 'msg';
    msg.hidden = true;
    msg.setAttribute('role', 'alert');
    li.append(def, meta, msg);
    return li;
  }

  // After a move, keep the keyboard on the moved layer's same button.
  function focusAfter(labelKey, index) {
    const target = labelKey === 'model.up' ? index - 1 : labelKey === 'model.down' ? index + 1 : Math.min(index, layers.length - 1);
    const li = list.querySelector(`li[data-index="${target}"]`);
    const buttons = li?.querySelectorAll('.acts button');
    if (!buttons) return document.getElementById('add-layer').focus();
    const b = labelKey === 'model.up' ? buttons[0] : labelKey === 'model.down' ? buttons[1] : buttons[2];
    (b && !b.disabled ? b : li.querySelector('input, button:not(:disabled)'))?.focus();
  }

  function move(index, delta) {
    const j = index + delta;
    if (j < 0 || j >= layers.length) return;
    [layers[index], layers[j]] = [layers[j], layers[index]];
    remapInvalid((i) => (i === index ? j : i === j ? index : i));
    renderList();
    commit();
  }
  function remove(index) {
    layers.splice(index, 1);
    remapInvalid((i) => (i === index ? -1 : i > index ? i - 1 : i));
    renderList();
    commit();
  }
  function remapInvalid(map) {
    const old = [...invalid];
    invalid.clear();
    for (const key of old) {
      const [i, arg] = key.split(':');
      const n = map(Number(i));
      if (n >= 0) invalid.add(`${n}:${arg}`);
    }
  }

  document.getElementById('add-layer').addEventListener('click', () => {
    const last = inspection?.rows.filter((r) => r.shape).pop()?.shape ?? [1, 1, 28, 28];
    layers.push(newLayer(addType.value, last));
    renderList();
    commit();
    list.lastElementChild.querySelector('input, button')?.focus();
  });

  let timer = 0;
  function scheduleUpdate(fromEdit) {
    clearTimeout(timer);
    timer = setTimeout(() => { update(); if (fromEdit && !invalid.size) commit(); }, 120);
  }

  function update() {
    inspection = inspectLayers(torch, layers);
    const items = list.querySelectorAll('li.layer:not(.input)');
    inspection.rows.forEach((row, i) => {
      const li = items[i];
      if (!li) return;
      li.querySelector('.shape').textContent = row.shape ? fmtShape(row.shape) : '—';
      li.querySelector('.params').textContent = row.params === null ? '' : fmt(row.params);
      const msg = li.querySelector('.msg');
      li.classList.toggle('bad', Boolean(row.error));
      msg.hidden = !row.error;
      msg.replaceChildren();
      if (row.error) {
        const hint = row.hint;
        msg.append(hint?.key ? t(hint.key, hint.vars) : row.error);
        if (hint?.key) msg.title = row.error;
        if (hint?.arg) {
          const fix = document.createElement('button');
          fix.type = 'button';
          fix.textContent = t('model.fix', { arg: hint.arg, value: hint.value });
          fix.addEventListener('click', () => {
            layers[i].args[hint.arg] = hint.value;
            invalid.delete(`${i}:${hint.arg}`);
            const field = li.querySelector(`input[data-arg="${hint.arg}"]`);
            field.value = String(hint.value);
            field.removeAttribute('aria-invalid');
            update();
            commit();
            field.focus();
          });
          msg.append(' ', fix);
        }
      }
    });
    const ok = inspection.ok && !invalid.size;
    errorEl.hidden = !inspection.modelError && !invalid.size;
    errorEl.textContent = inspection.modelError ? t(inspection.modelError.key, inspection.modelError.vars) : invalid.size ? t('model.err.invalid') : '';
    warningEl.hidden = !inspection.warning;
    warningEl.textContent = inspection.warning ? t(inspection.warning.key) : '';
    summary.textContent = t('model.total', { params: fmt(inspection.total), shape: inspection.output ? fmtShape(inspection.output) : '—' });
    app.model = { layers: layers.map((l) => ({ type: l.type, args: { ...l.args } })), text: serializeLayers(layers), inspection, ok };
    renderCode();
    app.emit('model', app.model);
  }

  function renderCode() {
    renderCodePair(codeEl, sectionCode('model', store.all(), { t, layers, rows: inspection?.rows }));
  }

  store.on(['model', 'layers'], (s) => {
    const text = s.model === 'custom' ? s.layers : '';
    if (s.model !== 'custom') {
      if (serializeLayers(layers) === serializeLayers(PRESETS[s.model]())) return;
      layers = PRESETS[s.model]();
    } else if (text && text !== serializeLayers(layers)) {
      layers = layersOf(s);
    } else if (!text) {
      store.set({ layers: serializeLayers(layers) }); // "custom" picked by hand: keep the current layers
      return;
    } else return;
    invalid.clear();
    renderList();
  });
  app.on('lang', () => renderList());
  renderList();
}
