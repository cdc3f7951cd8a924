// code-panel.js: the PyTorch / kindling code pair of a section — a tiny highlighter
// (comments, strings, keywords, numbers; enough for generated code) and the copy button.
// Not here: the code text itself (codegen.js).
import { t } from './i18n.js';

const KEYWORDS = {
  py: new Set(['import', 'from', 'as', 'for', 'in', 'with', 'def', 'class', 'return', 'if', 'else', 'None', 'True', 'False', 'print', 'range', 'len']),
  js: new Set(['import', 'from', 'as', 'for', 'of', 'const', 'let', 'new', 'return', 'if', 'else', 'null', 'true', 'false', 'await', 'async', 'function']),
};

const escapeHtml = (s) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

export function highlight(code, lang) {
  const comment = lang === 'py' ? '#[^\\n]*' : '//[^\\n]*';
  const re = new RegExp(`(${comment})|('(?:[^'\\\\\\n]|\\\\.)*'|"(?:[^"\\\\\\n]|\\\\.)*"|\`[^\`]*\`)|\\b(\\d+(?:\\.\\d+)?(?:e-?\\d+)?)\\b|([A-Za-z_][A-Za-z0-9_]*)`, 'g');
  let out = '';
  let last = 0;
  for (const m of code.matchAll(re)) {
    out += escapeHtml(code.slice(last, m.index));
    const [text, c, s, n, word] = m;
    if (c) out += `<span class="tok-c">${escapeHtml(text)}</span>`;
    else if (s) out += `<span class="tok-s">${escapeHtml(text)}</span>`;
    else if (n) out += `<span class="tok-n">${text}</span>`;
    else if (KEYWORDS[lang].has(word)) out += `<span class="tok-k">${text}</span>`;
    else if (code[m.index + text.length] === '(') out += `<span class="tok-f">${text}</span>`;
    else out += escapeHtml(text);
    last = m.index + text.length;
  }
  return out + escapeHtml(code.slice(last));
}

function panel(lang) {
  const figure = document.createElement('figure');
  figure.innerHTML = `<figcaption><span></span><button type="button"></button></figcaption><pre tabindex="0"><code></code></pre>`;
  figure.dataset.lang = lang;
  const button = figure.querySelector('button');
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(figure.querySelector('code').textContent);
      button.textContent = t('code.copied');
    } catch {
      const range = document.createRange(); // no clipboard permission: select it for the user
      range.selectNodeContents(figure.querySelector('code'));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
    setTimeout(() => { button.textContent = t('code.copy'); }, 1500);
  });
  return figure;
}

/** Fills a .code-pair element with the two code texts. */
export function renderCodePair(el, { py, js }) {
  if (!el.children.length) el.append(panel('py'), panel('js'));
  for (const figure of el.children) {
    const lang = figure.dataset.lang;
    figure.querySelector('figcaption span').textContent = t(lang === 'py' ? 'code.py' : 'code.js');
    figure.querySelector('figcaption button').textContent = t('code.copy');
    figure.querySelector('pre').setAttribute('aria-label', t(lang === 'py' ? 'code.py' : 'code.js'));
    const code = lang === 'py' ? py : js;
    const target = figure.querySelector('code');
    if (target.textContent !== code) target.innerHTML = highlight(code, lang);
  }
}
