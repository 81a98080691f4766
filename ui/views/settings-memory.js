// @ts-check
// Settings' "Memory" section: the embedding model (Off by default: memory
// finds passages by keywords, offline), how much meaning counts against
// keywords, and how far the background indexer has come. Nothing is
// downloaded: an embedding model is one the person already runs or pays for.

import * as embeddings from '../api/embeddings.js';
import { h, field, select } from '../dom.js';
import { clearFieldErrors, showError, toast } from '../components.js';
import { t, tNodes } from '../i18n.js';

/** How often the progress is read while indexing, in ms. */
const POLL_MS = 1000;

/** "1,234 of 5,000 passages have vectors" and what the indexer is doing. @param {embeddings.EmbeddingStatus} s */
export function progressText(s) {
  const p = s.progress;
  if (!s.modelId || p.state === 'off') return t('settingsMemory.progressOff');
  const count = { done: p.done, total: p.total };
  switch (p.state) {
    case 'done':
      return p.total === 0 ? t('settingsMemory.progressEmpty') : t('settingsMemory.progressReady', count);
    case 'paused':
      return t('settingsMemory.progressPaused', count);
    case 'failed':
      return t('settingsMemory.progressFailed', { ...count, error: p.error ?? t('settingsMemory.embeddingFailed') });
    default:
      return t('settingsMemory.progressIndexing', count);
  }
}

/**
 * The Memory section; loads the models and the status when built.
 * @param {{value: string, label: string, group?: string}[]} models the person's models, as the other pickers list them
 */
export function section(models) {
  const picker = select('embeddingModel', [{ value: '', label: t('settingsMemory.modelOff') }, ...models], '', { id: 'embedding-model' });
  const weight = /** @type {HTMLInputElement} */ (h('input', { type: 'range', id: 'vector-weight', name: 'vectorWeight', min: '0', max: '1', step: '0.05' }));
  const weightValue = h('output', { for: 'vector-weight', id: 'vector-weight-value' });
  const progress = h('p', { id: 'embedding-progress', role: 'status', 'aria-live': 'polite' });
  const bar = /** @type {HTMLProgressElement} */ (h('progress', { class: 'embedding-bar', max: '1', value: '0', 'aria-hidden': 'true' }));
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  /** @param {embeddings.EmbeddingStatus} s */
  function show(s) {
    picker.value = s.modelId ?? '';
    weight.value = String(s.vectorWeight);
    weightValue.textContent = t('settingsMemory.weightValue', { percent: Math.round(s.vectorWeight * 100) });
    weight.disabled = !s.modelId;
    progress.textContent = progressText(s);
    bar.hidden = !s.modelId || s.progress.total === 0;
    bar.max = Math.max(1, s.progress.total);
    bar.value = s.progress.done;
    if (timer) clearTimeout(timer);
    timer = null;
    if (s.modelId && (s.progress.state === 'indexing' || s.progress.state === 'paused' || s.progress.state === 'failed')) {
      timer = setTimeout(refresh, POLL_MS);
    }
  }

  async function refresh() {
    // Stop polling once the section has left the screen.
    if (!picker.isConnected && timer !== null) return;
    try {
      show(await embeddings.status());
    } catch (e) {
      showError(e);
    }
  }

  // A form only so an error shows under the control it is about.
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'memory-form', novalidate: true, 'aria-label': t('settingsMemory.title') }));
  form.addEventListener('submit', (ev) => ev.preventDefault());

  picker.addEventListener('change', async () => {
    clearFieldErrors(form);
    try {
      const s = await embeddings.setModel(picker.value || null);
      show(s);
      toast(s.modelId ? t('settingsMemory.modelChosen') : t('settingsMemory.modelCleared'));
    } catch (e) {
      // Back to what is stored, then the reason under the picker.
      await refresh();
      showError(e, form);
    }
  });
  weight.addEventListener('input', () => {
    weightValue.textContent = t('settingsMemory.weightValue', { percent: Math.round(Number(weight.value) * 100) });
  });
  weight.addEventListener('change', async () => {
    clearFieldErrors(form);
    try {
      show(await embeddings.setWeight(Number(weight.value)));
    } catch (e) {
      showError(e, form);
    }
  });

  form.append(
    h(
      'div',
      { class: 'grid' },
      field(t('settingsMemory.model'), picker, {
        hint: t('settingsMemory.modelHint'),
      }),
      h('div', { class: 'field', data: { field: 'vectorWeight' } }, h('label', { for: 'vector-weight' }, t('settingsMemory.weight')), h('div', { class: 'weight-row' }, weight, weightValue),
        h('p', { class: 'hint' }, t('settingsMemory.weightHint'))),
    ),
  );
  void refresh();
  return h(
    'section',
    { class: 'card memory-settings', 'aria-labelledby': 'memory-title' },
    h('h2', { id: 'memory-title' }, t('settingsMemory.title')),
    h(
      'p',
      { class: 'hint' },
      t('settingsMemory.intro'),
    ),
    form,
    progress,
    bar,
    h('p', { class: 'hint' }, t('settingsMemory.nothingDownloaded')),
    h('p', { class: 'hint', id: 'memory-templates-link' }, ...tNodes('settingsMemory.templatesHint', { link: h('a', { href: '#/templates' }, t('settingsMemory.templatesLink')) })),
  );
}
