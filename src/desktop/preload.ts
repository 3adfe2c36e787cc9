import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CHANNELS, UnlockReplySchema, UnlockRequestSchema, ViewSchema, type LesmodusBridge, type View } from './bridge.ts';

/**
 * The narrow bridge a tray page gets as `window.lesmodus`: a view to show and
 * one action (an unlock code). Raw ipcRenderer never reaches the page, and
 * every message is checked here as well as in main. Runs sandboxed, so it is
 * bundled with zod at packaging time.
 */

const bridge: LesmodusBridge = {
  onView(listener) {
    const handler = (_event: IpcRendererEvent, raw: unknown) => {
      const view = ViewSchema.safeParse(raw);
      if (view.success) listener(view.data as View);
    };
    ipcRenderer.on(CHANNELS.view, handler);
    ipcRenderer.send(CHANNELS.ready);
    return () => ipcRenderer.off(CHANNELS.view, handler);
  },
  async unlock(request) {
    const checked = UnlockRequestSchema.safeParse(request);
    if (!checked.success) {
      const problem = checked.error.issues.map((i) => i.message).join('; ');
      return { ok: false, message: { nl: problem, en: problem } };
    }
    return UnlockReplySchema.parse(await ipcRenderer.invoke(CHANNELS.unlock, checked.data));
  },
};

contextBridge.exposeInMainWorld('lesmodus', bridge);
