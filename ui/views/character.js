// @ts-check
// The character editor: every field of a card in tabbed sections (Basics,
// Greetings, Examples & prompts, Lorebook, Documents, Details; the first message is
// in Basics, as a new character needs it), token counts, the
// picture, Save, Delete, Start chat, and export as a card file.

import * as api from '../api.js';
import { h, field, input, textarea, val, splitTags, ago, newId } from '../dom.js';
import { submitting, showError, confirmDialog, toast, viewHeader, clearBanner } from '../components.js';
import { changed, navigate } from '../state.js';
import { lorebookEditor } from './lorebook.js';
import { avatarImg, avatarPicker } from './avatar.js';
import { tabbed } from './character/tabs.js';
import { placeDocuments, takeDocumentDrops } from './documents.js';
import { tokenCounts } from './character/tokens.js';
import { t } from '../i18n.js';

/** @type {{format: api.CardFormat, id: string, label: () => string}[]} */
const EXPORTS = [
  { format: 'png', id: 'export-png', label: () => t('character.exportPng') },
  { format: 'json_v2', id: 'export-json-v2', label: () => t('character.exportJsonV2') },
  { format: 'json_v3', id: 'export-json-v3', label: () => t('character.exportJsonV3') },
];

/**
 * The export buttons and where the file went. They export what is stored,
 * so unsaved edits are not in the file.
 * @param {string} id
 */
function exportSection(id) {
  const status = h('p', { id: 'export-status', class: 'export-status', role: 'status', 'aria-live': 'polite' });
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  /** @param {api.CardFormat} format */
  const run = async (format) => {
    clearBanner();
    status.textContent = '';
    for (const b of buttons) b.disabled = true;
    try {
      const { path } = await api.transfer.exportCharacter(id, format);
      status.textContent = t('character.savedTo', { path });
    } catch (e) {
      showError(e);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  for (const x of EXPORTS) buttons.push(h('button', { type: 'button', id: x.id, class: 'btn small', onclick: () => void run(x.format) }, x.label()));
  return h(
    'section',
    { class: 'form-section export', id: 'export', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, t('character.export')),
    h('p', { class: 'hint' }, t('character.exportHint')),
    h('div', { class: 'export-actions' }, ...buttons),
    status,
  );
}

/** @type {api.CharacterInput} */
const BLANK = {
  name: '',
  description: '',
  personality: '',
  scenario: '',
  firstMessage: '',
  exampleMessages: '',
  alternateGreetings: [],
  systemPrompt: '',
  postHistoryInstructions: '',
  creatorNotes: '',
  tags: [],
  creator: '',
  characterVersion: '',
};

/**
 * Starts a chat with a character using the default persona, model and
 * prompt from Settings, then opens it.
 * @param {string} characterId
 */
export async function startChat(characterId) {
  const s = await api.settings.get();
  const chat = await api.chats.create({
    title: '',
    characterId,
    userProfileId: s.defaultUserProfileId,
    aiModelId: s.defaultAiModelId,
    systemPromptId: s.defaultSystemPromptId,
  });
  changed('chats');
  navigate(`chat/${chat.id}`);
}

/**
 * The add/remove list of alternate greetings.
 * @param {string[]} greetings
 */
function greetingList(greetings) {
  const items = h('ol', { class: 'greetings' });
  const legendId = newId('greetings');
  const renumber = () => {
    [...items.children].forEach((li, i) => {
      li.querySelector('textarea')?.setAttribute('aria-label', t('character.alternateGreetingN', { n: i + 1 }));
    });
  };
  /** @param {string} text */
  const add = (text) => {
    const area = textarea('alternateGreetings', text, { rows: 3 });
    const li = h(
      'li',
      null,
      area,
      h('button', { type: 'button', class: 'btn subtle small', onclick: () => { li.remove(); renumber(); } }, t('character.remove')),
    );
    items.append(li);
    renumber();
    return area;
  };
  for (const g of greetings) add(g);
  return h(
    'fieldset',
    { class: 'field wide', data: { field: 'alternateGreetings' }, 'aria-labelledby': legendId },
    h('legend', { id: legendId }, t('character.alternateGreetings')),
    h('p', { class: 'hint' }, t('character.alternateGreetingsHint')),
    items,
    h('button', { type: 'button', class: 'btn small', onclick: () => add('').focus() }, t('character.addGreeting')),
  );
}

/**
 * @param {HTMLElement} root
 * @param {string[]} params `["new"]` or `[id]`
 */
export async function render(root, params) {
  const id = params[0] && params[0] !== 'new' ? params[0] : null;
  const existing = id ? await api.characters.get(id) : null;
  const c = existing ?? BLANK;
  const lore = lorebookEditor(existing?.characterBook ?? null);

  const form = h('form', { id: 'character-form', class: 'editor', novalidate: true, 'aria-label': t('character.formLabel') });
  const grid = (/** @type {Node[]} */ ...fields) => h('div', { class: 'grid' }, ...fields);
  const picture = existing
    ? h('div', { class: 'field wide' }, avatarPicker('character', existing.id, existing.name))
    : h('p', { class: 'hint wide' }, t('character.pictureLater'));

  // The character's documents (every chat with it draws on them); dropped
  // document files go there while the editor is open.
  const docs = existing ? placeDocuments({ scope: 'character', id: existing.id }, 'character-docs', t('character.noDocuments')) : null;
  if (docs) {
    takeDocumentDrops(root, (paths) => void docs.drop(paths));
    void docs.reload();
  }
  const tabs = tabbed([
    {
      id: 'basics',
      label: t('character.tabBasics'),
      content: [grid(
        field(t('character.name'), input('name', c.name, { maxlength: 200 }), { required: true }),
        picture,
        field(t('character.description'), textarea('description', c.description, { rows: 7 }), { wide: true, hint: t('character.descriptionHint') }),
        field(t('character.personality'), textarea('personality', c.personality, { rows: 3 }), { wide: true }),
        field(t('character.scenario'), textarea('scenario', c.scenario, { rows: 3 }), { wide: true, hint: t('character.scenarioHint') }),
        field(t('character.firstMessage'), textarea('firstMessage', c.firstMessage, { rows: 5 }), { wide: true, hint: t('character.firstMessageHint') }),
      )],
    },
    {
      id: 'greetings',
      label: t('character.tabGreetings'),
      content: [grid(greetingList(c.alternateGreetings))],
    },
    {
      id: 'prompts',
      label: t('character.tabPrompts'),
      content: [grid(
        field(t('character.exampleMessages'), textarea('exampleMessages', c.exampleMessages, { rows: 6 }), { wide: true, hint: t('character.exampleMessagesHint') }),
        field(t('character.systemPrompt'), textarea('systemPrompt', c.systemPrompt, { rows: 4 }), { wide: true, hint: t('character.systemPromptHint') }),
        field(t('character.postHistory'), textarea('postHistoryInstructions', c.postHistoryInstructions, { rows: 3 }), { wide: true, hint: t('character.postHistoryHint') }),
      )],
    },
    { id: 'lorebook', label: t('character.tabLorebook'), content: [lore.element] },
    ...(docs ? [{ id: 'documents', label: t('character.tabDocuments'), content: [docs.element] }] : []),
    {
      id: 'details',
      label: t('character.tabDetails'),
      content: [
        grid(
          field(t('character.creator'), input('creator', c.creator)),
          field(t('character.version'), input('characterVersion', c.characterVersion)),
          field(t('character.tags'), input('tags', c.tags.join(', ')), { hint: t('character.tagsHint'), wide: true }),
          field(t('character.creatorNotes'), textarea('creatorNotes', c.creatorNotes, { rows: 4 }), { wide: true, hint: t('character.creatorNotesHint') }),
        ),
        ...(existing ? [exportSection(existing.id)] : []),
      ],
    },
  ]);
  form.append(tabs.element);
  const total = tokenCounts(form);
  form.append(h('div', { class: 'form-footer' }, total, h('span', { class: 'spacer' }), h('button', { type: 'submit', id: 'save', class: 'btn primary' }, existing ? t('character.saveChanges') : t('character.create'))));

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      /** @type {api.CharacterInput & {characterBook?: unknown, extensions?: unknown}} */
      const inputData = {
        name: val(form, 'name').trim(),
        description: val(form, 'description'),
        personality: val(form, 'personality'),
        scenario: val(form, 'scenario'),
        firstMessage: val(form, 'firstMessage'),
        exampleMessages: val(form, 'exampleMessages'),
        alternateGreetings: [...form.querySelectorAll('textarea[name="alternateGreetings"]')]
          .map((t) => /** @type {HTMLTextAreaElement} */ (t).value)
          .filter((t) => t.trim() !== ''),
        systemPrompt: val(form, 'systemPrompt'),
        postHistoryInstructions: val(form, 'postHistoryInstructions'),
        creatorNotes: val(form, 'creatorNotes'),
        tags: splitTags(val(form, 'tags')),
        creator: val(form, 'creator').trim(),
        characterVersion: val(form, 'characterVersion').trim(),
        // Always sent: on update an absent book would keep the stored one.
        characterBook: lore.read(),
      };
      // Sent back as loaded, so saving never loses what an imported card carried.
      if (existing && existing.extensions !== null && existing.extensions !== undefined) inputData.extensions = existing.extensions;
      const saved = existing ? await api.characters.update(existing.id, inputData) : await api.characters.create(inputData);
      changed('characters');
      toast(existing ? t('character.saved') : t('character.created'));
      if (existing) {
        title.textContent = saved.name;
        subtitle.textContent = t('character.savedAgo', { when: ago(saved.updatedAt) });
      } else {
        navigate(`character/${saved.id}`);
      }
    }).then(() => tabs.reveal(form));
  });

  const startBtn = existing
    ? h('button', {
        type: 'button',
        id: 'start-chat',
        class: 'btn primary',
        onclick: async (/** @type {MouseEvent} */ ev) => {
          const btn = /** @type {HTMLButtonElement} */ (ev.currentTarget);
          clearBanner();
          btn.disabled = true;
          try {
            await startChat(existing.id);
          } catch (e) {
            showError(e);
          } finally {
            btn.disabled = false;
          }
        },
      }, t('character.startChat'))
    : null;
  const deleteBtn = existing
    ? h('button', {
        type: 'button',
        id: 'delete',
        class: 'btn danger-subtle',
        onclick: async () => {
          const ok = await confirmDialog({
            title: t('character.trashTitle', { name: existing.name }),
            message: t('character.trashMessage'),
            confirmLabel: t('character.moveToTrash'),
            danger: true,
          });
          if (!ok) return;
          try {
            await api.characters.remove(existing.id);
            changed('characters', 'chats');
            toast(t('character.movedToTrash'));
            navigate('');
          } catch (e) {
            showError(e);
          }
        },
      }, t('common.delete'))
    : null;

  const header = viewHeader(existing ? existing.name : t('character.new'), existing ? t('character.updatedAgo', { when: ago(existing.updatedAt) }) : t('character.intro'), deleteBtn, startBtn);
  if (existing) {
    header.classList.add('with-avatar');
    // Decorative: the name is in the heading beside it.
    header.prepend(avatarImg('character', existing.id, existing.name, 56, 'character-avatar'));
  }
  const title = /** @type {HTMLElement} */ (header.querySelector('h1'));
  const subtitle = /** @type {HTMLElement} */ (header.querySelector('.subtitle'));
  root.append(header, form);
  if (!existing) /** @type {HTMLInputElement} */ (form.elements.namedItem('name')).focus();
}
