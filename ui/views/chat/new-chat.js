// @ts-check
// "New chat": pick who and with what, prefilled from Settings.

import * as api from '../../api.js';
import { h, append, val, optId } from '../../dom.js';
import { t, tNodes } from '../../i18n.js';
import { submitting, viewHeader } from '../../components.js';
import { changed, navigate } from '../../state.js';
import { loadChoices } from '../choices.js';
import { chatFields } from './fields.js';
import { groups } from '../../api/groups.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params `[]` or `[characterId]`
 */
export async function renderNewChat(root, params) {
  const [s, choices] = await Promise.all([api.settings.get(), loadChoices()]);
  const form = h('form', { id: 'new-chat-form', class: 'editor card narrow', novalidate: true, 'aria-label': t('newChat.title') });
  append(form, [
    h('div', { class: 'grid' }, ...chatFields(choices, {
      characterId: params[0] ?? s.defaultCharacterId,
      title: '',
      userProfileId: s.defaultUserProfileId,
      aiModelId: s.defaultAiModelId,
      systemPromptId: s.defaultSystemPromptId,
    }, true)),
    groupPicker(choices.characters),
    choices.models.length === 0
      ? h('p', { class: 'hint notice' }, ...tNodes('newChat.noModel', { link: h('a', { href: '#/providers/new' }, t('newChat.connectModel')) }))
      : null,
    h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'submit', class: 'btn primary', id: 'create-chat' }, t('newChat.start'))),
  ]);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const input = {
        title: val(form, 'title').trim(),
        characterId: optId(form, 'characterId'),
        userProfileId: optId(form, 'userProfileId'),
        aiModelId: optId(form, 'aiModelId'),
        systemPromptId: optId(form, 'systemPromptId'),
      };
      // Others ticked: a group chat, the chosen character first.
      const others = [...form.querySelectorAll('.group-extra:checked')].map((el) => /** @type {HTMLInputElement} */ (el).value).filter((id) => id !== input.characterId);
      const chat = others.length
        ? (await groups.create({ ...input, characterIds: input.characterId ? [input.characterId, ...others] : others })).chat
        : await api.chats.create(input);
      changed('chats');
      navigate(`chat/${chat.id}`);
    });
  });
  /** A scene with several characters: tick the others who join. @param {{value: string, label: string}[]} characters */
  function groupPicker(characters) {
    if (characters.length < 2) return null;
    return h('details', { class: 'group-picker', id: 'new-chat-group' },
      h('summary', null, t('newChat.addCharacters')),
      h('p', { class: 'hint' }, t('newChat.groupHint')),
      h('div', { class: 'group-picker-list' }, ...characters.map((c) => h('label', { class: 'check' },
        h('input', { type: 'checkbox', class: 'group-extra', value: c.value, id: `group-extra-${c.value}` }), ` ${c.label}`))));
  }
  root.append(viewHeader(t('newChat.title'), t('newChat.subtitle')), form);
  if (choices.characters.length === 0) {
    form.before(h('p', { class: 'notice' }, t('newChat.noCharacters')));
  }
}
