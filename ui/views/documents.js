// @ts-check
// Documents: the library's screen (its documents and the documents' trash),
// and the pieces the chat's panel (chat/documents.js) and the character
// editor's Documents tab share: a list of documents with view, rename,
// re-chunk and delete, an "Add document" button with a file input, and
// where a dropped document file goes. Names and text come from files the
// person picked, so they go in as text only, never as HTML.

import { h, when } from '../dom.js';
import { formatNumber, t, tn } from '../i18n.js';
import { confirmDialog, openDialog, showError, toast, viewHeader } from '../components.js';
import { onLeave } from '../state.js';
import { documents, DOCUMENT_ACCEPT, DOCUMENT_FILES } from '../api/documents.js';
import { skippedWords } from '../errors.js';

/**
 * @typedef {import('../api/documents.js').DocumentSummary} DocumentSummary
 * @typedef {import('../api/documents.js').ChatDocument} ChatDocument
 * @typedef {import('../api/documents.js').DocumentPlace} DocumentPlace
 */

/** Characters of a document's text the viewer shows at most. */
const VIEW_CHARS = 200_000;

/** Where a document applies, as its badge says. @param {DocumentSummary['scope']} scope */
function scopeLabel(scope) {
  switch (scope) {
    case 'chat':
      return t('documents.scopeChat');
    case 'character':
      return t('documents.scopeCharacter');
    default:
      return t('documents.scopeLibrary');
  }
}

/** "1.2 MB", "340 KB". @param {number} bytes */
export function size(bytes) {
  if (bytes >= 1024 * 1024) return t('documents.sizeMB', { size: formatNumber(bytes / (1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
  return t('documents.sizeKB', { size: Math.max(1, Math.round(bytes / 1024)) });
}

/** @param {DocumentSummary} d */
function facts(d) {
  return t('documents.facts', {
    kind: d.kind.toUpperCase(),
    size: size(d.byteSize),
    chunks: tn('documents.chunks', d.chunkCount),
    tokens: tn('documents.tokens', d.tokenCount),
  });
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
      h('p', { class: 'muted' }, cut ? t('documents.factsCut', { facts: facts(doc), chars: VIEW_CHARS }) : facts(doc)),
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
  const name = h('input', { name: 'name', value: d.name, maxlength: 300, 'aria-label': t('documents.name') });
  formDialog(t('documents.renameTitle'), [h('label', null, t('documents.name'), name)], t('documents.rename'), async () => {
    await documents.rename(d.id, name.value);
    toast(t('documents.renamed'));
    done();
    return true;
  });
}

/** @param {DocumentSummary} d @param {() => void} done */
function rechunkDocument(d, done) {
  const sizeIn = h('input', { name: 'size', type: 'number', min: 16, max: 8192, value: d.chunkSize });
  const overlapIn = h('input', { name: 'overlap', type: 'number', min: 0, value: d.chunkOverlap });
  formDialog(t('documents.rechunkTitle'), [
    h('p', { class: 'muted' }, t('documents.rechunkHint')),
    h('div', { class: 'grid' }, h('label', null, t('documents.chunkSize'), sizeIn), h('label', null, t('documents.overlap'), overlapIn)),
  ], t('documents.rechunk'), async () => {
    const updated = await documents.rechunk(d.id, Number(sizeIn.value), Number(overlapIn.value));
    toast(tn('documents.rechunked', updated.chunkCount));
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
    const box = h('input', { type: 'checkbox', class: 'doc-switch', checked: d.enabled, 'aria-label': t('documents.useNamed', { name: d.name }) });
    box.addEventListener('change', () => act(async () => {
      await documents.setEnabled(chatId, d.id, box.checked);
      li.classList.toggle('is-off', !box.checked);
    }));
    toggle = h('label', { class: 'switch', title: t('documents.use') }, box, h('span', { class: 'switch-label' }, box.checked ? t('documents.on') : t('documents.off')));
    box.addEventListener('change', () => {
      /** @type {HTMLElement} */ (toggle?.querySelector('.switch-label')).textContent = box.checked ? t('documents.on') : t('documents.off');
    });
  }
  const li = h(
    'li',
    { class: `document-row${'enabled' in d && !d.enabled ? ' is-off' : ''}`, data: { id: d.id } },
    h('span', { class: 'row-text' },
      h('span', { class: 'row-title' }, d.name),
      h('span', { class: 'row-meta' }, h('span', { class: 'badge' }, scopeLabel(d.scope)), ' ', t('documents.factsAdded', { facts: facts(d), when: when(d.createdAt) }))),
    toggle,
    h('span', { class: 'row-actions' },
      h('button', { type: 'button', class: 'btn small', onclick: () => act(() => viewDocument(d.id)) }, t('documents.view')),
      h('button', { type: 'button', class: 'btn small subtle', onclick: () => renameDocument(d, opts.changed) }, t('documents.rename')),
      h('button', { type: 'button', class: 'btn small subtle', onclick: () => rechunkDocument(d, opts.changed) }, t('documents.rechunk')),
      h('button', {
        type: 'button',
        class: 'btn small danger-subtle',
        onclick: async () => {
          const ok = await confirmDialog({ title: t('documents.trashTitle', { name: d.name }), message: t('documents.trashMessage'), confirmLabel: t('documents.moveToTrash'), danger: true });
          if (!ok) return;
          await act(async () => {
            await documents.remove(d.id);
            toast(t('documents.movedToTrash'));
            opts.changed();
          });
        },
      }, t('common.delete')),
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
    status?.(files.length > 1 ? t('documents.addingOf', { name: file.name, index: i + 1, total: files.length }) : t('documents.adding', { name: file.name }));
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
  status?.(paths.length === 1 ? t('documents.adding', { name: paths[0].split(/[\\/]/).pop() }) : tn('documents.addingFiles', paths.length));
  try {
    const report = await documents.addPaths(place, paths);
    if (report.skipped.length > 0) {
      showError({ error: report.skipped.map((s) => `${s.file}: ${skippedWords(s)}`).join('\n'), type: 'ValidationError', details: {} });
    }
    if (report.added.length > 0) toast(tn('documents.added', report.added.length));
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
  const list = h('ul', { class: 'document-list', id: `${id}-list`, 'aria-label': t('documents.title') });
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
  const say = /** @param {string} text */ (text) => {
    status.textContent = text;
  };
  const input = h('input', { type: 'file', id: `${id}-file`, class: 'sr-only', accept: DOCUMENT_ACCEPT, multiple: true, 'aria-label': t('documents.addFilesLabel') });
  input.addEventListener('change', async () => {
    const files = [...(input.files ?? [])];
    input.value = '';
    if (await addFiles(place, files, say)) void reload();
  });
  const add = h('button', { type: 'button', class: 'btn primary', id: `${id}-add`, onclick: () => input.click() }, t('documents.add'));
  return {
    element: h('div', { class: 'documents' }, h('div', { class: 'doc-tools' }, add, input, h('span', { class: 'muted' }, t('documents.addHint'))), status, list, empty),
    reload,
    /** @param {string[]} paths */
    drop: async (paths) => {
      if (await addPaths(place, paths, say)) void reload();
    },
  };
}

/** The documents' trash: restore, or delete for good. */
function trashSection() {
  const list = h('ul', { class: 'document-list', id: 'document-trash', 'aria-label': t('documents.trashLabel') });
  const empty = h('p', { class: 'empty', hidden: true }, t('documents.trashEmpty'));
  const reload = async () => {
    const docs = await documents.trash().catch((e) => (showError(e), []));
    list.replaceChildren(...docs.map((d) => h('li', { class: 'trash-row', data: { id: d.id } },
      h('span', { class: 'row-text' }, h('span', { class: 'row-title' }, d.name), h('span', { class: 'row-meta' }, h('span', { class: 'badge' }, scopeLabel(d.scope)), ' ', facts(d))),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'btn small', onclick: () => documents.restore(d.id).then(() => { toast(t('documents.restored')); void reload(); }, showError) }, t('common.restore')),
        h('button', {
          type: 'button',
          class: 'btn small danger-subtle',
          onclick: async () => {
            const ok = await confirmDialog({ title: t('documents.deleteForeverTitle', { name: d.name }), message: t('documents.deleteForeverMessage'), confirmLabel: t('documents.deleteForever'), danger: true });
            if (ok) await documents.purge(d.id).then(() => { toast(t('documents.deletedForever')); void reload(); }, showError);
          },
        }, t('documents.deleteForever'))))));
    empty.hidden = docs.length > 0;
  };
  return { element: h('section', { class: 'trash-section' }, h('h2', null, t('documents.trash')), list, empty), reload };
}

/** The library's documents screen. @param {HTMLElement} root */
export async function render(root) {
  const library = placeDocuments({ scope: 'library' }, 'library-docs', t('documents.libraryEmpty'));
  const trash = trashSection();
  root.append(
    viewHeader(t('documents.title'), t('documents.subtitle')),
    library.element,
    trash.element,
  );
  takeDocumentDrops(root, (paths) => void library.drop(paths).then(() => trash.reload()));
  await Promise.all([library.reload(), trash.reload()]);
}
