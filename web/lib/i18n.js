// i18n.js: the page's two languages. Strings live in web/i18n/{ko,en}.js; elements carry
// data-i18n (text), data-i18n-html (our own trusted inline markup), data-i18n-aria
// (aria-label) and data-i18n-title. Not here: which language is chosen (app.js).
import en from '../i18n/en.js';
import ko from '../i18n/ko.js';

export const LANGS = { en, ko };
let current = 'en';

export const lang = () => current;

/** The language to start with: ko for Korean browsers, en otherwise. */
export function defaultLang(navigatorLanguages = []) {
  for (const tag of navigatorLanguages) {
    const base = String(tag).toLowerCase().split('-')[0];
    if (base in LANGS) return base;
  }
  return 'en';
}

export function setLang(code) {
  current = code in LANGS ? code : 'en';
  document.documentElement.lang = current;
  document.title = t('page.title');
  apply(document);
}

/** A string with {name} placeholders filled; a missing key shows itself (and warns once). */
export function t(key, vars) {
  let s = LANGS[current][key] ?? LANGS.en[key];
  if (s === undefined) {
    console.warn(`i18n: missing key ${key}`);
    LANGS.en[key] = key;
    s = key;
  }
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return s;
}

export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-html]')) el.innerHTML = t(el.dataset.i18nHtml);
  for (const el of root.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}

/** Numbers in the current language's style. */
const formats = new Map();
export function fmt(n, digits) {
  const key = `${current}:${digits}`;
  if (!formats.has(key))
    formats.set(key, new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-US',
      digits === undefined ? undefined : { maximumFractionDigits: digits, minimumFractionDigits: digits }));
  return formats.get(key).format(n);
}
