/** The fake bridge (page-side JS): views are pushed by the test; unlock requests are recorded and answered with what the test set. */
export const FAKE_BRIDGE = `
  const listeners = [];
  window.__unlocks = [];
  window.__violations = [];
  window.__unlockReply = { ok: true, message: { nl: 'Toegestaan tot 09:50: social (door jansen).', en: 'Allowed until 09:50: social (by jansen).' } };
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.effectiveDirective));
  window.__push = (view) => { window.__view = view; for (const l of listeners) l(view); };
  window.lesmodus = {
    onView(listener) {
      listeners.push(listener);
      if (window.__view !== undefined) listener(window.__view);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
    unlock(request) {
      window.__unlocks.push(request);
      return Promise.resolve(window.__unlockReply);
    },
  };
`;
