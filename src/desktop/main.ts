import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Notification, session, Tray, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { defaultControlSocket } from '../agent/control/protocol.ts';
import type { Locale } from '../core/policy/explain.ts';
import { connectAgentLink } from './agent-link.ts';
import { readArticles } from './articles.ts';
import { CHANNELS, UnlockRequestSchema, type UnlockReply, type View } from './bridge.ts';
import type { Notice, TrayStatus } from './link-messages.ts';
import { createNoticeGate } from './notice-gate.ts';
import { readSettings, writeSettings } from './settings.ts';
import { stateNotice } from './state-notice.ts';
import { trayModel, type MenuAction } from './tray-model.ts';
import { sendUnlock } from './unlock.ts';
import { CONTENT_SECURITY_POLICY, isOwnPage, type PageName } from './trust.ts';

/**
 * The tray process: one per logged-in user, started by the OS at login (xdg
 * autostart, LaunchAgent, HKLM Run), never by the agent. It holds no
 * credential and decides nothing: it shows what the agent says over the
 * control socket. Everything it decides itself is in plain modules tested in
 * Node; this file only wires them to Electron.
 */

const SOCKET = process.env.LESMODUS_CONTROL_SOCKET ?? defaultControlSocket(process.platform);
const TIME_ZONE = 'Europe/Amsterdam';
const PAGES_DIR = join(import.meta.dirname, 'pages');
const PAGES_URL = `${pathToFileURL(PAGES_DIR).href}/`;
const RESOURCES = join(import.meta.dirname, '..', '..', 'resources');
const ICONS_DIR = join(RESOURCES, 'tray');
const ARTICLES = readArticles(join(RESOURCES, 'desktop', 'articles.json'));

const SETTINGS = join(app.getPath('userData'), 'tray.json');
// Dutch unless the student chose English, or the system is in English and they never chose.
let locale: Locale = readSettings(SETTINGS, { locale: app.getLocale().startsWith('en') ? 'en' : 'nl' }).locale;
/** Null while the agent cannot be reached; undefined until the link's first report (so start-up is no change to announce). */
let status: TrayStatus | null | undefined;
let lastNotice: Notice | null = null;
let tray: Tray | null = null;
const windows = new Map<PageName, BrowserWindow>();
const gate = createNoticeGate();

function view(page: PageName): View {
  return { locale, timeZone: TIME_ZONE, status: status ?? null, notice: page === 'notice.html' ? lastNotice : null, articles: ARTICLES };
}

function pageOf(window: BrowserWindow): PageName | undefined {
  for (const [page, w] of windows) if (w === window) return page;
  return undefined;
}

function refresh(): void {
  const model = trayModel(status ?? null, locale, TIME_ZONE);
  tray ??= new Tray(nativeImage.createFromPath(join(ICONS_DIR, model.icon)));
  tray.setImage(nativeImage.createFromPath(join(ICONS_DIR, model.icon)));
  tray.setToolTip(model.tooltip);
  tray.setContextMenu(Menu.buildFromTemplate(model.menu.map((item) => ({
    label: item.label,
    enabled: item.enabled,
    ...(item.checked === undefined ? {} : { type: 'radio' as const, checked: item.checked }),
    click: () => onMenu(item.action),
  }))));
  for (const [page, window] of windows) window.webContents.send(CHANNELS.view, view(page));
}

function onMenu(action: MenuAction): void {
  switch (action) {
    case 'status': return open('status.html');
    case 'why': return open('why.html');
    case 'ask': return open('why.html'); // the page's second half says how to ask
    case 'unlock': return open('unlock.html');
    case 'language-nl': return chooseLocale('nl');
    case 'language-en': return chooseLocale('en');
  }
}

function chooseLocale(chosen: Locale): void {
  locale = chosen;
  refresh();
  try {
    writeSettings(SETTINGS, { locale });
  } catch (error) {
    // A full or read-only profile: the choice holds until the tray restarts.
    console.warn(`lesmodus tray: could not save the language choice: ${(error as Error).message}`);
  }
}

function open(page: PageName): void {
  const existing = windows.get(page);
  if (existing !== undefined) return existing.show();
  const window = new BrowserWindow({
    width: 420, height: page === 'notice.html' ? 200 : 520, show: true, autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, 'preload.js'),
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false,
      webviewTag: false, webSecurity: true, allowRunningInsecureContent: false, spellcheck: false,
    },
  });
  windows.set(page, window);
  window.on('closed', () => windows.delete(page));
  void window.loadURL(`${PAGES_URL}${page}`);
}

function showNotice(notice: Notice): void {
  lastNotice = notice;
  if (!gate.admit(notice, Date.now())) return;
  if (Notification.isSupported()) {
    const n = new Notification({ title: 'Lesmodus', body: notice[locale] });
    n.on('click', () => open('notice.html'));
    n.show();
  } else open('notice.html');
}

/** Only our own pages' main frames may talk to main. */
function trusted(event: IpcMainEvent | IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isOwnPage(frame.url, PAGES_URL);
}

async function unlock(raw: unknown): Promise<UnlockReply> {
  const request = UnlockRequestSchema.safeParse(raw);
  if (!request.success) return { ok: false, message: { nl: 'Het verzoek klopt niet.', en: 'The request is not valid.' } };
  return sendUnlock(SOCKET, request.data);
}

function secure(): void {
  // Nothing a page asks for is granted: no camera, microphone, notifications from pages, nothing.
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isOwnPage(url, PAGES_URL)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  ipcMain.on(CHANNELS.ready, (event) => {
    if (!trusted(event)) return;
    const window = BrowserWindow.fromWebContents(event.sender);
    const page = window === null ? undefined : pageOf(window);
    if (page !== undefined) event.sender.send(CHANNELS.view, view(page));
  });
  ipcMain.handle(CHANNELS.unlock, async (event, raw: unknown) => {
    if (!trusted(event)) return { ok: false, message: { nl: 'Geweigerd.', en: 'Refused.' } };
    return unlock(raw);
  });
}

if (!app.requestSingleInstanceLock()) {
  app.quit(); // a second start (login item and a click) shows the first one's status instead
} else {
  app.on('second-instance', () => open('status.html'));
  // A tray app: closing its last window does not end it.
  app.on('window-all-closed', () => undefined);
  void app.whenReady().then(() => {
    secure();
    refresh();
    connectAgentLink(SOCKET, {
      onStatus: (next) => {
        const change = stateNotice(status, next, new Date().toISOString(), TIME_ZONE);
        status = next;
        refresh();
        if (change !== null) showNotice(change);
      },
      onNotice: showNotice,
      onBadLine: (problem) => console.warn(`lesmodus tray: skipped a line from ${SOCKET}: ${problem}`),
    });
  });
}
