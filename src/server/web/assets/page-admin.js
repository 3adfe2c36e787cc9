// @ts-check
// The admin's page ("Beheer"): per school its laptops (revoke and restore),
// enrollment secrets (made once, revoked), accounts, and the school's data
// (timetable feed, roster and MDM imports). Its texts live here, Dutch first,
// so the shared dictionary stays small.

import { request } from './api.js';
import { byId, h } from './dom.js';
import { accountsSection } from './page-admin-accounts.js';
import { schoolDataSection } from './page-admin-data.js';

export const ADMIN_TEXT = {
  nl: {
    title: 'Beheer', school: 'School', accounts: 'Accounts', laptops: 'Laptops', secrets: 'Inschrijfgeheimen',
    roster: 'Rooster en leerlingen', feed: 'Roosterkoppeling',
    feedNone: 'Er is geen roosterkoppeling ingesteld. Start de server met --timetable-feed <url> om het rooster elke nacht op te halen.',
    feedSource: 'Haalt {source} op volgens schema "{expression}".', feedNever: 'Nog niet opgehaald.',
    feedOk: 'Laatst opgehaald {time}: {lessons} lessen.', feedError: 'Ophalen mislukt op {time}: {message}. De opgeslagen lessen blijven gelden.',
    feedRefresh: 'Nu ophalen',
    rosterTitle: 'Leerlingen en klassen', rosterHelp: 'De leerlingenexport van Magister of Somtoday (CSV, met ; of ,). Eerst controleren: er wordt pas iets opgeslagen als u op Importeren klikt, en alleen als elke regel klopt.',
    devicesTitle: 'Laptops toewijzen', devicesHelp: 'De apparatenexport van Intune of Jamf (CSV): serienummer, apparaatnaam en gebruiker. Laptops worden zo aan hun leerling gekoppeld.',
    importFile: 'Bestand', importCheck: 'Controleren', importStore: 'Importeren', importNoFile: 'Kies eerst een bestand.',
    importBad: 'Niet geïmporteerd: {count} fouten. Verbeter het bestand en controleer opnieuw.', importBadOne: 'Niet geïmporteerd: 1 fout. Verbeter het bestand en controleer opnieuw.', importLine: 'Regel {line}: {message}',
    importDone: 'Geïmporteerd.', importFailed: 'Dat lukte niet: {message}',
    rosterPreview: 'Klopt: {students} leerlingen in {groups} klassen ({source}). Klik op Importeren om op te slaan.',
    rosterStored: 'Opgeslagen: {students} leerlingen in {groups} klassen ({source}).',
    rosterChanges: 'Nieuw: {added}, gewijzigd: {changed}, ongewijzigd: {same}.', rosterGroupsRemoved: 'Klassen die verdwijnen: {groups}.',
    devicesPreview: 'Klopt: {rules} laptops toe te wijzen, {skipped} overgeslagen. Klik op Importeren om op te slaan.',
    devicesStored: 'Opgeslagen: {rules} laptops toegewezen, {skipped} overgeslagen.', devicesSkipped: 'Overgeslagen regels',
    username: 'Gebruikersnaam', name: 'Naam', role: 'Rol', code: 'Docentcode',
    'role.admin': 'Beheerder', 'role.leader': 'Schoolleiding', 'role.teacher': 'Docent',
    laptop: 'Laptop', serial: 'Serienummer', student: 'Leerling', lastSeen: 'Laatst gezien', enrolled: 'Ingeschreven', state: 'Status',
    never: 'nog nooit', none: '–', active: 'In gebruik', revokedAt: 'Ingetrokken {time} door {by}', revokedOn: 'Ingetrokken {time}',
    revoke: 'Intrekken', restore: 'Herstellen', revokeLabel: 'Intrekken: {name}', restoreLabel: 'Herstellen: {name}',
    confirmRevoke: 'Laptop {name} intrekken? Hij wordt direct geweigerd (kwijt of gestolen).',
    confirmRestore: 'Laptop {name} herstellen? Hij wordt weer vertrouwd.',
    revoked: '{name} is ingetrokken.', restored: '{name} is hersteld.',
    noLaptops: 'Nog geen laptops ingeschreven.', noSecrets: 'Geen inschrijfgeheimen.',
    secretId: 'Id', created: 'Gemaakt', newSecret: 'Nieuw inschrijfgeheim',
    secretOnce: 'Het nieuwe inschrijfgeheim (alleen nu zichtbaar; zet het in de MDM-configuratie):',
    secretRevokeLabel: 'Intrekken: inschrijfgeheim {id}', confirmSecret: 'Inschrijfgeheim {id} intrekken? Er schrijven zich dan geen laptops meer mee in.',
    accountNew: 'Nieuw account', accountPassword: 'Eerste wachtwoord', accountMake: 'Account maken', accountMade: 'Account {username} is gemaakt.',
    accountNeedUsername: 'Vul een gebruikersnaam in (zonder spaties).', accountNeedCode: 'Een docent heeft een docentcode nodig (zoals in het rooster).',
    accountNeedPassword: 'Het wachtwoord moet minstens {min} tekens hebben.',
    valid: 'Geldig', noSchool: 'Er is nog geen school. Maak er een met lesmodus server school.',
  },
  en: {
    title: 'Administration', school: 'School', accounts: 'Accounts', laptops: 'Laptops', secrets: 'Enrollment secrets',
    roster: 'Timetable and students', feed: 'Timetable feed',
    feedNone: 'No timetable feed is configured. Start the server with --timetable-feed <url> to fetch the timetable every night.',
    feedSource: 'Fetches {source} on schedule "{expression}".', feedNever: 'Not fetched yet.',
    feedOk: 'Last fetched {time}: {lessons} lessons.', feedError: 'Fetching failed at {time}: {message}. The stored lessons stay in force.',
    feedRefresh: 'Fetch now',
    rosterTitle: 'Students and classes', rosterHelp: 'The student export of Magister or Somtoday (CSV, with ; or ,). Check first: nothing is stored until you click Import, and only when every line is right.',
    devicesTitle: 'Assign laptops', devicesHelp: 'The device export of Intune or Jamf (CSV): serial number, device name and user. This ties each laptop to its student.',
    importFile: 'File', importCheck: 'Check', importStore: 'Import', importNoFile: 'Choose a file first.',
    importBad: 'Not imported: {count} errors. Correct the file and check again.', importBadOne: 'Not imported: 1 error. Correct the file and check again.', importLine: 'Line {line}: {message}',
    importDone: 'Imported.', importFailed: 'That did not work: {message}',
    rosterPreview: 'Correct: {students} students in {groups} classes ({source}). Click Import to store it.',
    rosterStored: 'Stored: {students} students in {groups} classes ({source}).',
    rosterChanges: 'New: {added}, changed: {changed}, unchanged: {same}.', rosterGroupsRemoved: 'Classes that disappear: {groups}.',
    devicesPreview: 'Correct: {rules} laptops to assign, {skipped} skipped. Click Import to store it.',
    devicesStored: 'Stored: {rules} laptops assigned, {skipped} skipped.', devicesSkipped: 'Skipped lines',
    username: 'Username', name: 'Name', role: 'Role', code: 'Teacher code',
    'role.admin': 'Administrator', 'role.leader': 'School leader', 'role.teacher': 'Teacher',
    laptop: 'Laptop', serial: 'Serial number', student: 'Student', lastSeen: 'Last seen', enrolled: 'Enrolled', state: 'State',
    never: 'never', none: '–', active: 'In use', revokedAt: 'Revoked {time} by {by}', revokedOn: 'Revoked {time}',
    revoke: 'Revoke', restore: 'Restore', revokeLabel: 'Revoke: {name}', restoreLabel: 'Restore: {name}',
    confirmRevoke: 'Revoke laptop {name}? It is refused at once (lost or stolen).',
    confirmRestore: 'Restore laptop {name}? It is trusted again.',
    revoked: '{name} was revoked.', restored: '{name} was restored.',
    noLaptops: 'No laptops enrolled yet.', noSecrets: 'No enrollment secrets.',
    secretId: 'Id', created: 'Made', newSecret: 'New enrollment secret',
    secretOnce: 'The new enrollment secret (shown only now; put it in the MDM configuration):',
    secretRevokeLabel: 'Revoke: enrollment secret {id}', confirmSecret: 'Revoke enrollment secret {id}? No laptop enrolls with it any more.',
    accountNew: 'New account', accountPassword: 'First password', accountMake: 'Make account', accountMade: 'Account {username} was made.',
    accountNeedUsername: 'Enter a username (no spaces).', accountNeedCode: 'A teacher needs a teacher code (as in the timetable).',
    accountNeedPassword: 'The password needs at least {min} characters.',
    valid: 'Valid', noSchool: 'There is no school yet. Make one with lesmodus server school.',
  },
};

export function adminText(lang, key, values = {}) {
  const text = ADMIN_TEXT[lang]?.[key] ?? ADMIN_TEXT.nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** An instant on the school's clock, in the reader's language (24-hour, day first either way). */
function when(ms, lang, timeZone) {
  return new Date(ms).toLocaleString(lang === 'en' ? 'en-GB' : 'nl-NL', { timeZone, dateStyle: 'short', timeStyle: 'short' });
}

function table(headers, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows)));
}

export async function renderAdmin(ctx) {
  const T = (key, values) => adminText(ctx.lang, key, values);
  document.title = `${T('title')} – Lesmodus`;
  const { schools } = await request('GET /api/v1/schools');
  let schoolId = new URLSearchParams(location.search).get('school') ?? schools[0]?.id;
  const body = h('div', {});
  const picker = schools.length > 1
    ? h('label', {}, `${T('school')} `, h('select', { onchange: (e) => { schoolId = e.target.value; load(); } },
      schools.map((s) => h('option', { value: s.id, selected: s.id === schoolId }, s.name))))
    : h('p', {}, schools[0]?.name ?? '');
  ctx.show(h('section', { class: 'card', 'data-page': 'admin' }, h('h1', {}, T('title')), picker, body));

  /** A revoke or restore (laptop or secret), then the lists again. */
  async function act(route, id, message) {
    try {
      await request(route, { params: { id } });
      if (message) ctx.say(message);
    } catch (error) {
      ctx.say(T('importFailed', { message: error.message }), 'bad');
    }
    await load();
  }

  async function load() {
    if (schoolId === undefined) {
      body.replaceChildren(h('p', {}, T('noSchool')));
      return;
    }
    const school = schools.find((s) => s.id === schoolId);
    const zone = school?.timeZone ?? 'Europe/Amsterdam';
    const at = (ms) => when(ms, ctx.lang, zone);
    const query = { school: schoolId };
    const [{ users }, { devices }, { secrets }] = await Promise.all([
      request('GET /api/v1/users', { query }), request('GET /api/v1/devices', { query }), request('GET /api/v1/enrollment-secrets', { query }),
    ]);
    const laptopRows = devices.map((d) => {
      const revoked = d.revokedAt !== null;
      const button = revoked
        ? h('button', { type: 'button', 'aria-label': T('restoreLabel', { name: d.hostname }), onclick: () => {
          if (confirm(T('confirmRestore', { name: d.hostname }))) act('POST /api/v1/devices/:id/restore', d.deviceId, T('restored', { name: d.hostname }));
        } }, T('restore'))
        : h('button', { type: 'button', class: 'danger', 'aria-label': T('revokeLabel', { name: d.hostname }), onclick: () => {
          if (confirm(T('confirmRevoke', { name: d.hostname }))) act('POST /api/v1/devices/:id/revoke', d.deviceId, T('revoked', { name: d.hostname }));
        } }, T('revoke'));
      return h('tr', { 'data-device': d.hostname, class: revoked ? 'revoked' : undefined },
        h('th', { scope: 'row' }, d.hostname), h('td', {}, d.serial ?? T('none')), h('td', {}, d.studentName ?? d.studentId ?? T('none')),
        h('td', {}, d.lastSeenAt === null ? T('never') : at(d.lastSeenAt)), h('td', {}, at(d.enrolledAt)),
        h('td', { class: 'state' }, revoked ? T('revokedAt', { time: at(d.revokedAt), by: d.revokedBy ?? '?' }) : T('active')),
        h('td', {}, button));
    });
    const secretRows = secrets.map((s) => h('tr', {},
      h('th', { scope: 'row' }, s.id.slice(0, 8)), h('td', {}, at(s.createdAt)),
      h('td', {}, s.revokedAt === null ? T('valid') : T('revokedOn', { time: at(s.revokedAt) })),
      h('td', {}, s.revokedAt === null ? h('button', { type: 'button', class: 'danger', 'aria-label': T('secretRevokeLabel', { id: s.id.slice(0, 8) }), onclick: () => {
        if (confirm(T('confirmSecret', { id: s.id.slice(0, 8) }))) act('POST /api/v1/enrollment-secrets/:id/revoke', s.id);
      } }, T('revoke')) : null)));
    const shown = h('div', { 'aria-live': 'polite', id: 'new-secret' });
    body.replaceChildren(
      h('section', { 'aria-labelledby': 'admin-laptops' }, h('h2', { id: 'admin-laptops' }, T('laptops')),
        devices.length === 0 ? h('p', {}, T('noLaptops'))
          : table([T('laptop'), T('serial'), T('student'), T('lastSeen'), T('enrolled'), T('state'), ''], laptopRows)),
      h('section', { 'aria-labelledby': 'admin-secrets' }, h('h2', { id: 'admin-secrets' }, T('secrets')),
        h('button', { type: 'button', onclick: async () => {
          const made = await request('POST /api/v1/enrollment-secrets', { body: { schoolId } });
          await load();
          byId('new-secret').replaceChildren(h('p', {}, T('secretOnce')), h('code', { class: 'secret' }, made.secret));
        } }, T('newSecret')),
        shown,
        secrets.length === 0 ? h('p', {}, T('noSecrets')) : table([T('secretId'), T('created'), T('state'), ''], secretRows)),
      accountsSection(ctx, T, schoolId, users, load),
      await schoolDataSection(ctx, T, schoolId, at));
  }
  await load();
}
