// @ts-check
// Settings' "Models on this computer" section: how long a model stays
// loaded when no reply needs it, the most context a model gets, and the
// processor threads it may use. Each is saved when changed and applies from
// the next reply (services/local_model.rs `apply_settings`). Then the
// folders Parley also looks in for model files, named by the system's
// folder chooser or by path.

import { engineSettings, setEngineSetting, localModels } from '../api/local-models.js';
import { h, field, input } from '../dom.js';
import { t } from '../i18n.js';
import { showError, toast } from '../components.js';
import { words } from './connect.js';

/** The section; loads the values when built. */
export function section() {
  const idle = input('localIdleMinutes', '', { type: 'number', min: '1', step: '1', id: 'local-idle-minutes' });
  const cap = input('localContextCap', '', { type: 'number', min: '512', max: '131072', step: '512', id: 'local-context-cap' });
  const threads = input('localThreads', '', { type: 'number', min: '0', step: '1', id: 'local-threads' });
  /** @type {[HTMLInputElement, 'idleMinutes' | 'contextCap' | 'threads'][]} */
  const boxes = [
    [idle, 'idleMinutes'],
    [cap, 'contextCap'],
    [threads, 'threads'],
  ];
  for (const [box, name] of boxes) {
    box.addEventListener('change', async () => {
      const value = Number(box.value);
      if (!Number.isInteger(value) || value < 0) {
        showError({ error: t('settingsLocal.wholeNumber'), type: 'ValidationError', details: { field: box.name } });
        return;
      }
      try {
        await setEngineSetting(name, value);
        toast(t('settingsLocal.saved'));
      } catch (e) {
        showError(e);
      }
    });
  }
  void engineSettings()
    .then((s) => {
      idle.value = String(s.idleMinutes);
      cap.value = String(s.contextCap);
      threads.value = String(s.threads);
    })
    .catch(showError);
  return h(
    'section',
    { class: 'form-section card', 'aria-labelledby': 'local-settings-title', id: 'local-settings' },
    h('h2', { id: 'local-settings-title' }, t('settingsLocal.title')),
    h('p', { class: 'hint' }, t('settingsLocal.intro')),
    h(
      'div',
      { class: 'grid three' },
      field(t('settingsLocal.idle'), idle, { hint: t('settingsLocal.idleHint') }),
      field(t('settingsLocal.contextCap'), cap, { hint: t('settingsLocal.contextCapHint') }),
      field(t('settingsLocal.threads'), threads, { hint: t('settingsLocal.threadsHint') }),
    ),
    folders(),
  );
}

/** The folders the person named, each with "Remove", and ways to add one. */
function folders() {
  const list = h('ul', { class: 'rows model-folders', 'aria-label': t('settingsLocal.foldersLabel') });
  const status = h('p', { class: 'connection-status', role: 'status', id: 'model-folder-status' });
  /** @param {string[]} named */
  const show = (named) => {
    list.replaceChildren(
      ...named.map((path) => {
        const remove = h('button', { type: 'button', class: 'btn', 'aria-label': t('settingsLocal.stopLooking', { path }) }, t('settingsLocal.remove'));
        remove.addEventListener('click', () => void localModels.folderRemove(path).then(show).catch(showError));
        return h('li', { class: 'model-folder' }, h('span', { class: 'row-title mono', translate: 'no' }, path), remove);
      }),
    );
    if (named.length === 0) list.append(h('li', { class: 'row-meta' }, t('settingsLocal.noFolders')));
  };
  /** @param {() => Promise<string[] | null>} how */
  const add = async (how) => {
    try {
      const named = await how();
      if (named) {
        show(named);
        status.textContent = t('settingsLocal.folderAdded');
        status.dataset.state = 'ok';
      }
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
    }
  };
  const path = input('modelFolder', '', { spellcheck: 'false', placeholder: t('settingsLocal.folderPlaceholder'), 'aria-label': t('settingsLocal.folderLabel') });
  const addBtn = h('button', { type: 'button', class: 'btn', id: 'add-model-folder' }, t('settingsLocal.add'));
  addBtn.addEventListener('click', () => void add(() => localModels.folderAdd(path.value)));
  const chooseBtn = h('button', { type: 'button', class: 'btn', id: 'choose-model-folder' }, t('settingsLocal.chooseFolder'));
  chooseBtn.addEventListener('click', () => void add(() => localModels.folderChoose()));
  void localModels.folders().then(show).catch(showError);
  return h(
    'div',
    { class: 'model-folders-box' },
    h('h3', null, t('settingsLocal.foldersTitle')),
    list,
    h('div', { class: 'connection-row' }, chooseBtn, path, addBtn),
    status,
  );
}
