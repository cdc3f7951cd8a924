// anchor.js: a link to #section lands on that section's heading and stays there while the
// page above it is still filling in (translations, the dataset's images, charts and code
// panels change heights after the browser's own jump to the fragment). The target is kept
// at the top until the reader scrolls, types or clicks. The scroll padding in style.css
// (the sticky nav's height, which app.js keeps in --nav-height) puts it below the nav.

export function keepAnchorInView(root = document) {
  let target = null;
  const targetOf = () => {
    const id = decodeURIComponent(location.hash.slice(1));
    return id ? root.getElementById(id) : null;
  };
  const settle = () => { if (target && !target.hidden) target.scrollIntoView({ block: 'start' }); };
  const pin = () => { target = targetOf(); settle(); };
  const release = () => { target = null; };
  for (const type of ['wheel', 'touchstart', 'keydown', 'pointerdown'])
    addEventListener(type, release, { capture: true, passive: true });
  addEventListener('hashchange', pin);
  new ResizeObserver(settle).observe(root.body);
  pin();
}
