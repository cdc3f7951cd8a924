// embed-view.js: the page as a course page embeds it (?embed=scheduler, ?embed=train,infer):
// only those sections, without the page's header, navigation and footer, but with a small
// bar under them (open the full page with the same settings, switch language, copy the
// link), and the page's height posted to the parent window whenever it changes, which
// embed.js and the README's iframe snippet use to size the frame. Not here: which sections
// load data or start the worker (app.needsData, the sections).

export function showEmbedView(view, fullPageUrl) {
  document.body.classList.add('embed');
  for (const section of document.querySelectorAll('main > section')) section.hidden = !view.embed.includes(section.id);
  const bar = document.getElementById('embed-bar');
  bar.hidden = false;
  const open = document.getElementById('embed-open');
  const update = () => { open.href = fullPageUrl(`#${view.embed[0]}`); };
  update();
  if (window.parent === window) return update;
  const report = () => window.parent.postMessage({ kindling: 'height', section: view.embed.join(','),
    height: Math.ceil(document.documentElement.getBoundingClientRect().height) }, '*');
  new ResizeObserver(report).observe(document.body);
  report();
  return update;
}
