// @ts-check
// Settings' "Memory" section: the embedding model (Off by default: memory
// finds passages by keywords, offline), how much meaning counts against
// keywords, and how far the background indexer has come. Nothing is
// downloaded: an embedding model is one the person already runs or pays for.

import * as embeddings from '../api/embeddings.js';
import { h, field, select } from '../dom.js';
import { clearFieldErrors, showError, toast } from '../components.js';

/** How often the progress is read while indexing, in ms. */
const POLL_MS = 1000;

const number = new Intl.NumberFormat('en');

/** "1,234 of 5,000 passages have vectors" and what the indexer is doing. @param {embeddings.EmbeddingStatus} s */
export function progressText(s) {
  const p = s.progress;
  if (!s.modelId || p.state === 'off') return 'Off: memory finds passages by their words, fully offline.';
  const count = `${number.format(p.done)} of ${number.format(p.total)} passages`;
  switch (p.state) {
    case 'done':
      return p.total === 0 ? 'Ready: nothing to index yet.' : `Ready: ${count} have vectors.`;
    case 'paused':
      return `Waiting for the reply being written: ${count} so far.`;
    case 'failed':
      return `Stopped: ${p.error ?? 'the embedding model failed'} (${count} so far; Parley tries again in a minute).`;
    default:
      return `Indexing: ${count}\u2026`;
  }
}

/**
 * The Memory section; loads the models and the status when built.
 * @param {{value: string, label: string, group?: string}[]} models the person's models, as the other pickers list them
 */
export function section(models) {
  const picker = select('embeddingModel', [{ value: '', label: 'Off \u2014 keywords only' }, ...models], '', { id: 'embedding-model' });
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
    weightValue.textContent = `${Math.round(s.vectorWeight * 100)} % meaning`;
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
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'memory-form', novalidate: true, 'aria-label': 'Memory' }));
  form.addEventListener('submit', (ev) => ev.preventDefault());

  picker.addEventListener('change', async () => {
    clearFieldErrors(form);
    try {
      const s = await embeddings.setModel(picker.value || null);
      show(s);
      toast(s.modelId ? 'Embedding model chosen: indexing starts in the background' : 'Embeddings off: memory uses keywords only');
    } catch (e) {
      // Back to what is stored, then the reason under the picker.
      await refresh();
      showError(e, form);
    }
  });
  weight.addEventListener('input', () => {
    weightValue.textContent = `${Math.round(Number(weight.value) * 100)} % meaning`;
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
      field('Embedding model', picker, {
        hint: 'One of your models on an OpenAI-compatible server, Ollama, LM Studio or a llama.cpp server (e.g. nomic-embed-text). Changing it starts the vectors over.',
      }),
      h('div', { class: 'field', data: { field: 'vectorWeight' } }, h('label', { for: 'vector-weight' }, 'Meaning against keywords'), h('div', { class: 'weight-row' }, weight, weightValue),
        h('p', { class: 'hint' }, '0 % ranks by keywords only, 100 % by meaning only.')),
    ),
  );
  void refresh();
  return h(
    'section',
    { class: 'card memory-settings', 'aria-labelledby': 'memory-title' },
    h('h2', { id: 'memory-title' }, 'Memory'),
    h(
      'p',
      { class: 'hint' },
      'Characters remember documents and older messages by finding the passages that share words with the conversation. That works offline, with nothing to set up. If you run or use an embedding model, Parley can also find passages by meaning.',
    ),
    form,
    progress,
    bar,
    h('p', { class: 'hint' }, 'Nothing is downloaded: passages are sent only to the embedding model you choose, like a chat message to a chat model.'),
    h('p', { class: 'hint', id: 'memory-templates-link' }, 'The words around what memory gives a reply, and what the summary model is told, are templates: ', h('a', { href: '#/templates' }, 'edit them under Templates'), '.'),
  );
}
