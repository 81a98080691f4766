// @ts-check
// Settings: defaults for new chats (the author's note too), generation defaults, how the composer
// sends (a preference in `app_config`), Memory (settings-memory.js), Models
// on this computer (settings-local.js),
// Backups (backups.js) and About.
// The generation values are the last of three layers: a chat's overrides,
// then its model, then these (services/generation_params.rs).

import * as api from '../api.js';
import { h, field, input, num, optId, select } from '../dom.js';
import { t } from '../i18n.js';
import { submitting, toast, viewHeader } from '../components.js';
import { changed } from '../state.js';
import { loadChoices, choiceSelect } from './choices.js';
import * as backups from './backups.js';
import * as memory from './settings-memory.js';
import * as local from './settings-local.js';
import * as appearance from './settings-appearance.js';
import { authorsNoteFieldset, readAuthorsNote } from './authors-note.js';

/** @param {HTMLElement} root */
export async function render(root) {
  const [s, choices, info, enterSends, note] = await Promise.all([
    api.settings.get(),
    loadChoices(),
    api.appInfo().catch(() => null),
    api.preferences.enterSends().catch(() => true),
    api.preferences.authorsNote().catch(() => ({ text: '', depth: 4, frequency: 1, role: /** @type {api.Role} */ ('system') })),
  ]);
  const enterBox = h('input', { type: 'checkbox', name: 'enterSends', id: 'enter-sends', checked: enterSends });
  const form = h('form', { id: 'settings-form', class: 'editor', novalidate: true, 'aria-label': t('settings.title') });
  const number = (/** @type {string} */ name, /** @type {number} */ value, /** @type {Record<string, string>} */ attrs) =>
    input(name, value, { type: 'number', inputmode: 'decimal', ...attrs });
  form.append(
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, t('settings.defaults')),
      h('p', { class: 'hint' }, t('settings.defaultsHint')),
      h(
        'div',
        { class: 'grid' },
        field(t('settings.character'), choiceSelect('defaultCharacterId', choices.characters, s.defaultCharacterId, t('common.none'))),
        field(t('settings.persona'), choiceSelect('defaultUserProfileId', choices.personas, s.defaultUserProfileId, t('common.none'))),
        // While a model exists one is always the default (services/settings.rs): no "None".
        field(t('settings.model'), choices.models.length ? select('defaultAiModelId', choices.models, s.defaultAiModelId ?? choices.models[0].value) : choiceSelect('defaultAiModelId', [], null, t('settings.noModel'))),
        field(t('settings.systemPrompt'), choiceSelect('defaultSystemPromptId', choices.prompts, s.defaultSystemPromptId, t('common.none'))),
      ),
    ),
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, t('settings.generation')),
      h(
        'p',
        { class: 'hint' },
        t('settings.generationHint'),
      ),
      h(
        'div',
        { class: 'grid three' },
        field(t('settings.temperature'), number('temperature', s.temperature, { step: '0.05', min: '0', max: '2' }), { hint: t('settings.temperatureHint') }),
        field(t('settings.maxOutputTokens'), number('maxOutputTokens', s.maxOutputTokens, { step: '1', min: '1' }), { hint: t('settings.maxOutputTokensHint') }),
        field(t('settings.contextLength'), number('contextLength', s.contextLength, { step: '1', min: '1' }), { hint: t('settings.contextLengthHint') }),
      ),
    ),
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, t('settings.writing')),
      h('div', { class: 'field check' }, enterBox, h('label', { for: 'enter-sends' }, t('settings.enterSends'))),
      h('p', { class: 'hint' }, t('settings.enterSendsHint')),
    ),
    h('section', { class: 'form-section card' }, authorsNoteFieldset(note, t('settings.authorsNoteHint'))),
    h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'submit', class: 'btn primary', id: 'save' }, t('settings.save'))),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      // The back end needs numbers here; an empty box is named before sending.
      for (const name of ['temperature', 'maxOutputTokens', 'contextLength']) {
        if (num(form, name) === null) {
          const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          throw { error: t('settings.enterNumber'), type: 'ValidationError', details: { field: snake } };
        }
      }
      await api.settings.update({
        defaultCharacterId: optId(form, 'defaultCharacterId'),
        defaultUserProfileId: optId(form, 'defaultUserProfileId'),
        defaultAiModelId: optId(form, 'defaultAiModelId'),
        defaultSystemPromptId: optId(form, 'defaultSystemPromptId'),
        temperature: /** @type {number} */ (num(form, 'temperature')),
        maxOutputTokens: /** @type {number} */ (num(form, 'maxOutputTokens')),
        contextLength: /** @type {number} */ (num(form, 'contextLength')),
      });
      const authorsNote = readAuthorsNote(form);
      await api.preferences.setEnterSends(enterBox.checked);
      await api.preferences.setAuthorsNote(authorsNote);
      changed('settings');
      toast(t('settings.saved'));
    });
  });

  const about = h(
    'section',
    { class: 'card about', 'aria-labelledby': 'about-title' },
    h('h2', { id: 'about-title' }, t('settings.about')),
    info
      ? h(
          'dl',
          null,
          h('dt', null, t('settings.version')),
          h('dd', null, info.version),
          h('dt', null, t('settings.schemaVersion')),
          h('dd', null, String(info.schemaVersion)),
          h('dt', null, t('settings.database')),
          h('dd', { class: 'mono path' }, info.dbPath),
          h('dt', null, t('settings.logs')),
          h('dd', { class: 'mono path' }, info.logDir),
        )
      : h('p', { class: 'muted' }, t('settings.noVersion')),
  );
  root.append(viewHeader(t('settings.title'), null), form, appearance.section(), memory.section(choices.models), local.section(), backups.section(), about);
}
