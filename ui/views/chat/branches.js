// @ts-check
// Branches in the chat view: "Branch from here" on a message (opens the new
// chat), the line that says where a branch came from (a link to the parent
// at that message while it exists), and the dialog listing a chat's
// branches. Titles go in as text.

import { branches } from '../../api/branches.js';
import { h, when } from '../../dom.js';
import { showError, openDialog, toast } from '../../components.js';
import { changed, navigate } from '../../state.js';

/** Makes a branch from the message and opens it. @param {string} messageId */
export async function branchFrom(messageId) {
  try {
    const chat = await branches.create(messageId);
    void changed('chats');
    toast('Branch made: this chat goes on from that message');
    navigate(`chat/${encodeURIComponent(chat.id)}`);
  } catch (e) {
    showError(e);
  }
}

/** "message N", counted from 1 as a person counts. @param {number} seq */
const messageNo = (seq) => `message ${seq + 1}`;

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
      title: 'The chats that go on from a message of this one',
      onclick: () => openBranches(chatId).catch(failed),
    }, count === 1 ? '1 branch' : `${count} branches`));
  }
  return bar;
}

/** Where a branch came from, in words. @param {import('../../api/branches.js').BranchOrigin} o */
function originLine(o) {
  const title = o.parentTitle || 'Untitled chat';
  if (!o.parentChatId) {
    return h('span', { class: 'branch-origin', id: 'branch-origin' },
      `Branched from \u201c${title}\u201d at ${messageNo(o.parentSeq)}; that chat was deleted, this branch keeps its messages`);
  }
  const at = o.parentMessageId ? `/${encodeURIComponent(o.parentMessageId)}` : '';
  return h('span', { class: 'branch-origin', id: 'branch-origin' },
    'Branched from ',
    h('a', { href: `#/chat/${encodeURIComponent(o.parentChatId)}${at}`, id: 'branch-parent', title: 'Open the chat this branch came from, at that message' }, title),
    o.parentInTrash ? ' (in the trash)' : '',
    ` at ${messageNo(o.parentSeq)}`);
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
    ? [h('p', { class: 'muted' }, 'No branches yet. \u201cBranch from here\u201d on any message starts one: a new chat with the story up to that message.')]
    : [
      h('p', { class: 'muted' }, 'Each branch goes on from a message of this chat. Deleting this chat keeps them.'),
      h('ul', { class: 'branch-list', id: 'branch-list' }, ...list.map((b) => h('li', null,
        h('a', { href: `#/chat/${encodeURIComponent(b.id)}`, onclick: () => close() }, b.title || 'Untitled chat'),
        h('span', { class: 'muted' }, ` \u00b7 from ${messageNo(b.parentSeq)} \u00b7 made ${when(b.createdAt)}`)))),
    ];
  close = openDialog({ title: list.length === 1 ? '1 branch' : `${list.length} branches`, id: 'branches-dialog', body });
}
