// @ts-check
// Branches in the chat view: "Branch from here" on a message (opens the new
// chat), the line that says where a branch came from (a link to the parent
// at that message while it exists), and the dialog listing a chat's
// branches. Titles go in as text.

import { branches } from '../../api/branches.js';
import { h, when } from '../../dom.js';
import { t, tn, tNodes } from '../../i18n.js';
import { showError, openDialog, toast } from '../../components.js';
import { changed, navigate } from '../../state.js';

/** Makes a branch from the message and opens it. @param {string} messageId */
export async function branchFrom(messageId) {
  try {
    const chat = await branches.create(messageId);
    void changed('chats');
    toast(t('branches.made'));
    navigate(`chat/${encodeURIComponent(chat.id)}`);
  } catch (e) {
    showError(e);
  }
}

/** A message's number as a person counts (from 1), written as is. @param {number} seq */
const messageNo = (seq) => String(seq + 1);

/**
 * The strip under a chat's header: where a branch came from (a link to the
 * parent at that message while it exists), and how many branches the chat
 * has (which opens their list). Null when there is neither.
 * @param {string} chatId
 * @param {import('../../api/branches.js').BranchOrigin | null} o
 * @param {number} count the chat's branches
 * @param {(e: unknown) => void} failed
 */
export function branchBar(chatId, o, count, failed) {
  if (!o && count === 0) return null;
  const bar = h('p', { class: 'branch-bar' });
  if (o) bar.append(originLine(o));
  if (count > 0) {
    bar.append(h('button', {
      type: 'button',
      class: 'branch-link',
      id: 'chat-branches',
      title: t('branches.barTitle'),
      onclick: () => openBranches(chatId).catch(failed),
    }, tn('branches.count', count)));
  }
  return bar;
}

/** Where a branch came from, in words. @param {import('../../api/branches.js').BranchOrigin} o */
function originLine(o) {
  const title = o.parentTitle || t('common.untitledChat');
  if (!o.parentChatId) {
    return h('span', { class: 'branch-origin', id: 'branch-origin' },
      t('branches.originDeleted', { title, n: messageNo(o.parentSeq) }));
  }
  const at = o.parentMessageId ? `/${encodeURIComponent(o.parentMessageId)}` : '';
  const link = h('a', { href: `#/chat/${encodeURIComponent(o.parentChatId)}${at}`, id: 'branch-parent', title: t('branches.parentTitle') }, title);
  return h('span', { class: 'branch-origin', id: 'branch-origin' },
    ...tNodes(o.parentInTrash ? 'branches.originTrash' : 'branches.origin', { link, n: messageNo(o.parentSeq) }));
}

/**
 * Opens the list of a chat's branches; each opens its branch.
 * @param {string} chatId
 */
export async function openBranches(chatId) {
  const list = await branches.list(chatId);
  /** @type {() => void} */
  let close = () => {};
  const body = list.length === 0
    ? [h('p', { class: 'muted' }, t('branches.empty'))]
    : [
      h('p', { class: 'muted' }, t('branches.intro')),
      h('ul', { class: 'branch-list', id: 'branch-list' }, ...list.map((b) => h('li', null,
        h('a', { href: `#/chat/${encodeURIComponent(b.id)}`, onclick: () => close() }, b.title || t('common.untitledChat')),
        h('span', { class: 'muted' }, ` \u00b7 ${t('branches.itemDetail', { n: messageNo(b.parentSeq), date: when(b.createdAt) })}`)))),
    ];
  close = openDialog({ title: tn('branches.count', list.length), id: 'branches-dialog', body });
}
