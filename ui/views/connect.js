// @ts-check
// The ways to a model, shared by the provider form (providers.js) and the
// first-run screen (first-run.js): the presets of the usual local servers,
// "Find a local server" (every preset's port asked at once, the ones that
// answer listed with a "Use" button), and the model picker "Connect" shows
// before it saves a provider with the models picked.

import * as api from '../api.js';
import { h, select } from '../dom.js';
import { sentence } from '../components.js';
import { changed, navigate } from '../state.js';
import { t, tn } from '../i18n.js';

/**
 * The usual local servers and their default ports (the same list as
 * `services/local_servers.rs`, which the scan uses); all speak the
 * OpenAI-compatible API under `/v1`.
 * @type {{name: string, kind: api.ProviderKind, port: number}[]}
 */
export const LOCAL_PRESETS = [
  { name: 'Ollama', kind: 'ollama', port: 11434 },
  { name: 'LM Studio', kind: 'openai_compatible', port: 1234 },
  { name: 'llama.cpp server', kind: 'openai_compatible', port: 8080 },
  { name: 'KoboldCpp', kind: 'openai_compatible', port: 5001 },
  { name: 'Jan', kind: 'openai_compatible', port: 1337 },
];

/** @param {{port: number}} p */
export const presetUrl = (p) => `http://localhost:${p.port}/v1`;

/** @param {api.RemoteModel} m */
const modelLabel = (m) => m.name ?? m.id;

/** @param {unknown} e */
export const words = (e) => sentence(/** @type {api.AppError} */ (e)?.error ?? String(e));

/**
 * Saves a provider with one model picked from its list; the first model
 * ever saved becomes the default.
 * @param {api.ProviderInput} input @param {api.RemoteModel[]} picked
 */
export async function save(input, picked) {
  const provider = await api.providers.connect(input, picked);
  changed('providers');
  return provider;
}

/**
 * A list of the models a server offers, one to pick (the first is picked),
 * and a button that saves with it.
 * @param {api.RemoteModel[]} models
 * @param {string} label the save button's words
 * @param {(picked: api.RemoteModel[]) => Promise<void>} onSave
 */
export function modelPicker(models, label, onSave) {
  const sorted = models.slice().sort((a, b) => modelLabel(a).localeCompare(modelLabel(b)));
  const choice = select('pickModel', sorted.map((m) => ({ value: m.id, label: modelLabel(m) })), sorted[0]?.id ?? '', { 'aria-label': t('connect.modelToChatWith') });
  const status = h('p', { class: 'connection-status', role: 'status' });
  const btn = h('button', { type: 'button', class: 'btn primary', id: 'connect-save' }, label);
  btn.addEventListener('click', async () => {
    const picked = sorted.filter((m) => m.id === choice.value);
    btn.disabled = true;
    try {
      await onSave(picked);
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
      btn.disabled = false;
    }
  });
  if (sorted.length === 0) {
    return h('p', { class: 'connection-status', 'data-state': 'error' }, t('connect.noModels'));
  }
  return h('div', { class: 'model-picker' }, h('div', { class: 'connection-row' }, choice, btn), status);
}

/**
 * "Find a local server": asks every preset's port; each server that answers
 * gets a row with its models and "Use", which saves it with the model shown.
 * @param {(provider: api.Provider) => void} onConnected
 * @param {{look?: boolean}} [opts] look at once (the first-run screen)
 */
export function localFinder(onConnected, opts = {}) {
  const status = h('p', { class: 'connection-status', id: 'scan-status', role: 'status' });
  const found = h('ul', { class: 'rows found-servers', 'aria-label': t('connect.serversFound') });
  const btn = h('button', { type: 'button', class: 'btn primary', id: 'find-local' }, t('connect.findServer'));
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    found.replaceChildren();
    status.textContent = t('connect.looking', { ports: LOCAL_PRESETS.map((p) => p.port).join(', ') });
    status.dataset.state = 'pending';
    try {
      const servers = await api.providers.scanLocal();
      if (servers.length === 0) {
        status.textContent = t('connect.noneAnswered', { servers: LOCAL_PRESETS.map((p) => `${p.name} ${p.port}`).join(', ') });
        status.dataset.state = 'error';
      } else {
        status.textContent = tn('connect.found', servers.length);
        status.dataset.state = 'ok';
        found.replaceChildren(...servers.map((s) => serverRow(s, onConnected)));
      }
    } catch (e) {
      status.textContent = words(e);
      status.dataset.state = 'error';
    } finally {
      btn.disabled = false;
    }
  });
  if (opts.look) queueMicrotask(() => btn.click());
  return h('div', { class: 'local-finder' }, btn, status, found);
}

/**
 * @param {api.FoundServer} s
 * @param {(provider: api.Provider) => void} onConnected
 */
function serverRow(s, onConnected) {
  const picker = modelPicker(s.models, t('connect.use'), async (picked) => {
    const provider = await save({ name: s.name, kind: s.kind, baseUrl: s.baseUrl }, picked);
    picker.replaceWith(h('p', { class: 'connection-status', 'data-state': 'ok' }, t('connect.inUse', { models: picked.map(modelLabel).join(', ') })));
    onConnected(provider);
  });
  picker.querySelector('#connect-save')?.setAttribute('aria-label', t('connect.useServer', { name: s.name }));
  picker.querySelector('#connect-save')?.removeAttribute('id');
  return h(
    'li',
    { class: 'found-server', data: { name: s.name } },
    h('span', { class: 'remote-text' }, h('span', { class: 'row-title' }, s.name), h('span', { class: 'row-meta mono' }, s.baseUrl)),
    picker,
  );
}

/**
 * Where an error that needs a model sends a person: Providers & models,
 * with the new-provider form open when there is no provider yet.
 */
export async function openModelSetup() {
  const providers = await api.providers.list({ limit: 1 }).catch(() => null);
  navigate(providers && providers.items.length > 0 ? `providers/${providers.items[0].id}` : 'providers/new');
}
