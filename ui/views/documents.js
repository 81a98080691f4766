// @ts-check
// Documents: the library's screen (its documents and the documents' trash),
// and the pieces the chat's panel (chat/documents.js) and the character
// editor's Documents tab share: a list of documents with view, rename,
// re-chunk and delete, an "Add document" button with a file input, and
// where a dropped document file goes. Names and text come from files the
// person picked, so they go in as text only, never as HTML.

import { h, when } from '../dom.js';
import { confirmDialog, openDialog, showError, toast, viewHeader } from '../components.js';
import { onLeave } from '../state.js';
import { documents, DOCUMENT_ACCEPT, DOCUMENT_FILES } from '../api/documents.js';

/**
 * @typedef {import('../api/documents.js').DocumentSummary} DocumentSummary
 * @typedef {import('../api/documents.js').ChatDocument} ChatDocument
 * @typedef {import('../api/documents.js').DocumentPlace} DocumentPlace
 */

/** Characters of a document's text the viewer shows at most. */
const VIEW_CHARS = 200_000;

const SCOPE_LABEL = { chat: 'this chat', character: 'character', library: 'library' };

/** "1.2 MB", "340 KB". @param {number} bytes */
export function size(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** @param {DocumentSummary} d */
function facts(d) {
  const n = d.chunkCount;
  return `${d.kind.toUpperCase()} \u00b7 ${size(d.byteSize)} \u00b7 ${n} chunk${n === 1 ? '' : 's'} \u00b7 ${d.tokenCount.toLocaleString()} tokens`;
}

/** The document's text, in a dialog (as text). @param {string} id */
export async function viewDocument(id) {
  const doc = await documents.get(id);
  const cut = doc.content.length > VIEW_CHARS;
  openDialog({
    id: 'document-view',
    className: 'document-view',
    title: doc.name,
    body: [
      h('p', { class: 'muted' }, facts(doc), cut ? ` \u00b7 the first ${VIEW_CHARS.toLocaleString()} characters shown` : null),
      h('pre', { class: 'document-text' }, cut ? doc.content.slice(0, VIEW_CHARS) : doc.content),
    ],
  });
}

/**
 * A small form in a dialog: its fields, a primary button; `submit` returns
 * true when done (the dialog closes), false to stay (an error was shown).
 * @param {string} title @param {HTMLElement[]} fields @param {string} label
 * @param {(form: HTMLFormElement) => Promise<boolean>} submit
 */
function formDialog(title, fields, label, submit) {
  const error = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const form = h('form', { class: 'editor document-form', novalidate: true }, ...fields, error);
  const ok = h('button', { type: 'submit', class: 'btn primary', form: 'document-form' }, label);
  form.id = 'document-form';
  const close = openDialog({ id: 'document-dialog', title, body: [form], actions: [ok] });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    ok.disabled = true;
    try {
      if (await submit(form)) close();
    } catch (e) {
      error.textContent = /** @type {{error?: string}} */ (e)?.error ?? String(e);
      error.hidden = false;
    } finally {
      ok.disabled = false;
    }
  });
  /** @type {HTMLInputElement | null} */ (form.querySelector('input'))?.focus();
}

/** @param {DocumentSummary} d @param {() => void} done */
function renameDocument(d, done) {
  const name = h('input', { name: 'name', value: d.name, maxlength: 300, 'aria-label': 'Name' });
  formDialog('Rename document', [h('label', null, 'Name', name)], 'Rename', async () => {
    await documents.rename(d.id, name.value);
    toast('Renamed');
    done();
    return true;
  });
}

/** @param {DocumentSummary} d @param {() => void} done */
function rechunkDocument(d, done) {
  const sizeIn = h('input', { name: 'size', type: 'number', min: 16, max: 8192, value: d.chunkSize });
  const overlapIn = h('input', { name: 'overlap', type: 'number', min: 0, value: d.chunkOverlap });
  formDialog('Re-chunk document', [
    h('p', { class: 'muted' }, 'Split the text again into chunks of this many tokens, each repeating whole sentences from the one before up to the overlap.'),
    h('div', { class: 'grid' }, h('label', null, 'Chunk size (tokens)', sizeIn), h('label', null, 'Overlap (tokens)', overlapIn)),
  ], 'Re-chunk', async () => {
    const updated = await documents.rechunk(d.id, Number(sizeIn.value), Number(overlapIn.value));
    toast(`Re-chunked into ${updated.chunkCount} chunks`);
    done();
    return true;
  });
}

/**
 * One document's row: name, where it applies, facts, and its buttons. In a
 * chat, a switch turns it on or off for that chat.
 * @param {DocumentSummary | ChatDocument} d
 * @param {{chatId?: string, changed: () => void}} opts
 */
export function documentRow(d, opts) {
  const act = /** @param {() => Promise<unknown>} work */ async (work) => {
    try {
      await work();
    } catch (e) {
      showError(e);
    }
  };
  /** @type {HTMLElement | null} */
  let toggle = null;
  if (opts.chatId && 'enabled' in d) {
    const chatId = opts.chatId;
    const box = h('input', { type: 'checkbox', class: 'doc-switch', checked: d.enabled, 'aria-label': `Use \u201c${d.name}\u201d in this chat` });
    box.addEventListener('change', () => act(async () => {
      await documents.setEnabled(chatId, d.id, box.checked);
      li.classList.toggle('is-off', !box.checked);
    }));
    toggle = h('label', { class: 'switch', title: 'Use in this chat' }, box, h('span', { class: 'switch-label' }, box.checked ? 'On' : 'Off'));
    box.addEventListener('change', () => {
      /** @type {HTMLElement} */ (toggle?.querySelector('.switch-label')).textContent = box.checked ? 'On' : 'Off';
    });
  }
  const li = h(
    'li',
    { class: `document-row${'enabled' in d && !d.enabled ? ' is-off' : ''}`, data: { id: d.id } },
    h('span', { class: 'row-text' },
      h('span', { class: 'row-title' }, d.name),
      h('span', { class: 'row-meta' }, h('span', { class: 'badge' }, SCOPE_LABEL[d.scope]), ' ', facts(d), ` \u00b7 added ${when(d.createdAt)}`)),
    toggle,
    h('span', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn small', onclick: () => act(() => viewDocument(d.id)) }, 'View'),
      h('button', { type: 'button', class: 'btn small subtle', onclick: () => renameDocument(d, opts.changed) }, 'Rename'),
      h('button', { type: 'button', class: 'btn small subtle', onclick: () => rechunkDocument(d, opts.changed) }, 'Re-chunk'),
      h('button', {
        type: 'button',
        class: 'btn small danger-subtle',
        onclick: async () => {
          const ok = await confirmDialog({ title: `Move \u201c${d.name}\u201d to the trash?`, message: 'Replies stop drawing on it. You can restore it from Documents \u203a Trash.', confirmLabel: 'Move to trash', danger: true });
          if (!ok) return;
          await act(async () => {
            await documents.remove(d.id);
            toast('Document moved to trash');
            opts.changed();
          });
        },
      }, 'Delete'),
    ),
  );
  return li;
}

/**
 * Adds files to `place` one after another; each refusal is shown in words
 * with its file's name. Resolves to how many were added.
 * @param {DocumentPlace} place @param {File[]} files @param {(text: string) => void} [status]
 */
export async function addFiles(place, files, status) {
  let added = 0;
  for (const [i, file] of files.entries()) {
    status?.(`Adding ${file.name}\u2026${files.length > 1 ? ` (${i + 1} of ${files.length})` : ''}`);
    try {
      await documents.add(place, file);
      added += 1;
    } catch (e) {
      showError(e);
    }
  }
  status?.('');
  return added;
}

/**
 * Adds dropped files (paths) to `place`; refusals in words.
 * @param {DocumentPlace} place @param {string[]} paths @param {(text: string) => void} [status]
 */
export async function addPaths(place, paths, status) {
  status?.(`Adding ${paths.length === 1 ? paths[0].split(/[\\/]/).pop() : `${paths.length} files`}\u2026`);
  try {
    const report = await documents.addPaths(place, paths);
    if (report.skipped.length > 0) {
      showError({ error: report.skipped.map((s) => `${s.file}: ${s.reason}`).join('\n'), type: 'ValidationError', details: {} });
    }
    if (report.added.length > 0) toast(`Added ${report.added.length} document${report.added.length === 1 ? '' : 's'}`);
    return report.added.length;
  } catch (e) {
    showError(e);
    return 0;
  } finally {
    status?.('');
  }
}

/** Where a dropped document file goes while a view that shows documents is open. */
/** @type {{root: HTMLElement, take: (paths: string[]) => void} | null} */
let dropTarget = null;

/**
 * Makes `root`'s view the place dropped document files go, until it is left.
 * @param {HTMLElement} root @param {(paths: string[]) => void} take
 */
export function takeDocumentDrops(root, take) {
  dropTarget = { root, take };
  onLeave(root, () => {
    if (dropTarget?.root === root) dropTarget = null;
  });
}

/**
 * A drop on the window: the document files in it go to the open view that
 * takes them (a chat, a character's documents, the library); the other
 * paths are returned for the import (cards, chats, folders).
 * @param {string[]} paths @returns {string[]}
 */
export function documentDrop(paths) {
  if (!dropTarget || !dropTarget.root.isConnected) return paths;
  const docs = paths.filter((p) => DOCUMENT_FILES.test(p));
  if (docs.length > 0) dropTarget.take(docs);
  return paths.filter((p) => !DOCUMENT_FILES.test(p));
}

/**
 * The list of one place's documents with an "Add document" button (and
 * file input); the character editor's tab and the library screen.
 * @param {DocumentPlace} place @param {string} id a prefix for element ids
 * @param {string} emptyText
 */
export function placeDocuments(place, id, emptyText) {
  const list = h('ul', { class: 'document-list', id: `${id}-list`, 'aria-label': 'Documents' });
  const empty = h('p', { class: 'empty', hidden: true }, emptyText);
  const status = h('p', { class: 'muted doc-status', role: 'status', 'aria-live': 'polite' });
  const reload = async () => {
    try {
      const docs = await documents.list(place);
      list.replaceChildren(...docs.map((d) => documentRow(d, { changed: () => void reload() })));
      empty.hidden = docs.length > 0;
    } catch (e) {
      showError(e);
    }
  };
  const say = /** @param {string} t */ (t) => {
    status.textContent = t;
  };
  const input = h('input', { type: 'file', id: `${id}-file`, class: 'sr-only', accept: DOCUMENT_ACCEPT, multiple: true });
  input.addEventListener('change', async () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (await addFiles(place, files, say)) void reload();
  });
  const add = h('button', { type: 'button', class: 'btn primary', id: `${id}-add`, onclick: () => input.click() }, '+ Add document');
  return {
    element: h('div', { class: 'documents' }, h('div', { class: 'doc-tools' }, add, input, h('span', { class: 'muted' }, 'Text, Markdown, HTML, PDF or EPUB; or drop files here.')), status, list, empty),
    reload,
    /** @param {string[]} paths */
    drop: async (paths) => {
      if (await addPaths(place, paths, say)) void reload();
    },
  };
}

/** The documents' trash: restore, or delete for good. */
function trashSection() {
  const list = h('ul', { class: 'document-list', id: 'document-trash', 'aria-label': 'Documents in the trash' });
  const empty = h('p', { class: 'empty', hidden: true }, 'No documents in the trash.');
  const reload = async () => {
    const docs = await documents.trash().catch((e) => (showError(e), []));
    list.replaceChildren(...docs.map((d) => h('li', { class: 'trash-row', data: { id: d.id } },
      h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, d.name), h('span', { class: 'row-meta' }, h('span', { class: 'badge' }, SCOPE_LABEL[d.scope]), ' ', facts(d))),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn small', onclick: () => documents.restore(d.id).then(() => { toast('Restored'); void reload(); }, showError) }, 'Restore'),
        h('button', {
          type: 'button',
          class: 'btn small danger-subtle',
          onclick: async () => {
            const ok = await confirmDialog({ title: `Delete \u201c${d.name}\u201d forever?`, message: 'The document and its chunks are erased from the database. This cannot be undone.', confirmLabel: 'Delete forever', danger: true });
            if (ok) await documents.purge(d.id).then(() => { toast('Deleted forever'); void reload(); }, showError);
          },
        }, 'Delete forever')))));
    empty.hidden = docs.length > 0;
  };
  return { element: h('section', { class: 'trash-section' }, h('h2', null, 'Trash'), list, empty), reload };
}

/** The library's documents screen. @param {HTMLElement} root */
export async function render(root) {
  const library = placeDocuments({ scope: 'library' }, 'library-docs', 'No documents in the library yet. A library document applies to every chat (each chat can turn it off).');
  const trash = trashSection();
  root.append(
    viewHeader('Documents', 'Files every chat can draw on; a chat or a character can also have its own.'),
    library.element,
    trash.element,
  );
  takeDocumentDrops(root, (paths) => void library.drop(paths).then(() => trash.reload()));
  await Promise.all([library.reload(), trash.reload()]);
}
