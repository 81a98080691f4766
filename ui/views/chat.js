// @ts-check
// A chat: its messages (the last page first, earlier pages on demand), the
// composer, per-message edit and delete, and the chat's own settings.
// Replies from the model (streaming) are a later feature.

import * as api from '../api.js';
import { h, append, field, input, val, optId, when, ago } from '../dom.js';
import { submitting, showError, confirmDialog, toast, viewHeader, clearBanner } from '../components.js';
import { changed, navigate } from '../state.js';
import { loadChoices, choiceSelect } from './choices.js';

/** Messages per page. */
const PAGE = 50;

/**
 * The persona / model / prompt selects shared by "New chat" and a chat's settings.
 * @param {import('./choices.js').Choices} choices
 * @param {Partial<api.ChatInput>} v
 * @param {boolean} withCharacter
 */
function chatFields(choices, v, withCharacter) {
  return [
    withCharacter ? field('Character', choiceSelect('characterId', choices.characters, v.characterId, 'No character (plain assistant)')) : null,
    field('Title', input('title', v.title, { maxlength: 500, placeholder: 'Named after the character' })),
    field('Persona', choiceSelect('userProfileId', choices.personas, v.userProfileId, 'None')),
    field('Model', choiceSelect('aiModelId', choices.models, v.aiModelId, 'None')),
    field('System prompt', choiceSelect('systemPromptId', choices.prompts, v.systemPromptId, 'None')),
  ].filter((x) => x !== null);
}

/**
 * "New chat": pick who and with what, prefilled from Settings.
 * @param {HTMLElement} root
 * @param {string[]} params `[]` or `[characterId]`
 */
export async function renderNewChat(root, params) {
  const [s, choices] = await Promise.all([api.settings.get(), loadChoices()]);
  const form = h('form', { id: 'new-chat-form', class: 'editor card narrow', novalidate: true, 'aria-label': 'New chat' });
  append(form, [
    h('div', { class: 'grid' }, ...chatFields(choices, {
      characterId: params[0] ?? s.defaultCharacterId,
      title: '',
      userProfileId: s.defaultUserProfileId,
      aiModelId: s.defaultAiModelId,
      systemPromptId: s.defaultSystemPromptId,
    }, true)),
    choices.models.length === 0
      ? h('p', { class: 'hint notice' }, 'No models yet. You can chat without one, but add a provider and a model in Providers & models to get replies.')
      : null,
    h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'submit', class: 'btn primary', id: 'create-chat' }, 'Start chat')),
  ]);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, async () => {
      const chat = await api.chats.create({
        title: val(form, 'title').trim(),
        characterId: optId(form, 'characterId'),
        userProfileId: optId(form, 'userProfileId'),
        aiModelId: optId(form, 'aiModelId'),
        systemPromptId: optId(form, 'systemPromptId'),
      });
      changed('chats');
      navigate(`chat/${chat.id}`);
    });
  });
  root.append(viewHeader('New chat', 'The character opens with their first message; then it is your turn.'), form);
  if (choices.characters.length === 0) {
    form.before(h('p', { class: 'notice' }, 'No characters yet. Create one to start chatting, or chat with a plain assistant.'));
  }
}

/**
 * @param {HTMLElement} root
 * @param {string[]} params `[chatId]`
 */
export async function render(root, params) {
  const chatId = params[0];
  let chat = await api.chats.get(chatId);
  const [character, persona] = await Promise.all([
    chat.characterId ? api.characters.get(chat.characterId).catch(() => null) : null,
    chat.userProfileId ? api.personas.get(chat.userProfileId).catch(() => null) : null,
  ]);
  /** @type {Record<api.Role, string>} */
  const authors = { assistant: character?.name ?? 'Assistant', user: persona?.name ?? 'You', system: 'System' };

  const list = h('div', { id: 'messages', class: 'messages', role: 'log', 'aria-label': 'Messages' });
  const earlier = h('button', { type: 'button', id: 'load-earlier', class: 'btn subtle small', hidden: true }, 'Load earlier messages');
  const empty = h('p', { class: 'empty chat-empty', hidden: true }, 'No messages yet. Say hello below.');
  const scroller = h('div', { class: 'chat-scroll' }, h('div', { class: 'chat-column' }, earlier, list, empty));
  /** @type {string | null} */
  let cursor = null;
  let loadingEarlier = false;

  const updateEmpty = () => {
    empty.hidden = list.childElementCount > 0;
  };
  const scrollToBottom = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };

  /** @param {api.Message} m */
  function messageEl(m) {
    const content = h('div', { class: 'message-content' }, m.content);
    const status = m.status && m.status !== 'completed' ? h('span', { class: `badge status-${m.status}` }, m.status) : null;
    const swipes = m.swipeCount > 1 ? h('span', { class: 'message-meta' }, `${m.activeSwipe + 1}/${m.swipeCount}`) : null;
    const actions = h(
      'div',
      { class: 'message-actions' },
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Edit message', title: 'Edit', onclick: () => startEdit() }, 'Edit'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': 'Delete message', title: 'Delete', onclick: () => void remove() }, 'Delete'),
    );
    const el = h(
      'article',
      { class: `message role-${m.role}`, data: { role: m.role, id: m.id }, 'aria-label': `${authors[m.role]}` },
      h('div', { class: 'message-head' }, h('span', { class: 'message-author' }, authors[m.role] ?? m.role), h('time', { class: 'message-time', datetime: m.createdAt, title: when(m.createdAt) }, ago(m.createdAt)), status, swipes, actions),
      content,
    );

    function startEdit() {
      if (el.querySelector('.message-edit')) return;
      const area = h('textarea', { class: 'message-edit', 'aria-label': 'Message text', rows: Math.min(14, Math.max(3, m.content.split('\n').length + 1)), value: m.content });
      const save = h('button', { type: 'button', class: 'btn primary small', onclick: () => void saveEdit() }, 'Save');
      const cancel = h('button', { type: 'button', class: 'btn small', onclick: () => stopEdit() }, 'Cancel');
      const box = h('div', { class: 'message-editor' }, area, h('div', { class: 'message-edit-actions' }, h('span', { class: 'hint' }, 'Ctrl+Enter to save, Esc to cancel'), cancel, save));
      area.addEventListener('keydown', (ev) => {
        if (ev.key === 'Escape') stopEdit();
        if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
          ev.preventDefault();
          void saveEdit();
        }
      });
      content.replaceWith(box);
      el.classList.add('editing');
      area.focus();

      function stopEdit() {
        box.replaceWith(content);
        el.classList.remove('editing');
      }
      async function saveEdit() {
        clearBanner();
        save.disabled = true;
        try {
          const updated = await api.messages.update(m.id, area.value);
          el.replaceWith(messageEl(updated));
          changed('chats');
        } catch (e) {
          showError(e);
          save.disabled = false;
        }
      }
    }

    async function remove() {
      const ok = await confirmDialog({ title: 'Delete this message?', message: 'It is removed from the chat for good.', confirmLabel: 'Delete', danger: true });
      if (!ok) return;
      try {
        await api.messages.remove(m.id);
        el.remove();
        updateEmpty();
        changed('chats');
      } catch (e) {
        showError(e);
      }
    }
    return el;
  }

  async function loadEarlier() {
    if (!cursor || loadingEarlier) return;
    loadingEarlier = true;
    earlier.disabled = true;
    // Keep what the person is reading in place while content grows above it.
    const before = scroller.scrollHeight - scroller.scrollTop;
    try {
      const page = await api.messages.page(chatId, cursor, PAGE);
      list.prepend(...page.items.map(messageEl));
      cursor = page.nextCursor;
      earlier.hidden = !cursor;
      scroller.scrollTop = scroller.scrollHeight - before;
    } catch (e) {
      showError(e);
    } finally {
      earlier.disabled = false;
      loadingEarlier = false;
    }
  }
  earlier.addEventListener('click', () => void loadEarlier());
  scroller.addEventListener('scroll', () => {
    if (scroller.scrollTop < 60 && cursor) void loadEarlier();
  });

  // Composer: Enter sends, Shift+Enter is a new line.
  const composer = h('textarea', { id: 'composer', rows: 1, placeholder: `Message ${character?.name ?? 'the assistant'}\u2026`, 'aria-label': 'Your message' });
  const send = h('button', { type: 'submit', id: 'send', class: 'btn primary', disabled: true }, 'Send');
  const composerForm = h('form', { class: 'composer', 'aria-label': 'Write a message' }, h('div', { class: 'composer-box' }, composer, send), h('p', { class: 'composer-hint' }, 'Enter to send \u00b7 Shift+Enter for a new line'));
  const autosize = () => {
    composer.style.height = 'auto';
    composer.style.height = `${Math.min(composer.scrollHeight, 240)}px`;
    send.disabled = composer.value.trim() === '';
  };
  composer.addEventListener('input', autosize);
  composer.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      ev.preventDefault();
      void sendMessage();
    }
  });
  composerForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void sendMessage();
  });
  async function sendMessage() {
    const text = composer.value.trim();
    if (!text || composer.readOnly) return;
    clearBanner();
    composer.readOnly = true;
    send.disabled = true;
    try {
      const msg = await api.messages.add(chatId, 'user', text);
      composer.value = '';
      list.append(messageEl(msg));
      updateEmpty();
      scrollToBottom();
      changed('chats');
    } catch (e) {
      showError(e);
    } finally {
      composer.readOnly = false;
      autosize();
      composer.focus();
    }
  }

  // Header and the chat's own settings.
  const settingsPanel = h('div', { class: 'chat-settings', hidden: true });
  const settingsBtn = h('button', { type: 'button', class: 'btn', 'aria-expanded': 'false', 'aria-controls': 'chat-settings-form', onclick: () => void toggleSettings() }, 'Chat settings');
  const deleteBtn = h('button', {
    type: 'button',
    class: 'btn danger-subtle',
    onclick: async () => {
      const ok = await confirmDialog({ title: `Move \u201c${chat.title || 'this chat'}\u201d to the trash?`, message: 'You can restore it from Trash.', confirmLabel: 'Move to trash', danger: true });
      if (!ok) return;
      try {
        await api.chats.remove(chat.id);
        changed('chats');
        toast('Chat moved to trash');
        navigate('');
      } catch (e) {
        showError(e);
      }
    },
  }, 'Delete');
  const header = viewHeader(chat.title || 'Untitled chat', null, settingsBtn, deleteBtn);
  const titleEl = /** @type {HTMLElement} */ (header.querySelector('h1'));
  const sub = h('p', { class: 'subtitle' }, character ? h('a', { href: `#/character/${character.id}` }, character.name) : 'No character', persona ? ` \u00b7 as ${persona.name}` : null);
  header.querySelector('.view-titles')?.append(sub);

  async function toggleSettings() {
    const open = settingsPanel.hidden;
    settingsBtn.setAttribute('aria-expanded', String(open));
    if (!open) {
      settingsPanel.hidden = true;
      return;
    }
    const choices = await loadChoices();
    const form = h('form', { id: 'chat-settings-form', class: 'editor card', novalidate: true, 'aria-label': 'Chat settings' });
    form.append(
      h('div', { class: 'grid' }, ...chatFields(choices, chat, false)),
      h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), h('button', { type: 'button', class: 'btn', onclick: () => void toggleSettings() }, 'Close'), h('button', { type: 'submit', class: 'btn primary' }, 'Save')),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void submitting(form, async () => {
        const updated = await api.chats.update(chat.id, {
          title: val(form, 'title').trim(),
          characterId: chat.characterId,
          userProfileId: optId(form, 'userProfileId'),
          aiModelId: optId(form, 'aiModelId'),
          systemPromptId: optId(form, 'systemPromptId'),
        });
        changed('chats');
        toast('Chat saved');
        if (updated.userProfileId !== chat.userProfileId) {
          navigate(`chat/${chat.id}`); // author names change: render afresh
          return;
        }
        chat = updated;
        titleEl.textContent = chat.title || 'Untitled chat';
        void toggleSettings();
      });
    });
    settingsPanel.replaceChildren(form);
    settingsPanel.hidden = false;
    /** @type {HTMLElement | null} */ (form.querySelector('input'))?.focus();
  }

  root.append(header, settingsPanel, scroller, composerForm);

  const page = await api.messages.page(chatId, null, PAGE);
  list.append(...page.items.map(messageEl));
  cursor = page.nextCursor;
  earlier.hidden = !cursor;
  updateEmpty();
  scrollToBottom();
  composer.focus();
}
