// @ts-check
// Renaming a chat in its header: a click (or Enter) on the title turns it
// into a box; Enter or leaving the box saves, Esc puts the title back.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t } from '../../i18n.js';
import { showError } from '../../components.js';
import { changed } from '../../state.js';

/**
 * Makes the header's title renameable; returns the box (hidden when not renaming).
 * @param {HTMLElement} titleEl the header's `h1`
 * @param {() => api.Chat} chat the chat as it stands
 * @param {(updated: api.Chat) => void} saved
 */
export function renameTitle(titleEl, chat, saved) {
  const box = h('input', { type: 'text', id: 'chat-title-input', class: 'chat-title-input', 'aria-label': t('rename.label'), maxlength: '500', hidden: true });
  titleEl.id = 'chat-title';
  titleEl.tabIndex = 0;
  titleEl.title = t('rename.title');
  titleEl.classList.add('renameable');
  titleEl.after(box);
  let busy = false;

  const start = () => {
    box.value = chat().title;
    titleEl.hidden = true;
    box.hidden = false;
    box.focus();
    box.select();
  };
  const end = () => {
    box.hidden = true;
    titleEl.hidden = false;
  };
  const save = async () => {
    if (busy || box.hidden) return;
    const c = chat();
    const title = box.value.trim();
    if (!title || title === c.title) {
      end();
      return;
    }
    busy = true;
    try {
      const updated = await api.chats.update(c.id, {
        title,
        characterId: c.characterId,
        userProfileId: c.userProfileId,
        aiModelId: c.aiModelId,
        systemPromptId: c.systemPromptId,
      });
      end();
      saved(updated);
      void changed('chats');
    } catch (e) {
      showError(e);
      box.focus();
    } finally {
      busy = false;
    }
  };

  titleEl.addEventListener('click', start);
  titleEl.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === 'F2') {
      ev.preventDefault();
      start();
    }
  });
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.isComposing) {
      ev.preventDefault();
      void save();
    } else if (ev.key === 'Escape') {
      ev.preventDefault(); // not a "stop the reply"
      end();
      titleEl.focus();
    }
  });
  box.addEventListener('blur', () => void save());
  return box;
}
