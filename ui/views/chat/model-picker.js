// @ts-check
// The chat's model, switchable from its header: a select of every model,
// grouped by provider; a choice is saved to the chat at once and the next
// reply uses it. The chat settings panel shows the same value.

import * as api from '../../api.js';
import { showError, toast } from '../../components.js';
import { t } from '../../i18n.js';
import { changed } from '../../state.js';
import { loadChoices, choiceSelect } from '../choices.js';

/**
 * @param {() => api.Chat} chat the chat as it stands
 * @param {(updated: api.Chat) => void} saved
 * @returns {{el: HTMLSelectElement, ready: Promise<void>, show: (chat: api.Chat) => void}}
 */
export function modelPicker(chat, saved) {
  const el = /** @type {HTMLSelectElement} */ (choiceSelect('aiModelId', [], chat().aiModelId, t('modelPicker.noModel')));
  el.id = 'chat-model';
  el.className = 'header-model';
  el.title = t('modelPicker.title');
  el.setAttribute('aria-label', t('modelPicker.label'));

  const ready = loadChoices().then(
    ({ models }) => {
      const filled = /** @type {HTMLSelectElement} */ (choiceSelect('aiModelId', models, chat().aiModelId, t('modelPicker.noModel')));
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
      toast(t('modelPicker.changed', { model: el.selectedOptions[0]?.textContent ?? t('modelPicker.noModelLower') }));
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
