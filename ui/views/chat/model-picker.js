// @ts-check
// The chat's model, switchable from its header: a select of every model,
// grouped by provider; a choice is saved to the chat at once and the next
// reply uses it. The chat settings panel shows the same value.

import * as api from '../../api.js';
import { showError, toast } from '../../components.js';
import { changed } from '../../state.js';
import { loadChoices, choiceSelect } from '../choices.js';

/**
 * @param {() => api.Chat} chat the chat as it stands
 * @param {(updated: api.Chat) => void} saved
 * @returns {{el: HTMLSelectElement, ready: Promise<void>, show: (chat: api.Chat) => void}}
 */
export function modelPicker(chat, saved) {
  const el = /** @type {HTMLSelectElement} */ (choiceSelect('aiModelId', [], chat().aiModelId, 'No model'));
  el.id = 'chat-model';
  el.className = 'header-model';
  el.title = 'The model that writes the replies in this chat';
  el.setAttribute('aria-label', 'Model for this chat');

  const ready = loadChoices().then(
    ({ models }) => {
      const filled = /** @type {HTMLSelectElement} */ (choiceSelect('aiModelId', models, chat().aiModelId, 'No model'));
      el.replaceChildren(...filled.childNodes);
      el.value = chat().aiModelId ?? '';
    },
    (e) => console.warn('the models could not be listed', e),
  );

  el.addEventListener('change', async () => {
    const c = chat();
    const aiModelId = el.value || null;
    if (aiModelId === c.aiModelId) return;
    el.disabled = true;
    try {
      const updated = await api.chats.update(c.id, {
        title: c.title,
        characterId: c.characterId,
        userProfileId: c.userProfileId,
        aiModelId,
        systemPromptId: c.systemPromptId,
      });
      saved(updated);
      void changed('chats');
      toast(`Replies now come from ${el.selectedOptions[0]?.textContent ?? 'no model'}`);
    } catch (e) {
      el.value = c.aiModelId ?? '';
      showError(e);
    } finally {
      el.disabled = false;
    }
  });

  return {
    el,
    ready,
    show: (c) => {
      el.value = c.aiModelId ?? '';
    },
  };
}
