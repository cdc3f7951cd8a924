// embed.js: <kindling-trainer>, a custom element for course pages that prefer a script
// tag to an iframe they write themselves. It is that iframe: the element renders the
// page's embed view (index.html?embed=<section>&hide=...) in a frame that grows to its
// content's height (the page posts its height to its parent). An iframe keeps the page's
// styles, its Web Worker and its wasm away from the host page, and works across origins.
//
//   <script type="module" src="https://example.org/kindling/embed.js"></script>
//   <kindling-trainer section="train" hide="code,notes" lang="ko" model="mlp" epochs="2"></kindling-trainer>
//
// Attributes: section (data | model | loss | optimizer | scheduler | train | infer; none:
// the whole page), hide (comma-separated parts), src (where index.html lives; default:
// beside this file), and any setting of the page's URL (lr, opt, sched, seed, ...).
import { SCHEMA, SECTIONS } from './lib/state.js';

const PAGE = new URL('./index.html', import.meta.url);

export class KindlingTrainer extends HTMLElement {
  static get observedAttributes() { return ['section', 'hide', 'src', ...Object.keys(SCHEMA)]; }

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
    const section = this.getAttribute('section');
    if (section && SECTIONS.includes(section)) params.set('embed', section);
    if (this.getAttribute('hide')) params.set('hide', this.getAttribute('hide'));
    for (const key of Object.keys(SCHEMA)) if (this.hasAttribute(key)) params.set(key, this.getAttribute(key));
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
