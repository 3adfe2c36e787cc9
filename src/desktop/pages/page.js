// Shared by every tray page: the words in both languages, times in the
// school's zone, and the bridge (window.lesmodus, from the preload or a test's
// fake). Text is only ever set with textContent: nothing from the agent is HTML.
'use strict';

const WORDS = {
  nl: {
    title: 'Lesmodus', status: 'Status', why: 'Waarom is dit geblokkeerd?', ask: 'Vraag een uitzondering',
    unlock: 'Docent: ontgrendel met code', unreachable: 'De Lesmodus-agent is niet bereikbaar. Blokkades van de les kunnen toch gelden; probeer het zo opnieuw of vraag de ICT-afdeling.',
    dryRun: 'Niet gehandhaafd (proefmodus): Lesmodus laat zien wat het zou doen, maar blokkeert niets.',
    exception: 'Uitzondering', by: 'door', until: 'tot', reason: 'Reden', article: 'Artikel', quoted: 'Uit de gedragscode',
    howToAsk: 'Een uitzondering vraag je aan je docent. Die kan in het docentenportaal iets toestaan voor een onderwijsdoel, of hier op de laptop met een code uit het portaal.',
    consent: 'Voor social media in de les is ook jaarlijkse toestemming nodig (art. III.B.9).',
    code: 'Code uit het docentenportaal (6 cijfers)', allow: 'Wat mag', purpose: 'Onderwijsdoel (verplicht, art. III.A.3)', send: 'Ontgrendelen',
    social: 'Social media', camera: 'Camera-apps', screenRecording: 'Schermopname-apps', audioRecording: 'Geluidsopname-apps',
    captureCamera: 'Camera in de browser', captureMicrophone: 'Microfoon in de browser', captureScreen: 'Scherm delen in de browser',
    sending: 'Bezig…', nothingBlocked: 'Er is nu niets geblokkeerd.', notice: 'Melding', waiting: 'Wachten op de agent…',
  },
  en: {
    title: 'Lesmodus', status: 'Status', why: 'Why is this blocked?', ask: 'Ask for an exception',
    unlock: 'Teacher: unlock with a code', unreachable: 'The Lesmodus agent cannot be reached. Lesson blocks may still apply; try again shortly or ask IT.',
    dryRun: 'Not enforced (dry run): Lesmodus shows what it would do but blocks nothing.',
    exception: 'Exception', by: 'by', until: 'until', reason: 'Reason', article: 'Article', quoted: 'From the code of conduct',
    howToAsk: 'Ask your teacher for an exception. They can allow something for an educational purpose in the teacher portal, or here on the laptop with a code from the portal.',
    consent: 'Social media in a lesson also needs a yearly consent (art. III.B.9).',
    code: 'Code from the teacher portal (6 digits)', allow: 'What to allow', purpose: 'Educational purpose (required, art. III.A.3)', send: 'Unlock',
    social: 'Social media', camera: 'Camera apps', screenRecording: 'Screen recording apps', audioRecording: 'Audio recording apps',
    captureCamera: 'Camera in the browser', captureMicrophone: 'Microphone in the browser', captureScreen: 'Screen sharing in the browser',
    sending: 'Sending…', nothingBlocked: 'Nothing is blocked now.', notice: 'Notice', waiting: 'Waiting for the agent…',
  },
};

const Page = {
  view: null,
  words() {
    return WORDS[this.view ? this.view.locale : 'nl'];
  },
  time(iso) {
    const zone = this.view ? this.view.timeZone : 'Europe/Amsterdam';
    return new Intl.DateTimeFormat('nl-NL', { timeZone: zone, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  },
  el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className !== undefined) node.className = className;
    return node;
  },
  /** Fills every element with data-t from the words of the view's language. */
  translate() {
    const words = this.words();
    document.documentElement.lang = this.view ? this.view.locale : 'nl';
    for (const node of document.querySelectorAll('[data-t]')) node.textContent = words[node.dataset.t];
  },
  /** Calls render(view) now and on every change the main process sends. */
  start(render) {
    this.translate();
    window.lesmodus.onView((view) => {
      this.view = view;
      this.translate();
      render(view);
      document.body.dataset.ready = 'true';
    });
  },
};
window.Page = Page;
