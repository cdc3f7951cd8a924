// embed.js: <kindling-trainer>, a custom element for course pages that prefer a script
// tag to an iframe they write themselves. It is that iframe: the element renders the
// page's embed view (index.html?embed=<sections>&hide=...) in a frame that grows to its
// content's height (the page posts its height to its parent). An iframe keeps the page's
// styles, its Web Worker and its wasm away from the host page, and works across origins.
//
//   <script type="module" src="https://example.org/kindling/embed.js"></script>
//   <kindling-trainer section="train,infer" hide="code,notes" lang="ko" model="mlp" epochs="2"></kindling-trainer>
//
// Attributes: section (one or more of data, model, loss, optimizer, scheduler, train, infer,
// save; none: the whole page), hide (comma-separated parts), src (where index.html lives;
// default: beside this file), and any setting of the page's URL (lr, opt, sched, seed, ...).
//
// One file with no imports: a course page on another origin fetches only this (the server
// must send Access-Control-Allow-Origin for it, as scripts/serve.mjs does). SETTINGS and
// SECTIONS repeat lib/state.js's names; tests/web-embed.test.js checks that they agree.
const SECTIONS = ['data', 'model', 'loss', 'optimizer', 'scheduler', 'train', 'infer', 'save'];
const SETTINGS = ['lang', 'seed', 'dataset', 'subset', 'batch', 'norm', 'model', 'layers', 'ce_weight', 'ignore_index',
  'reduction', 'label_smoothing', 'softmax_dim', 'beta', 'opt', 'lr', 'momentum', 'weight_decay', 'nesterov', 'beta1',
  'beta2', 'alpha', 'surface', 'race_lr', 'sched', 'step_size', 'gamma', 'milestones', 'exp_gamma', 'mode', 'factor',
  'patience', 'threshold', 'cooldown', 'min_lr', 'monitor', 'T_max', 'eta_min', 'T_0', 'T_mult', 'start_factor',
  'end_factor', 'total_iters', 'max_lr', 'pct_start', 'curve_epochs', 'epochs'];

const PAGE = new URL('./index.html', import.meta.url);

export class KindlingTrainer extends HTMLElement {
  // HTML lowercases attribute names (T_max is t_max); getAttribute() does the same.
  static get observedAttributes() { return ['section', 'hide', 'src', ...SETTINGS.map((key) => key.toLowerCase())]; }

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<style>:host{display:block}iframe{display:block;width:100%;height:480px;border:0;' +
      'border-radius:8px;background:#fff;color-scheme:light}</style><iframe loading="lazy" allow="clipboard-write"></iframe>';
    this.frame = root.querySelector('iframe');
    this.onMessage = (event) => {
      const data = event.data;
      if (event.source !== this.frame.contentWindow || !data || data.kindling !== 'height') return;
      if (Number.isFinite(data.height) && data.height > 0) this.frame.style.height = `${Math.ceil(data.height)}px`;
    };
  }

  /** The iframe's URL for the current attributes. */
  get pageUrl() {
    const url = new URL(this.getAttribute('src') || PAGE.href, document.baseURI);
    if (url.pathname.endsWith('/')) url.pathname += 'index.html';
    const params = new URLSearchParams();
    const sections = (this.getAttribute('section') ?? '').split(',').map((s) => s.trim()).filter((s) => SECTIONS.includes(s));
    if (sections.length) params.set('embed', sections.join(','));
    if (this.getAttribute('hide')) params.set('hide', this.getAttribute('hide'));
    for (const key of SETTINGS) if (this.hasAttribute(key)) params.set(key, this.getAttribute(key));
    url.search = params.toString();
    return url.href;
  }

  connectedCallback() {
    window.addEventListener('message', this.onMessage);
    this.update();
  }
  disconnectedCallback() { window.removeEventListener('message', this.onMessage); }
  attributeChangedCallback() { if (this.isConnected) this.update(); }

  update() {
    const href = this.pageUrl;
    const section = this.getAttribute('section');
    this.frame.title = this.getAttribute('title') || `kindling${section ? ` — ${section}` : ''}`;
    if (this.frame.getAttribute('src') !== href) this.frame.setAttribute('src', href);
  }
}

if (!customElements.get('kindling-trainer')) customElements.define('kindling-trainer', KindlingTrainer);
