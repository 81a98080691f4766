// @ts-check
// A chat: the screen that puts its parts together. The message list
// (list.js) shows the chat's messages, each in a bubble (bubble.js); the
// composer (composer.js) sends; the reply controller (reply.js) starts,
// joins and stops the one reply and writes it into its bubble; the header
// has "Show prompt" (prompt.js), Export, the chat's settings (settings.js),
// its documents (documents.js), its tasks (tasks.js) and Delete. "New chat" is new-chat.js.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { showError, showFieldError, confirmDialog, toast, viewHeader, clearBanner } from '../../components.js';
import { changed, navigate, onLeave } from '../../state.js';
import { showMessages } from './render.js';
import { MessageList } from './list.js';
import { Composer } from './composer.js';
import { attachSlash } from './slash.js';
import { QuickReplyBar } from './quick-replies.js';
import { ReplyController } from './reply.js';
import { ChatSettings } from './settings.js';
import { ChatDocuments } from './documents.js';
import { ChatTasks } from './tasks.js';
import { showPrompt } from './prompt.js';
import { openMemory } from './memory.js';
import { branchFrom, branchBar } from './branches.js';
import { branches } from '../../api/branches.js';
import { groups } from '../../api/groups.js';
import { GroupPanel, SpeakerBar, AutoMode } from './group.js';
import { openModelSetup } from '../connect.js';
import { renameTitle } from './rename.js';
import { modelPicker } from './model-picker.js';
import { chatKeys } from '../../shortcuts.js';

export { renderNewChat } from './new-chat.js';

/**
 * @param {HTMLElement} root
 * @param {string[]} params `[chatId]`, or `[chatId, messageId]` to open the chat at that message
 */
export async function render(root, params) {
  const [chatId, targetId = null] = params;
  let chat = await api.chats.get(chatId);
  const [character, persona, enterSends, origin, children, members] = await Promise.all([
    chat.characterId ? api.characters.get(chat.characterId).catch(() => null) : null,
    chat.userProfileId ? api.personas.get(chat.userProfileId).catch(() => null) : null,
    api.preferences.enterSends().catch(() => true),
    branches.origin(chatId).catch(() => null),
    branches.list(chatId).catch(() => []),
    groups.members(chatId).catch(() => []),
  ]);
  // A chat with members is a group chat: each reply has its own speaker.
  const isGroup = members.length > 0;

  /** @type {ReplyController} */
  const reply = new ReplyController({
    stateChanged: (state) => {
      composer.show(state);
      bar?.busy(state !== 'idle');
      list.list.setAttribute('aria-busy', String(state === 'streaming' || state === 'stopping'));
      list.lastBubble?.controls();
      // A new start clears an old error; joining at open keeps the open's own.
      if (state === 'starting' && reply.run?.kind !== 'attach') clearBanner();
    },
    show: (kind, started, target) => {
      if (kind === 'send' || kind === 'turn') return list.appendStart(started.userMessage, started.message);
      if (target && target.m.id === started.message.id) {
        if (list.stick) list.scrollToBottom();
        return target;
      }
      const el = list.list.querySelector(`.message[data-id="${CSS.escape(started.message.id)}"]`);
      return list.bubbleOf(el);
    },
    ended: (bubble, messageId, kind, message, error) => {
      if (bubble) list.replyEnded(bubble);
      else list.endedOutOfSight(messageId, kind, message, error?.error ?? null);
      void changed('chats');
      if (kind === 'completed') askTitle();
      if (!chat.aiModelId) void followFallback();
      if (group) void group.reload().then(() => showSpeakers(), () => {});
      auto?.replyEnded(kind);
    },
    failed: (e) => void showChatError(e),
    // Manual turns: the message is in; the person picks who answers.
    stored: (user, why) => {
      list.appendStart(user, null);
      void changed('chats');
      bar?.autoChanged(false, why === 'allMuted' ? t('chat.allMuted') : t('chat.pickWhoAnswers'));
    },
  });

  /** @type {MessageList} */
  const list = new MessageList(chatId, {
    authors: { assistant: character?.name ?? t('chat.authorAssistant'), user: persona?.name ?? t('chat.authorYou'), system: t('chat.authorSystem') },
    speakers: { assistant: { owner: 'character', id: character?.id ?? null }, user: { owner: 'persona', id: persona?.id ?? null } },
    busy: () => reply.busy,
    // Macros and Markdown are shown by Rust (`message_show`).
    render: (messages) => showMessages(chatId, messages),
    regenerate: (b) => void reply.regenerate(b),
    continueReply: (b) => void reply.continueReply(b),
    branch: (b) => void branchFrom(b.m.id),
    edited: () => void changed('chats'),
    changedChats: () => void changed('chats'),
    replyBubble: (id) => reply.bubbleFor(id),
    adopt: (b) => reply.adopt(b),
  });

  const composer = new Composer(isGroup ? t('chat.messageGroup') : character ? t('chat.messageCharacter', { name: character.name }) : t('chat.messageAssistant'), {
    send: async (text) => {
      if (reply.busy) return false;
      // The reply shows at the end of the chat: go there first from further up.
      if (list.hasAfter && !(await list.showLatest())) return false;
      const sent = await reply.send(chatId, text);
      // The sidebar's last message; the reply does not wait for it.
      if (sent) void changed('chats');
      return sent;
    },
    stop: () => void reply.stop(),
  }, enterSends);
  // `/` opens the message templates; the bar over the composer holds quick replies.
  attachSlash(composer);
  const quick = new QuickReplyBar(chatId, character ? { id: character.id, name: character.name } : null, composer);

  // Header: "Show prompt", Export, the chat's own settings, Delete.
  const settings = new ChatSettings(
    () => chat,
    (updated) => {
      chat = updated;
      showTitle();
      picker.show(chat);
    },
  );
  // The chat's documents, in a drawer like the settings (one open at a time).
  const docs = new ChatDocuments(root, chatId);
  // A group chat's members and turns: a drawer, the bar over the composer, auto-mode.
  const group = isGroup ? new GroupPanel(chatId, () => void showSpeakers()) : null;
  // Its tasks, another drawer.
  const tasks = new ChatTasks(root, chatId);
  const drawers = [settings, docs, tasks, ...(group ? [group] : [])];
  for (const d of drawers) d.button.addEventListener('click', () => drawers.filter((o) => o !== d).forEach((o) => o.close()));
  const auto = group
    ? new AutoMode({
      turn: () => reply.turn(chatId, null),
      settings: () => group.settings,
      changed: (on, why) => bar?.autoChanged(on, why),
    })
    : null;
  const bar = group && auto
    ? new SpeakerBar({
      talk: (m) => {
        if (!reply.busy) void reply.turn(chatId, m.characterId);
      },
      auto: () => (auto.on ? auto.stop(t('chat.autoStopped')) : auto.start(!reply.busy)),
    })
    : null;
  async function showSpeakers() {
    if (!group || !bar) return;
    const next = group.settings.turnOrder === 'manual' ? null : await groups.nextSpeaker(chatId).catch(() => null);
    bar.show(group.members, next?.characterId ?? null);
    sub.replaceChildren(group.members.map((m) => m.name).join(', '), persona ? ` \u00b7 ${t('chat.asPersona', { name: persona.name })}` : '');
  }
  // The person writing takes over from auto-mode.
  composer.box.addEventListener('input', () => {
    if (composer.box.value.trim()) auto?.stop(t('chat.autoStoppedWriting'));
  });
  const promptBtn = h('button', {
    type: 'button',
    class: 'btn subtle',
    id: 'show-prompt',
    title: t('chat.showPromptTitle'),
    onclick: async () => {
      clearBanner();
      promptBtn.disabled = true;
      try {
        await showPrompt(chatId);
      } catch (e) {
        void showChatError(e);
      } finally {
        promptBtn.disabled = false;
      }
    },
  }, t('chat.showPrompt'));
  const memoryBtn = h('button', {
    type: 'button',
    class: 'btn subtle',
    id: 'chat-memory',
    title: t('chat.memoryTitle'),
    onclick: () => openMemory(chatId).catch((e) => void showChatError(e)),
  }, t('chat.memory'));
  const deleteBtn = h('button', {
    type: 'button',
    class: 'btn danger-subtle',
    onclick: async () => {
      const message = children.length ? tn('chat.trashMessageBranches', children.length) : t('chat.trashMessage');
      const ok = await confirmDialog({ title: t('chat.trashTitle', { title: chat.title || t('chat.thisChat') }), message, confirmLabel: t('chat.moveToTrash'), danger: true });
      if (!ok) return;
      try {
        await api.chats.remove(chat.id);
        changed('chats');
        toast(t('chat.movedToTrash'));
        navigate('');
      } catch (e) {
        showError(e);
      }
    },
  }, t('common.delete'));
  const exportBtn = h('button', {
    type: 'button',
    class: 'btn subtle',
    id: 'export-chat',
    title: t('chat.exportTitle'),
    onclick: async () => {
      try {
        const { path, groupPath } = await api.transfer.exportChat(chat.id);
        toast(groupPath ? t('chat.savedToWithGroup', { path, groupPath }) : t('chat.savedTo', { path }), 8000);
      } catch (e) {
        showError(e);
      }
    },
  }, t('chat.export'));
  // Memory, Show prompt, Quick replies, Export and Delete are in "More" (styles.css).
  const more = h('div', { class: 'header-more', id: 'chat-more-menu' }, memoryBtn, promptBtn, quick.button, exportBtn, deleteBtn);
  const moreBtn = h('button', {
    type: 'button',
    class: 'btn subtle more-btn',
    id: 'chat-more',
    'aria-haspopup': 'true',
    'aria-expanded': 'false',
    'aria-controls': 'chat-more-menu',
    title: t('chat.more'),
    onclick: () => setMore(!more.classList.contains('open')),
  }, `${t('chat.more')} ▾`);
  /** @param {boolean} open */
  const setMore = (open) => {
    more.classList.toggle('open', open);
    moreBtn.setAttribute('aria-expanded', String(open));
  };
  more.addEventListener('click', () => setMore(false));
  const closeMore = /** @param {Event} ev */ (ev) => {
    if (ev.target instanceof Node && !more.contains(ev.target) && !moreBtn.contains(ev.target)) setMore(false);
  };
  document.addEventListener('pointerdown', closeMore);
  const picker = modelPicker(() => chat, (updated) => {
    chat = updated;
  });
  const header = viewHeader(chat.title || t('common.untitledChat'), null, picker.el, group?.button ?? null, docs.button, tasks.button, settings.button, moreBtn, more);
  const titleEl = /** @type {HTMLElement} */ (header.querySelector('h1'));
  const renameBox = renameTitle(titleEl, () => chat, (updated) => {
    chat = updated;
    showTitle();
  });
  const showTitle = () => {
    titleEl.textContent = chat.title || t('common.untitledChat');
  };

  // A chat without a model was given the default by its reply: the header
  // shows the model now in use.
  async function followFallback() {
    const fresh = await api.chats.get(chatId).catch(() => null);
    if (!fresh || !root.isConnected) return;
    chat = { ...chat, aiModelId: fresh.aiModelId };
    picker.show(chat);
  }

  // A new chat's title from its first exchange, asked once a reply has
  // completed (the model is asked in the background; the reply never waits).
  let titleAsked = false;
  function askTitle() {
    if (titleAsked) return;
    titleAsked = true;
    api.makeChatTitle(chatId).then(
      (updated) => {
        if (!updated || !root.isConnected) return;
        if (renameBox.hidden) chat = updated;
        else chat = { ...chat, title: updated.title };
        if (renameBox.hidden) showTitle();
        void changed('chats');
      },
      (e) => console.warn('the chat title could not be made', e),
    );
  }
  const sub = h('p', { class: 'subtitle' }, character ? h('a', { href: `#/character/${character.id}` }, character.name) : t('chat.noCharacter'), persona ? ` \u00b7 ${t('chat.asPersona', { name: persona.name })}` : null);
  header.querySelector('.view-titles')?.append(sub);

  /**
   * A refused start; "choose a model" comes with a button to the chat settings.
   * @param {unknown} e
   */
  async function showChatError(e) {
    const err = /** @type {api.AppError} */ (e);
    const noModel = err?.details?.field === 'ai_model_id' && (await api.models.list({ limit: 1 }).catch(() => null))?.items.length === 0;
    if (err?.details?.field === 'ai_model_id' && noModel) {
      // No model at all: the place that fixes it (connect.js).
      showError(e, null, { label: t('chat.openProviders'), run: () => void openModelSetup() });
    } else if (err?.details?.field === 'ai_model_id') {
      showError(e, null, {
        label: t('chat.openChatSettings'),
        run: () => void settings.open().then((form) => showFieldError(form, 'ai_model_id', err.error)),
      });
    } else {
      showError(e);
    }
  }

  // Under the header: where a branch came from, and the chat's branches.
  root.append(header, branchBar(chatId, origin, children.length, (e) => void showChatError(e)) ?? '', settings.panel, docs.panel, tasks.panel, group?.panel ?? '', list.el, bar?.el ?? '', quick.el, composer.el);
  // The settings drawer opens under the header, which keeps its buttons.
  const headerSize = new ResizeObserver(() => root.style.setProperty('--chat-head', `${header.offsetHeight}px`));
  headerSize.observe(header);
  // Ctrl+R, Alt+Left/Right (or Left/Right in an empty composer), Up to edit (shortcuts.js).
  const forgetKeys = chatKeys({
    regenerate: () => {
      const last = list.lastBubble;
      if (last && last.m.role === 'assistant' && !reply.busy) void reply.regenerate(last);
    },
    swipe: (step) => {
      const last = list.lastBubble;
      if (last && last.m.role === 'assistant') void last.swipeTo(last.m.activeSwipe + step);
    },
    editLast: () => {
      const mine = list.list.querySelectorAll(".message[data-role='user']");
      list.bubbleOf(mine[mine.length - 1] ?? null)?.startEdit();
    },
  });
  onLeave(root, () => {
    headerSize.disconnect();
    forgetKeys();
    document.removeEventListener('pointerdown', closeMore);
    auto?.stop('');
    reply.close();
    composer.close();
  });

  // The messages, and the reply the chat is writing if there is one: the
  // controller joins it and writes it into its bubble once a page shows it.
  await Promise.all([list.open(targetId), reply.attach(chatId), group?.reload().then(() => showSpeakers()), quick.load()]);
  composer.focus();
}
