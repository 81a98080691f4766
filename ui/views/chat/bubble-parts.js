// @ts-check
// The small pieces of a message's bubble that need no state: its icons, the
// speaker's picture, the info line under a reply, and how a finished reply
// ended, in words.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { t, formatNumber } from '../../i18n.js';
import { sentence } from '../../components.js';
import { errorWords } from '../../errors.js';
import { avatarImg } from '../avatar.js';

/** @type {Record<string, string>} stroke paths on a 24x24 grid */
const ICONS = {
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  edit: 'M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4',
  delete: 'M4 7h16 M10 11v6 M14 11v6 M6 7l1 13h10l1-13 M9 7V4h6v3',
  regenerate: 'M20 12a8 8 0 1 1-2.4-5.7 M20 4v5h-5',
  continue: 'M5 6l6 6-6 6 M13 6l6 6-6 6',
  branch: 'M7 3v18 M7 16c0-6 10-4 10-9 M15 5a2 2 0 1 0 4 0a2 2 0 1 0-4 0',
};

/** A small line icon, drawn by CSS (`.icon`). @param {string} name */
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] ?? '');
  svg.append(path);
  return svg;
}

/**
 * An icon button; the label is its accessible name and tooltip.
 * @param {string} cls @param {string} label @param {string} iconName @param {() => void} onclick
 */
export function iconButton(cls, label, iconName, onclick) {
  return h('button', { type: 'button', class: `icon-btn ${cls}`, 'aria-label': label, title: label, onclick }, icon(iconName));
}

/**
 * The speaker's round picture beside the name (the initial when there is
 * none); from the window's picture cache, never fetched per message.
 * @param {api.Role} role @param {string} author
 * @param {{speakers?: Partial<Record<api.Role, {owner: api.AvatarOwner, id: string | null}>>}} ctx
 * @param {string | null} [speakerId] a group chat's speaker, in place of the chat's character
 */
export function speakerPicture(role, author, ctx, speakerId = null) {
  if (role === 'system') return null;
  const speaker = ctx.speakers?.[role];
  const id = speakerId ?? speaker?.id ?? null;
  const pic = avatarImg(speaker?.owner ?? (role === 'user' ? 'persona' : 'character'), id, author, 28);
  pic.classList.add('message-avatar');
  return pic;
}

/** @param {unknown} v */
const count = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** @param {number} ms */
const seconds = (ms) => {
  const digits = ms < 10000 ? 1 : 0;
  return t('bubble.seconds', { seconds: formatNumber(ms / 1000, { minimumFractionDigits: digits, maximumFractionDigits: digits }) });
};

/**
 * "model · 812 → 256 tokens · 4.1 s", and a longer tooltip.
 * @param {api.MessageMetadata} meta
 * @returns {[string, string]}
 */
export function infoLine(meta) {
  const parts = [];
  const details = [];
  if (typeof meta.model === 'string' && meta.model) parts.push(meta.model);
  if (typeof meta.provider === 'string' && meta.provider) details.push(t('bubble.provider', { provider: meta.provider }));
  const input = count(meta.inputTokens);
  const output = count(meta.outputTokens);
  if (input !== null && output !== null) parts.push(t('bubble.tokensInOut', { input, output }));
  else if (output !== null) parts.push(t('bubble.tokens', { count: output }));
  if (input !== null) details.push(t('bubble.promptTokens', { count: input }));
  if (output !== null) details.push(t('bubble.replyTokens', { count: output }));
  const duration = count(meta.durationMs);
  if (duration !== null) parts.push(seconds(duration));
  const first = count(meta.timeToFirstTokenMs);
  if (first !== null) details.push(t('bubble.firstText', { time: seconds(first) }));
  if (typeof meta.finishReason === 'string' && meta.finishReason) details.push(t('bubble.finish', { reason: meta.finishReason }));
  return [parts.join(' \u00b7 '), details.join('\n')];
}

/** @returns {Record<api.EndReason, string>} */
const endWordsTable = () => ({
  completed: '',
  stopped: t('bubble.stopped'),
  failed: t('bubble.failed'),
  interrupted: t('bubble.interrupted'),
  cut_short: t('bubble.cutShort'),
  length: t('bubble.lengthLimit'),
  too_long: t('bubble.tooLong'),
});

/**
 * A memory piece's short name in the person's language, from its source and
 * numbers (the English `label` is what the model read; older replies may
 * lack the numbers and keep it).
 * @param {api.MemoryPiece} p
 */
export function pieceLabel(p) {
  if (p?.source === 'summary' && typeof p.firstSeq === 'number' && typeof p.lastSeq === 'number') {
    return t('bubble.pieceSummary', { first: formatNumber(p.firstSeq + 1), last: formatNumber(p.lastSeq + 1) });
  }
  if (p?.source === 'recall' && typeof p.seq === 'number') return t('bubble.pieceMessage', { n: formatNumber(p.seq + 1) });
  if (p?.source === 'document' && typeof p.documentName === 'string' && typeof p.chunkIndex === 'number') {
    return t('bubble.pieceDocument', { name: p.documentName, n: formatNumber(p.chunkIndex + 1) });
  }
  return typeof p?.label === 'string' ? p.label : '';
}

/**
 * What memory gave a reply, in words: "remembered: notes.md §3, summary of
 * messages 10–40, message 124"; empty when nothing.
 * @param {api.MessageMetadata | undefined} meta
 */
export function rememberedNote(meta) {
  const pieces = Array.isArray(meta?.memory) ? meta.memory : [];
  const labels = pieces.map(pieceLabel).filter(Boolean);
  return labels.length ? t('bubble.remembered', { list: labels.join(', ') }) : '';
}

/**
 * How a finished reply ended, in words: for the error box (a failed reply,
 * which can be retried) or the quiet note under the text; empty when there
 * is nothing to say. Older messages have no `endReason`; their status says it.
 * @param {api.Message} m
 * @param {string | null} [error] the words of the failure when the end said more than the metadata
 * @returns {{error: string, note: string}}
 */
export function endWords(m, error) {
  const said = typeof m.metadata?.error === 'string' ? m.metadata.error : '';
  const code = typeof m.metadata?.errorCode === 'string' ? m.metadata.errorCode : null;
  const values = /** @type {Record<string, unknown> | null} */ (m.metadata?.errorValues ?? null);
  const failure = error || (said && errorWords({ error: said, code, values }));
  const reason = m.metadata?.endReason;
  let words = '';
  const table = endWordsTable();
  if (reason && Object.hasOwn(table, reason)) {
    words = reason === 'failed' ? t('bubble.failedWith', { error: failure || t('bubble.replyFailed') }) : table[reason];
  } else if (m.status === 'failed') {
    words = sentence(failure || t('bubble.replyFailed'));
  } else if (m.status === 'cancelled') {
    words = t('bubble.stopped');
  }
  if (m.status === 'failed') return { error: words || sentence(failure || t('bubble.replyFailed')), note: '' };
  // The chat had no model and the default stood in (generation/context.rs).
  const defaulted = m.metadata?.defaultedModel;
  const modelNote =
    typeof defaulted === 'string'
      ? t('bubble.modelDefaulted', { name: defaulted })
      : typeof m.metadata?.modelNote === 'string'
        ? m.metadata.modelNote
        : '';
  return { error: '', note: [modelNote, words, rememberedNote(m.metadata)].filter(Boolean).join(' ') };
}
