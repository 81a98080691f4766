// @ts-check
// Settings' "Models on this computer" section: how long a model stays
// loaded when no reply needs it, the most context a model gets, and the
// processor threads it may use. Each is saved when changed and applies from
// the next reply (services/local_model.rs `apply_settings`). Then the
// folders Parley also looks in for model files, named by the system's
// folder chooser or by path.

import { engineSettings, setEngineSetting, localModels } from '../api/local-models.js';
import { h, field, input } from '../dom.js';
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
        showError({ error: 'enter a whole number', type: 'ValidationError', details: { field: box.name } });
        return;
      }
      try {
        await setEngineSetting(name, value);
        toast('Saved');
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
    h('h2', { id: 'local-settings-title' }, 'Models on this computer'),
    h('p', { class: 'hint' }, 'For GGUF models Parley runs itself. One model is in memory at a time; it loads with its first reply.'),
    h(
      'div',
      { class: 'grid three' },
      field('Unload after (minutes idle)', idle, { hint: 'Frees the memory when no reply needs the model.' }),
      field('Most context (tokens)', cap, { hint: 'A model gets what it was trained for, up to this. More needs more memory.' }),
      field('Processor threads', threads, { hint: '0: all cores but one, so the window stays quick.' }),
    ),
    folders(),
  );
}

/** The folders the person named, each with "Remove", and ways to add one. */
function folders() {
  const list = h('ul', { class: 'rows model-folders', 'aria-label': 'Folders Parley looks in' });
  const status = h('p', { class: 'connection-status', role: 'status', id: 'model-folder-status' });
  /** @param {string[]} named */
  const show = (named) => {
    list.replaceChildren(
      ...named.map((path) => {
        const remove = h('button', { type: 'button', class: 'btn', 'aria-label': `Stop looking in ${path}` }, 'Remove');
        remove.addEventListener('click', () => void localModels.folderRemove(path).then(show).catch(showError));
        return h('li', { class: 'model-folder' }, h('span', { class: 'row-title mono', translate: 'no' }, path), remove);
      }),
    );
    if (named.length === 0) list.append(h('li', { class: 'row-meta' }, 'None yet: Parley looks in LM Studio\u2019s, Jan\u2019s and Ollama\u2019s folders and the Hugging Face cache.'));
  };
  /** @param {() => Promise<string[] | null>} how */
  const add = async (how) => {
    try {
      const named = await how();
      if (named) {
        show(named);
        status.textContent = 'Added. Its model files are listed under Providers & models \u203a Model files.';
        status.dataset.state = 'ok';
      }
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
    }
  };
  const path = input('modelFolder', '', { spellcheck: 'false', placeholder: '/path/to/models', 'aria-label': 'Path to a folder of model files' });
  const addBtn = h('button', { type: 'button', class: 'btn', id: 'add-model-folder' }, 'Add');
  addBtn.addEventListener('click', () => void add(() => localModels.folderAdd(path.value)));
  const chooseBtn = h('button', { type: 'button', class: 'btn', id: 'choose-model-folder' }, 'Choose a folder\u2026');
  chooseBtn.addEventListener('click', () => void add(() => localModels.folderChoose()));
  void localModels.folders().then(show).catch(showError);
  return h(
    'div',
    { class: 'model-folders-box' },
    h('h3', null, 'Folders with model files'),
    list,
    h('div', { class: 'connection-row' }, chooseBtn, path, addBtn),
    status,
  );
}
