// @ts-check
// A chat's own settings: a drawer at the right, under the header, with its title, persona,
// model and system prompt, its generation overrides (overrides.js), whose
// empty boxes show what the chosen model or Settings gives instead, and its
// author's note (authors-note.js).

import * as api from '../../api.js';
import { h, val, optId } from '../../dom.js';
import { t } from '../../i18n.js';
import { submitting, toast } from '../../components.js';
import { changed, navigate } from '../../state.js';
import { loadChoices } from '../choices.js';
import { overridesFieldset, showInherited, readOverrides, loadInherited } from '../overrides.js';
import { chatFields } from './fields.js';
import { authorsNoteFieldset, readAuthorsNote } from '../authors-note.js';

export class ChatSettings {
  /**
   * @param {() => api.Chat} chat the chat as it stands
   * @param {(updated: api.Chat) => void} saved the chat was saved (its title may have changed)
   */
  constructor(chat, saved) {
    this.chat = chat;
    this.saved = saved;
    this.panel = h('div', { class: 'chat-settings', hidden: true });
    // In a narrow window only the gear shows (styles.css); the name stays for screen readers.
    this.button = h(
      'button',
      { type: 'button', class: 'btn chat-settings-btn', title: t('chatSettings.buttonTitle'), 'aria-label': t('chatSettings.title'), 'aria-expanded': 'false', 'aria-controls': 'chat-settings-form', onclick: () => (this.panel.hidden ? void this.open() : this.close()) },
      h('span', { 'aria-hidden': 'true' }, '\u2699'),
      h('span', { class: 'btn-label' }, t('chatSettings.title')),
    );
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  /** Opens the chat settings (afresh) and resolves to their form. */
  async open() {
    const chat = this.chat();
    const [choices, inherited] = await Promise.all([loadChoices(), loadInherited(chat.aiModelId)]);
    const form = h('form', { id: 'chat-settings-form', class: 'editor card', novalidate: true, 'aria-label': t('chatSettings.title') });
    const overrides = overridesFieldset(chat.generation, inherited);
    form.append(
      h('div', { class: 'grid' }, ...chatFields(choices, chat, false)),
      overrides,
      authorsNoteFieldset(chat.authorsNote, t('chatSettings.authorsNoteHint')),
      h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'btn', onclick: () => this.close() }, t('common.close')), h('button', { type: 'submit', class: 'btn primary' }, t('common.save'))),
    );
    // Another model: the empty boxes say what it gives instead.
    let asked = 0;
    form.querySelector('[name="aiModelId"]')?.addEventListener('change', () => {
      const mine = ++asked;
      void loadInherited(optId(form, 'aiModelId')).then(
        (from) => {
          if (mine === asked) showInherited(overrides, from);
        },
        (e) => console.warn('the chosen model could not be read', e),
      );
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submitting(form, async () => {
        const before = this.chat();
        const updated = await api.chats.update(before.id, {
          title: val(form, 'title').trim(),
          characterId: before.characterId,
          userProfileId: optId(form, 'userProfileId'),
          aiModelId: optId(form, 'aiModelId'),
          systemPromptId: optId(form, 'systemPromptId'),
          generation: readOverrides(form),
          authorsNote: readAuthorsNote(form),
        });
        changed('chats');
        toast(t('chatSettings.saved'));
        if (updated.userProfileId !== before.userProfileId) {
          navigate(`chat/${before.id}`); // author names change: render afresh
          return;
        }
        this.saved(updated);
        this.close();
      });
    });
    this.panel.replaceChildren(form);
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    /** @type {HTMLElement | null} */ (form.querySelector('input'))?.focus();
    return form;
  }
}
