// @ts-check
// "Show prompt": exactly what the next reply would be sent, and its size.
// The prompt's text (cards, messages) goes in as text.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { openDialog } from '../../components.js';

const numbers = new Intl.NumberFormat();

/** @type {Record<string, string>} */
const ROLE_LABELS = { system: 'System', user: 'User', assistant: 'Assistant' };

/**
 * Asks for the prompt and opens it in a dialog; rejects (AppError) when it could not be built.
 * @param {string} chatId
 */
export async function showPrompt(chatId) {
  const p = await api.replies.promptPreview(chatId);
  const over = p.estimatedTokens > p.budgetTokens;
  const facts = [
    `${numbers.format(p.historyIncluded)} of ${numbers.format(p.historyIncluded + p.historyDropped)} chat messages included`,
    p.historyDropped ? `${numbers.format(p.historyDropped)} oldest left out to fit` : 'none left out',
    `${numbers.format(p.examplesIncluded)} example ${p.examplesIncluded === 1 ? 'dialogue' : 'dialogues'}`,
  ];
  const body = [
    h(
      'div',
      { class: over ? 'prompt-summary over' : 'prompt-summary' },
      h('p', { class: 'prompt-tokens' }, `About ${numbers.format(p.estimatedTokens)} of ${numbers.format(p.budgetTokens)} tokens`),
      h('meter', { class: 'prompt-meter', min: 0, max: Math.max(p.budgetTokens, 1), value: p.estimatedTokens, high: Math.max(p.budgetTokens, 1) * 0.9, 'aria-label': 'Tokens used of the budget' }),
      h('p', { class: 'muted' }, facts.join(' \u00b7 ')),
    ),
    h(
      'ol',
      { class: 'prompt-list' },
      ...p.messages.map((pm) =>
        h('li', { class: `prompt-message prompt-${pm.role}` }, h('span', { class: 'prompt-role' }, ROLE_LABELS[pm.role] ?? pm.role), h('div', { class: 'prompt-text' }, pm.content)),
      ),
    ),
  ];
  openDialog({ title: 'Prompt for the next reply', id: 'prompt-dialog', className: 'wide', body });
}
