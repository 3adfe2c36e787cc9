// "Waarom is dit geblokkeerd?": the decision explained, each rule's article
// quoted from the code of conduct, and until when it holds.
'use strict';

Page.start((view) => {
  const words = Page.words();
  const state = document.getElementById('state');
  const reasons = document.getElementById('reasons');
  state.className = 'state';
  reasons.replaceChildren();
  document.getElementById('source').textContent = view.articles.source[view.locale];
  if (view.status === null) {
    state.classList.add('unreachable');
    state.textContent = words.unreachable;
    return;
  }
  const d = view.status.decision;
  state.textContent = view.status.dryRun ? `${words.dryRun} ${d.message[view.locale]}` : d.message[view.locale];
  if (d.reasons.length === 0) state.classList.add('free');
  const seen = new Set();
  for (const reason of d.reasons) {
    if (seen.has(reason.article)) continue;
    seen.add(reason.article);
    reasons.append(Page.el('h2', `${words.article} ${reason.article} — ${words.until} ${Page.time(reason.until)}`));
    const quote = view.articles.articles[reason.article];
    if (quote !== undefined) {
      const block = Page.el('blockquote');
      block.append(Page.el('p', quote[view.locale]), Page.el('p', `${words.quoted}, art. ${reason.article}`, 'small'));
      reasons.append(block);
    }
  }
  document.getElementById('consent').hidden = !d.blocked.categories.includes('social');
});
