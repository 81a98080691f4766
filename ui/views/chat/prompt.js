// @ts-check
// "Show prompt": exactly what the next reply would be sent, and its size,
// each memory piece marked by its source (docs/MEMORY.md). The prompt's
// text (cards, messages, documents) goes in as text.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, tn } from '../../i18n.js';
import { openDialog } from '../../components.js';
import { pieceLabel } from './bubble-parts.js';

/** @returns {Record<string, string>} */
const roleLabels = () => ({ system: t('promptView.roleSystem'), user: t('promptView.roleUser'), assistant: t('promptView.roleAssistant') });

/** @returns {Record<api.MemoryPiece["source"], string>} */
const sourceLabels = () => ({ document: t('promptView.sourceDocument'), summary: t('promptView.sourceSummary'), recall: t('promptView.sourceRecall') });

/** "Document: notes.md §3 · 120 tokens" @param {api.MemoryPiece} piece */
const pieceLine = (piece) => t('promptView.piece', { source: sourceLabels()[piece.source] ?? piece.source, label: pieceLabel(piece), count: piece.tokens });

/**
 * One prompt message: its role (and "memory" when it carries pieces), the
 * pieces it carries by source, and its text.
 * @param {api.PromptMessage} pm @param {api.PromptPart | undefined} part @param {api.MemoryPiece[]} memory
 */
function promptMessage(pm, part, memory) {
  const pieces = (part?.memory ?? []).map((i) => memory[i]).filter(Boolean);
  const role = roleLabels()[pm.role] ?? pm.role;
  if (part?.kind === 'objectives') {
    return h('li', { class: `prompt-message prompt-${pm.role} prompt-objectives` }, h('span', { class: 'prompt-role' }, t('promptView.roleObjectives', { role })), h('div', { class: 'prompt-text' }, pm.content));
  }
  const note = part?.kind === 'authorsNote';
  const label = pieces.length ? t('promptView.roleMemory', { role }) : note ? t('promptView.roleAuthorsNote', { role }) : role;
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
    t('promptView.historyIncluded', { included: p.historyIncluded, total: p.historyIncluded + p.historyDropped }),
    p.historyDropped ? tn('promptView.historyDropped', p.historyDropped) : t('promptView.noneDropped'),
    tn('promptView.examples', p.examplesIncluded),
  ];
  const memory = p.memory ?? [];
  facts.push(memory.length ? tn('promptView.memoryPieces', memory.length) : t('promptView.noMemory'));
  const body = [
    h(
      'div',
      { class: over ? 'prompt-summary over' : 'prompt-summary' },
      h('p', { class: 'prompt-tokens' }, t('promptView.tokens', { estimated: p.estimatedTokens, budget: p.budgetTokens })),
      h('meter', { class: 'prompt-meter', min: 0, max: Math.max(p.budgetTokens, 1), value: p.estimatedTokens, high: Math.max(p.budgetTokens, 1) * 0.9, 'aria-label': t('promptView.meterLabel') }),
      h('p', { class: 'muted' }, facts.join(' \u00b7 ')),
    ),
    h(
      'ol',
      { class: 'prompt-list' },
      ...p.messages.map((pm, i) => promptMessage(pm, p.parts?.[i], memory)),
    ),
  ];
  openDialog({ title: t('promptView.title'), id: 'prompt-dialog', className: 'wide', body });
}
