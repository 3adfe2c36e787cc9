// A notice from the agent (something was blocked), for systems that show no
// notifications, or when the student clicks one.
'use strict';

Page.start((view) => {
  const text = document.getElementById('text');
  const at = document.getElementById('at');
  text.textContent = view.notice === null ? Page.words().nothingBlocked : view.notice[view.locale];
  at.textContent = view.notice === null ? '' : Page.time(view.notice.at);
});
