// @ts-check
// The first-run screen, shown by home.js while there is no model: the ways
// to a model (GGUF files on this computer run by Parley itself, a local
// server found by its preset's port, or a cloud key) and the ways to chat
// at once (a plain assistant chat, no character needed, or the starter
// character). It looks for model files and local servers as it opens, so
// from an empty data folder with either present a person reaches a reply
// with "Use", "Start a chat", then the message. It also looks for a
// SillyTavern data folder and, when there is one, offers its characters and
// chats in one click.

import * as api from '../api.js';
import { h, select, input } from '../dom.js';
import { t, tn, tNodes } from '../i18n.js';
import { showError } from '../components.js';
import { changed, navigate } from '../state.js';
import { KINDS } from './providers.js';
import { localFinder, modelPicker, save, words } from './connect.js';
import { modelFiles } from './local-models.js';
import { startChat } from './character.js';
import { importPaths } from './importer.js';

/** @param {HTMLElement} root */
export async function render(root) {
  const ready = h('p', { class: 'first-run-ready', id: 'model-ready', role: 'status' }, t('firstRun.noModel'));
  const startBtn = h('button', { type: 'button', class: 'btn primary', id: 'start-plain-chat' }, t('firstRun.startChat'));
  /** @param {string} model @param {string} where */
  const readyWith = (model, where) => {
    ready.textContent = t('firstRun.ready', { model, where });
    ready.dataset.state = 'ok';
    startBtn.focus();
  };
  /** @param {api.Provider} provider */
  const connected = async (provider) => {
    const models = await api.models.list({ providerId: provider.id, limit: 1 });
    readyWith(models.items[0]?.displayName ?? provider.name, provider.name);
  };

  startBtn.addEventListener('click', async () => {
    startBtn.disabled = true;
    try {
      // No character: a plain assistant chat; the model is the default.
      const chat = await api.chats.create({ title: '', characterId: null, userProfileId: null, aiModelId: null, systemPromptId: null });
      changed('chats');
      navigate(`chat/${chat.id}`);
    } catch (e) {
      startBtn.disabled = false;
      showError(e);
    }
  });
  const starterBtn = h('button', { type: 'button', class: 'btn', id: 'start-starter-chat' }, t('firstRun.starterChat'));
  starterBtn.addEventListener('click', async () => {
    starterBtn.disabled = true;
    try {
      const character = await api.demo.starterCharacter();
      changed('characters');
      await startChat(character.id);
    } catch (e) {
      starterBtn.disabled = false;
      showError(e);
    }
  });

  root.append(
    h(
      'div',
      { class: 'welcome first-run' },
      h('h1', null, t('firstRun.welcome')),
      h('p', { class: 'lead' }, t('firstRun.lead')),
      h(
        'section',
        { class: 'card first-run-step', 'aria-labelledby': 'fr-model' },
        h('h2', { id: 'fr-model' }, t('firstRun.connectModel')),
        h(
          'div',
          { class: 'first-run-ways' },
          h('div', { class: 'first-run-way' }, h('h3', null, t('firstRun.modelFiles')), h('p', { class: 'hint' }, t('firstRun.modelFilesHint')), modelFiles((m) => readyWith(m.displayName, t('firstRun.thisComputer')), { look: true })),
          h('div', { class: 'first-run-way' }, h('h3', null, t('firstRun.localServer')), h('p', { class: 'hint' }, t('firstRun.localServerHint')), localFinder((p) => void connected(p), { look: true })),
          h('div', { class: 'first-run-way' }, h('h3', null, t('firstRun.apiKeyWay')), cloudKey((p) => void connected(p))),
        ),
        h('p', { class: 'hint' }, ...tNodes('firstRun.otherServer', { link: h('a', { href: '#/providers/new' }, t('firstRun.otherServerLink')) })),
      ),
      h(
        'section',
        { class: 'card first-run-step', 'aria-labelledby': 'fr-chat' },
        h('h2', { id: 'fr-chat' }, t('firstRun.startChatting')),
        ready,
        h('div', { class: 'connection-row' }, startBtn, starterBtn),
        h('p', { class: 'hint' }, t('firstRun.starterHint')),
      ),
      sillyTavern(),
    ),
  );
}

/**
 * "Coming from SillyTavern?": each data folder found in its usual places,
 * with what it holds and an "Import" button; nothing when none is found.
 */
function sillyTavern() {
  const box = h('section', { class: 'card first-run-step', 'aria-labelledby': 'fr-st', id: 'first-run-sillytavern', hidden: true });
  void api.transfer
    .sillyTavernFound()
    .then((found) => {
      if (found.length === 0) return;
      box.append(
        h('h2', { id: 'fr-st' }, t('firstRun.sillyTavernTitle')),
        h('p', { class: 'hint' }, t('firstRun.sillyTavernHint')),
        h(
          'ul',
          { class: 'rows' },
          ...found.map((f) => {
            const btn = h('button', { type: 'button', class: 'btn', 'aria-label': t('firstRun.importFrom', { path: f.path }) }, t('firstRun.import'));
            btn.addEventListener('click', async () => {
              btn.disabled = true;
              await importPaths([f.path]);
              btn.textContent = t('firstRun.imported');
              btn.setAttribute('aria-label', t('firstRun.importedFrom', { path: f.path }));
            });
            return h(
              'li',
              { class: 'sillytavern-found' },
              h('span', { class: 'remote-text' }, h('span', { class: 'row-title' }, t('firstRun.found', { characters: tn('firstRun.foundCharacters', f.characters), chats: tn('firstRun.foundChats', f.chats) })), h('span', { class: 'row-meta mono', translate: 'no' }, f.path)),
              btn,
            );
          }),
        ),
      );
      box.hidden = false;
    })
    .catch(() => {
      // Nothing found is said by showing nothing; the import is still a drop away.
    });
  return box;
}

/**
 * A cloud provider by its kind and key: "Connect" tests the key, lists the
 * models to pick one, and saves both.
 * @param {(provider: api.Provider) => void} onConnected
 */
function cloudKey(onConnected) {
  const kinds = KINDS.filter((k) => ['openrouter', 'anthropic', 'glm'].includes(k.kind)).concat(KINDS.filter((k) => k.kind === 'openai_compatible'));
  const kind = select('cloudKind', kinds.map((k) => ({ value: k.kind, label: k.label })), 'openrouter', { 'aria-label': t('firstRun.provider') });
  const key = input('cloudKey', '', { type: 'password', autocomplete: 'new-password', spellcheck: 'false', placeholder: t('firstRun.apiKeyPlaceholder'), 'aria-label': t('firstRun.apiKey') });
  const area = h('div', { class: 'connect-area' });
  const btn = h('button', { type: 'button', class: 'btn', id: 'cloud-connect' }, t('firstRun.connect'));
  btn.addEventListener('click', async () => {
    const k = kinds.find((x) => x.kind === kind.value) ?? kinds[0];
    /** @type {api.ProviderInput} */
    const data = { name: k.label, kind: k.kind, baseUrl: '', apiKey: key.value.trim() };
    if (!data.apiKey) {
      area.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'error', role: 'alert' }, t('firstRun.apiKeyFirst')));
      key.focus();
      return;
    }
    btn.disabled = true;
    area.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'pending', role: 'status' }, t('firstRun.asking', { provider: k.label })));
    try {
      const models = await api.providers.probe(data);
      area.replaceChildren(
        modelPicker(models, t('firstRun.use'), async (picked) => {
          onConnected(await save(data, picked));
          area.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'ok' }, t('firstRun.connected', { provider: k.label })));
        }),
      );
    } catch (e) {
      area.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'error', role: 'alert' }, t('firstRun.couldNotConnect', { error: words(e) })));
    } finally {
      btn.disabled = false;
    }
  });
  return h('div', { class: 'cloud-key' }, h('div', { class: 'connection-row' }, kind, key, btn), area);
}
