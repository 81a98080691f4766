// @ts-check
// "Show prompt": exactly what the next reply would be sent, and its size,
// each memory piece marked by its source (docs/MEMORY.md). The prompt's
// text (cards, messages, documents) goes in as text.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { openDialog } from '../../components.js';

const numbers = new Intl.NumberFormat();

/** @type {Record<string, string>} */
const ROLE_LABELS = { system: 'System', user: 'User', assistant: 'Assistant' };

/** @type {Record<api.MemoryPiece["source"], string>} */
const SOURCE_LABELS = { document: 'Document', summary: 'Summary', recall: 'Earlier message' };

/** "Document: notes.md §3 · 120 tokens" @param {api.MemoryPiece} piece */
const pieceLine = (piece) => `${SOURCE_LABELS[piece.source] ?? piece.source}: ${piece.label} \u00b7 ${numbers.format(piece.tokens)} tokens`;

/**
 * One prompt message: its role (and "memory" when it carries pieces), the
 * pieces it carries by source, and its text.
 * @param {api.PromptMessage} pm @param {api.PromptPart | undefined} part @param {api.MemoryPiece[]} memory
 */
function promptMessage(pm, part, memory) {
  const pieces = (part?.memory ?? []).map((i) => memory[i]).filter(Boolean);
  const role = ROLE_LABELS[pm.role] ?? pm.role;
  if (part?.kind === 'objectives') {
    return h('li', { class: `prompt-message prompt-${pm.role} prompt-objectives` }, h('span', { class: 'prompt-role' }, `${role} \u00b7 objectives`), h('div', { class: 'prompt-text' }, pm.content));
  }
  const note = part?.kind === 'authorsNote';
  const label = pieces.length ? `${role} \u00b7 memory` : note ? `${role} \u00b7 author\u2019s note` : role;
  return h(
    'li',
    { class: `prompt-message prompt-${pm.role}${pieces.length ? ' prompt-memory' : ''}${note ? ' prompt-authors-note' : ''}` },
    h('span', { class: 'prompt-role' }, label),
    pieces.length ? h('ul', { class: 'prompt-sources' }, ...pieces.map((piece) => h('li', { class: `prompt-source source-${piece.source}` }, pieceLine(piece)))) : null,
    h('div', { class: 'prompt-text' }, pm.content),
  );
}

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
  const memory = p.memory ?? [];
  facts.push(memory.length ? `${memory.length} memory ${memory.length === 1 ? 'piece' : 'pieces'}` : 'no memory');
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
      ...p.messages.map((pm, i) => promptMessage(pm, p.parts?.[i], memory)),
    ),
  ];
  openDialog({ title: 'Prompt for the next reply', id: 'prompt-dialog', className: 'wide', body });
}
