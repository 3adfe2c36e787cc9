// The teacher's unlock window: a code from the teacher portal, what to allow
// and why. It goes through the bridge to the agent and on to the school
// server, which checks the code; no password is ever typed here.
'use strict';

Page.start(() => undefined);

document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const reply = document.getElementById('reply');
  const send = document.getElementById('send');
  const allow = { categories: [], services: [], capture: [] };
  for (const box of document.querySelectorAll('input[type=checkbox]:checked')) allow[box.dataset.kind].push(box.value);
  const request = { code: document.getElementById('code').value.trim(), allow, reason: document.getElementById('reason').value.trim() };
  const locale = Page.view ? Page.view.locale : 'nl';
  send.disabled = true;
  reply.className = '';
  reply.textContent = Page.words().sending;
  try {
    const answer = await window.lesmodus.unlock(request);
    reply.className = answer.ok ? 'done' : 'failed';
    reply.textContent = answer.message[locale];
    if (answer.ok) document.getElementById('code').value = '';
  } finally {
    send.disabled = false;
  }
});
