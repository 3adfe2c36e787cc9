// The status page: what Lesmodus does now, and any exception in force.
'use strict';

/** The one line at the top of the status and "waarom" pages. */
function showState(view) {
  const state = document.getElementById('state');
  const words = Page.words();
  const status = view.status;
  state.className = 'state';
  if (status === null) {
    state.classList.add('unreachable');
    state.textContent = words.unreachable;
  } else if (status.dryRun) {
    state.classList.add('dry-run');
    state.textContent = `${words.dryRun} ${status.decision.message[view.locale]}`;
  } else {
    const d = status.decision;
    if (d.blocked.categories.length + d.blocked.capture.length === 0 && d.allowed.length === 0) state.classList.add('free');
    state.textContent = d.message[view.locale];
  }
}
const CATEGORY_WORDS = { social: 'social', camera: 'camera', 'screen-recording': 'screenRecording', 'audio-recording': 'audioRecording' };
const CAPTURE_WORDS = { camera: 'captureCamera', microphone: 'captureMicrophone', screen: 'captureScreen' };

Page.start((view) => {
  showState(view);
  const words = Page.words();
  const hint = document.getElementById('hint');
  const exceptions = document.getElementById('exceptions');
  const d = view.status === null ? null : view.status.decision;
  hint.textContent = d !== null && d.hint !== null ? d.hint[view.locale] : '';
  exceptions.replaceChildren();
  for (const grant of d === null ? [] : d.allowed) {
    const who = grant.by.name || grant.by.username;
    const what = [...grant.categories.map((c) => words[CATEGORY_WORDS[c]] || c), ...grant.services, ...grant.capture.map((k) => words[CAPTURE_WORDS[k]] || k)].join(', ');
    exceptions.append(
      Page.el('h2', `${words.exception} (art. ${grant.articles.join(', ')})`),
      Page.el('p', `${what} — ${words.by} ${who}, ${words.until} ${Page.time(grant.until)}`),
      Page.el('p', `${words.reason}: ${grant.reason}`, 'small'),
    );
  }
});
