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

/** @type {{format: api.CardFormat, id: string, label: string}[]} */
const EXPORTS = [
  { format: 'png', id: 'export-png', label: 'Export PNG card' },
  { format: 'json_v2', id: 'export-json-v2', label: 'Export JSON (V2)' },
  { format: 'json_v3', id: 'export-json-v3', label: 'Export JSON (V3)' },
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
      status.textContent = `Saved to ${path}`;
    } catch (e) {
      showError(e);
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  };
  for (const x of EXPORTS) buttons.push(h('button', { type: 'button', id: x.id, class: 'btn small', onclick: () => void run(x.format) }, x.label));
  return h(
    'section',
    { class: 'form-section export', id: 'export', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Export'),
    h('p', { class: 'hint' }, 'Writes the saved character as a card into your Downloads folder; save your changes first.'),
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
      li.querySelector('textarea')?.setAttribute('aria-label', `Alternate greeting ${i + 1}`);
    });
  };
  /** @param {string} text */
  const add = (text) => {
    const area = textarea('alternateGreetings', text, { rows: 3 });
    const li = h(
      'li',
      null,
      area,
      h('button', { type: 'button', class: 'btn subtle small', onclick: () => { li.remove(); renumber(); } }, 'Remove'),
    );
    items.append(li);
    renumber();
    return area;
  };
  for (const g of greetings) add(g);
  return h(
    'fieldset',
    { class: 'field wide', data: { field: 'alternateGreetings' }, 'aria-labelledby': legendId },
    h('legend', { id: legendId }, 'Alternate greetings'),
    h('p', { class: 'hint' }, 'Other openings a chat can start with.'),
    items,
    h('button', { type: 'button', class: 'btn small', onclick: () => add('').focus() }, '+ Add greeting'),
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

  const form = h('form', { id: 'character-form', class: 'editor', novalidate: true, 'aria-label': 'Character' });
  const grid = (/** @type {Node[]} */ ...fields) => h('div', { class: 'grid' }, ...fields);
  const picture = existing
    ? h('div', { class: 'field wide' }, avatarPicker('character', existing.id, existing.name))
    : h('p', { class: 'hint wide' }, 'Create the character, then give it a picture.');

  // The character's documents (every chat with it draws on them); dropped
  // document files go there while the editor is open.
  const docs = existing ? placeDocuments({ scope: 'character', id: existing.id }, 'character-docs', 'No documents yet. Every chat with this character draws on the documents added here.') : null;
  if (docs) {
    takeDocumentDrops(root, (paths) => void docs.drop(paths));
    void docs.reload();
  }
  const tabs = tabbed([
    {
      id: 'basics',
      label: 'Basics',
      content: [grid(
        field('Name', input('name', c.name, { maxlength: 200 }), { required: true }),
        picture,
        field('Description', textarea('description', c.description, { rows: 7 }), { wide: true, hint: 'Appearance, background, anything the model should know.' }),
        field('Personality', textarea('personality', c.personality, { rows: 3 }), { wide: true }),
        field('Scenario', textarea('scenario', c.scenario, { rows: 3 }), { wide: true, hint: 'Where and when the conversation takes place.' }),
        field('First message', textarea('firstMessage', c.firstMessage, { rows: 5 }), { wide: true, hint: 'The character opens every new chat with this; other openings are under Greetings.' }),
      )],
    },
    {
      id: 'greetings',
      label: 'Greetings',
      content: [grid(greetingList(c.alternateGreetings))],
    },
    {
      id: 'prompts',
      label: 'Examples & prompts',
      content: [grid(
        field('Example messages', textarea('exampleMessages', c.exampleMessages, { rows: 6 }), { wide: true, hint: 'Sample dialogue that shows how the character talks.' }),
        field('System prompt override', textarea('systemPrompt', c.systemPrompt, { rows: 4 }), { wide: true, hint: 'Replaces the chat\u2019s system prompt when set.' }),
        field('Post-history instructions', textarea('postHistoryInstructions', c.postHistoryInstructions, { rows: 3 }), { wide: true, hint: 'Sent after the conversation, right before the reply.' }),
      )],
    },
    { id: 'lorebook', label: 'Lorebook', content: [lore.element] },
    ...(docs ? [{ id: 'documents', label: 'Documents', content: [docs.element] }] : []),
    {
      id: 'details',
      label: 'Details',
      content: [
        grid(
          field('Creator', input('creator', c.creator)),
          field('Version', input('characterVersion', c.characterVersion)),
          field('Tags', input('tags', c.tags.join(', ')), { hint: 'Separate tags with commas.', wide: true }),
          field('Creator notes', textarea('creatorNotes', c.creatorNotes, { rows: 4 }), { wide: true, hint: 'For people reading the card; not sent to the model.' }),
        ),
        ...(existing ? [exportSection(existing.id)] : []),
      ],
    },
  ]);
  form.append(tabs.element);
  const total = tokenCounts(form);
  form.append(h('div', { class: 'form-footer' }, total, h('span', { class: 'spacer' }), h('button', { type: 'submit', id: 'save', class: 'btn primary' }, existing ? 'Save changes' : 'Create character')));

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
      toast(existing ? 'Character saved' : 'Character created');
      if (existing) {
        title.textContent = saved.name;
        subtitle.textContent = `Saved ${ago(saved.updatedAt)}`;
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
      }, 'Start chat')
    : null;
  const deleteBtn = existing
    ? h('button', {
        type: 'button',
        id: 'delete',
        class: 'btn danger-subtle',
        onclick: async () => {
          const ok = await confirmDialog({
            title: `Move \u201c${existing.name}\u201d to the trash?`,
            message: 'Its chats stay. You can restore the character from Trash.',
            confirmLabel: 'Move to trash',
            danger: true,
          });
          if (!ok) return;
          try {
            await api.characters.remove(existing.id);
            changed('characters', 'chats');
            toast('Moved to trash');
            navigate('');
          } catch (e) {
            showError(e);
          }
        },
      }, 'Delete')
    : null;

  const header = viewHeader(existing ? existing.name : 'New character', existing ? `Updated ${ago(existing.updatedAt)}` : 'Describe who they are; only the name is required.', deleteBtn, startBtn);
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
