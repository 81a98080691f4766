// @ts-check
// "Model files on this computer": the GGUF files Parley found (LM Studio's,
// Jan's and Ollama's folders, the Hugging Face cache, Parley's own models
// folder, the folders named in Settings), each with its size, quantization,
// parameters and context and a "Use" button, and a way to add a file by the
// system's file chooser or by its path. Used by the
// first-run screen and the provider form; a dropped .gguf file is added by
// `importer.js` through the same `localModels.add`.

import { localModels, size, params } from '../api/local-models.js';
import { h, input } from '../dom.js';
import { t, tn } from '../i18n.js';
import { changed } from '../state.js';
import { words } from './connect.js';
import { downloadForm } from './model-download.js';

/**
 * @param {(model: import('../api.js').AiModel) => void} onAdded
 * @param {{look?: boolean, download?: boolean}} [opts] look at once (the first-run screen); offer a download
 */
export function modelFiles(onAdded, opts = {}) {
  const status = h('p', { class: 'connection-status', id: 'model-files-status', role: 'status' });
  const list = h('ul', { class: 'rows found-models', 'aria-label': t('localModels.filesFound') });
  const lookBtn = h('button', { type: 'button', class: 'btn', id: 'find-model-files' }, t('localModels.find'));

  /** @param {import('../api.js').AiModel} model */
  const added = (model) => {
    changed('providers');
    onAdded(model);
  };

  const look = async () => {
    lookBtn.disabled = true;
    status.textContent = t('localModels.looking');
    status.dataset.state = 'pending';
    try {
      const found = await localModels.found();
      list.replaceChildren(...found.map((m) => row(m, added)));
      if (found.length === 0) {
        status.textContent = t('localModels.noneFound');
        status.dataset.state = 'none';
      } else {
        status.textContent = tn('localModels.found', found.length);
        status.dataset.state = 'ok';
      }
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
    } finally {
      lookBtn.disabled = false;
    }
  };
  lookBtn.addEventListener('click', () => void look());
  if (opts.look) void look();

  const download = opts.download ? h('details', { class: 'model-download-box' }, h('summary', null, t('localModels.downloadSummary')), downloadForm(() => void look())) : null;
  return h('div', { class: 'model-files' }, lookBtn, status, list, pathForm(added), download);
}

/**
 * @param {import('../api/local-models.js').FoundModel} m
 * @param {(model: import('../api.js').AiModel) => void} onAdded
 */
function row(m, onAdded) {
  const facts = [m.quantization, m.parameters > 0 ? t('localModels.parameters', { amount: params(m.parameters) }) : null, size(m.sizeBytes), m.contextLength ? t('localModels.context', { tokens: m.contextLength }) : null]
    .filter(Boolean)
    .join(' \u00b7 ');
  const btn = h('button', { type: 'button', class: 'btn primary', 'aria-label': t('localModels.useModel', { name: m.name }) }, m.added ? t('localModels.added') : t('localModels.use'));
  btn.disabled = m.added;
  const note = h('span', { class: 'row-meta', role: 'status' });
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      const model = await localModels.add(m.path);
      btn.textContent = t('localModels.added');
      onAdded(model);
    } catch (e) {
      note.textContent = words(e);
      note.dataset.state = 'error';
      btn.disabled = false;
    }
  });
  return h(
    'li',
    { class: 'found-model', data: { name: m.name } },
    h(
      'span',
      { class: 'remote-text' },
      h('span', { class: 'row-title', translate: 'no' }, m.name),
      h('span', { class: 'row-meta' }, m.hasChatTemplate ? m.source : t('localModels.noChatTemplate', { source: m.source })),
      h('span', { class: 'row-meta' }, facts),
      h('span', { class: 'row-meta mono', title: m.path, translate: 'no' }, m.path),
      note,
    ),
    btn,
  );
}

/** @param {(model: import('../api.js').AiModel) => void} onAdded */
function pathForm(onAdded) {
  const path = input('modelPath', '', { spellcheck: 'false', placeholder: t('localModels.pathPlaceholder'), 'aria-label': t('localModels.pathLabel') });
  const btn = h('button', { type: 'button', class: 'btn', id: 'add-model-file' }, t('localModels.add'));
  const status = h('p', { class: 'connection-status', role: 'status', id: 'model-path-status' });
  const choose = h('button', { type: 'button', class: 'btn', id: 'choose-model-file' }, t('localModels.chooseFile'));
  /**
   * Runs one way of adding (the chooser, or the typed path) with its button
   * held down, and says how it went; `null` (a cancelled chooser) says nothing.
   * @param {HTMLButtonElement} button @param {() => Promise<import('../api.js').AiModel | null>} how
   */
  const adding = async (button, how) => {
    button.disabled = true;
    try {
      const model = await how();
      if (model) {
        status.textContent = t('localModels.addedModel', { name: model.displayName });
        status.dataset.state = 'ok';
        onAdded(model);
      }
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
    } finally {
      button.disabled = false;
    }
  };
  choose.addEventListener('click', () => void adding(choose, () => localModels.choose()));
  btn.addEventListener('click', () => {
    if (!path.value.trim()) {
      status.textContent = t('localModels.typePathFirst');
      status.dataset.state = 'error';
      path.focus();
      return;
    }
    void adding(btn, () => localModels.add(path.value.trim()));
  });
  return h('div', { class: 'model-path' }, h('div', { class: 'connection-row' }, choose, path, btn), status);
}
