// @ts-check
// Settings: defaults for new chats (the author's note too), generation defaults, how the composer
// sends (a preference in `app_config`), Memory (settings-memory.js), Models
// on this computer (settings-local.js),
// Backups (backups.js) and About.
// The generation values are the last of three layers: a chat's overrides,
// then its model, then these (services/generation_params.rs).

import * as api from '../api.js';
import { h, field, input, num, optId, select } from '../dom.js';
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
  const form = h('form', { id: 'settings-form', class: 'editor', novalidate: true, 'aria-label': 'Settings' });
  const number = (/** @type {string} */ name, /** @type {number} */ value, /** @type {Record<string, string>} */ attrs) =>
    input(name, value, { type: 'number', inputmode: 'decimal', ...attrs });
  form.append(
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, 'Defaults for new chats'),
      h('p', { class: 'hint' }, 'Used by \u201cNew chat\u201d and \u201cStart chat\u201d; each chat can change them later.'),
      h(
        'div',
        { class: 'grid' },
        field('Character', choiceSelect('defaultCharacterId', choices.characters, s.defaultCharacterId, 'None')),
        field('Persona', choiceSelect('defaultUserProfileId', choices.personas, s.defaultUserProfileId, 'None')),
        // While a model exists one is always the default (services/settings.rs): no "None".
        field('Model', choices.models.length ? select('defaultAiModelId', choices.models, s.defaultAiModelId ?? choices.models[0].value) : choiceSelect('defaultAiModelId', [], null, 'None — add one in Providers & models')),
        field('System prompt', choiceSelect('defaultSystemPromptId', choices.prompts, s.defaultSystemPromptId, 'None')),
      ),
    ),
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, 'Generation'),
      h(
        'p',
        { class: 'hint' },
        'Used when neither the chat (its Generation overrides) nor its model sets a value: the chat comes first, then the model, then these.',
      ),
      h(
        'div',
        { class: 'grid three' },
        field('Temperature', number('temperature', s.temperature, { step: '0.05', min: '0', max: '2' }), { hint: '0\u20132; higher is more varied.' }),
        field('Max output tokens', number('maxOutputTokens', s.maxOutputTokens, { step: '1', min: '1' }), { hint: 'Longest reply.' }),
        field('Context length', number('contextLength', s.contextLength, { step: '1', min: '1' }), { hint: 'Tokens the model reads: prompt, history and reply.' }),
      ),
    ),
    h(
      'section',
      { class: 'form-section card' },
      h('h2', null, 'Writing'),
      h('div', { class: 'field check' }, enterBox, h('label', { for: 'enter-sends' }, 'Enter sends a message (Shift+Enter starts a new line)')),
      h('p', { class: 'hint' }, 'Off: Enter starts a new line and Ctrl+Enter sends.'),
    ),
    h('section', { class: 'form-section card' }, authorsNoteFieldset(note, 'The note a new chat starts with; each chat changes its own in Chat settings.')),
    h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'submit', class: 'btn primary', id: 'save' }, 'Save settings')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      // The back end needs numbers here; an empty box is named before sending.
      for (const name of ['temperature', 'maxOutputTokens', 'contextLength']) {
        if (num(form, name) === null) {
          const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
          throw { error: 'enter a number', type: 'ValidationError', details: { field: snake } };
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
      toast('Settings saved');
    });
  });

  const about = h(
    'section',
    { class: 'card about', 'aria-labelledby': 'about-title' },
    h('h2', { id: 'about-title' }, 'About Parley'),
    info
      ? h(
          'dl',
          null,
          h('dt', null, 'Version'),
          h('dd', null, info.version),
          h('dt', null, 'Schema version'),
          h('dd', null, String(info.schemaVersion)),
          h('dt', null, 'Database'),
          h('dd', { class: 'mono path' }, info.dbPath),
          h('dt', null, 'Logs'),
          h('dd', { class: 'mono path' }, info.logDir),
        )
      : h('p', { class: 'muted' }, 'Version information is not available.'),
  );
  root.append(viewHeader('Settings', null), form, appearance.section(), memory.section(choices.models), local.section(), backups.section(), about);
}
