// @ts-check
// Importing cards and chats: from the file picker (one file after another),
// from files and folders dropped on the window, the progress panel while it
// runs and the report at the end. Imports run one at a time, in the order
// they were asked for. Names and reasons in the report come from files the
// person picked, so they go in as text only.

import * as api from '../api.js';
import { h } from '../dom.js';
import { t, tn, tNodes } from '../i18n.js';
import { openDialog, sentence, showError, toast } from '../components.js';
import { changed } from '../state.js';
import { skippedWords } from '../errors.js';
import { avatarDrop } from './avatar.js';
import { documentDrop } from './documents.js';
import { localModels } from '../api/local-models.js';

/** @type {Promise<void>} */
let queue = Promise.resolve();

/** Runs `task` after every import asked for before it. @param {() => Promise<void>} task */
function enqueue(task) {
  queue = queue.then(task, task);
  return queue;
}

/** The last part of a path ("C:\\cards\\a.png" -> "a.png"). @param {string} path */
export function baseName(path) {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

/** The progress panel (in index.html), its text and its bar. */
function progressParts() {
  const panel = /** @type {HTMLElement} */ (document.getElementById('import-progress'));
  return {
    panel,
    text: /** @type {HTMLElement} */ (panel.querySelector('.import-progress-text')),
    bar: /** @type {HTMLProgressElement} */ (panel.querySelector('.import-progress-bar')),
  };
}

/**
 * Shows the progress panel. Without `total` the bar is indeterminate (the
 * back end has not said yet how much there is).
 * @param {string} message
 * @param {number} [done]
 * @param {number} [total]
 */
function showProgress(message, done, total) {
  const { panel, text, bar } = progressParts();
  text.textContent = message;
  if (total && total > 0) {
    bar.max = total;
    bar.value = Math.min(done ?? 0, total);
  } else {
    bar.removeAttribute('value');
  }
  panel.hidden = false;
}

function hideProgress() {
  const { panel, text, bar } = progressParts();
  panel.hidden = true;
  text.textContent = '';
  bar.removeAttribute('value');
}

/**
 * Ends an import: the lists reload when anything came in, and the report opens.
 * @param {api.ImportReport} report
 */
function finish(report) {
  hideProgress();
  if (report.imported.length > 0) changed('characters', 'chats');
  showImportReport(report);
}

/**
 * Imports the files picked in the file dialog, one after another. A file that
 * fails is reported as skipped; the others still come in.
 * @param {File[]} files
 */
export function importFiles(files) {
  if (files.length === 0) return Promise.resolve();
  return enqueue(async () => {
    /** @type {api.ImportReport} */
    const report = { imported: [], skipped: [] };
    for (const [i, file] of files.entries()) {
      showProgress(t('importer.importingFile', { index: i + 1, total: files.length, name: file.name }), i, files.length);
      try {
        const got = await api.transfer.importFile(file);
        report.imported.push(...got.imported);
        report.skipped.push(...got.skipped);
      } catch (e) {
        report.skipped.push({ file: file.name, reason: api.toAppError(e).error });
      }
    }
    finish(report);
  });
}

/**
 * Imports dropped files and folders by path; the back end reports each
 * file done over the import's own channel.
 * @param {string[]} paths
 */
export function importPaths(paths) {
  if (paths.length === 0) return Promise.resolve();
  return enqueue(async () => {
    showProgress(paths.length === 1 ? t('importer.readingOne', { name: baseName(paths[0]) }) : tn('importer.readingMany', paths.length));
    let running = true;
    try {
      const report = await api.transfer.importPaths(paths, (p) => {
        if (!running) return; // a late message must not reopen the panel
        const counts = { done: p.done, total: p.total };
        showProgress(p.file ? t('importer.progressFile', { ...counts, name: baseName(p.file) }) : t('importer.progress', counts), p.done, p.total);
      });
      running = false;
      finish(report);
    } catch (e) {
      running = false;
      hideProgress();
      showError(e);
    }
  });
}

/**
 * GGUF files dropped on the window become models on this computer; the
 * other paths are returned.
 * @param {string[]} paths
 */
function modelDrop(paths) {
  const gguf = paths.filter((p) => /\.gguf$/i.test(p));
  for (const path of gguf) {
    localModels
      .add(path)
      .then((m) => {
        changed('providers');
        toast(t('importer.modelAdded', { name: m.displayName }), 4000);
      })
      .catch((e) => showError(e));
  }
  return paths.filter((p) => !gguf.includes(p));
}

let dropReady = false;

/**
 * Listens for files dropped on the window: an overlay while they are dragged
 * over it, then the import. Call once, at boot.
 */
export async function initDropImport() {
  if (dropReady) return;
  dropReady = true;
  const overlay = /** @type {HTMLElement} */ (document.getElementById('drop-overlay'));
  await api.onFileDrop({
    enter: () => {
      overlay.hidden = false;
    },
    leave: () => {
      overlay.hidden = true;
    },
    drop: (paths, position) => {
      overlay.hidden = true;
      // A picture dropped on an editor's avatar sets it; document files go
      // to the open chat (or character's or library's documents); the rest
      // imports.
      if (avatarDrop(paths, position)) return;
      const rest = documentDrop(modelDrop(paths));
      if (rest.length > 0) void importPaths(rest);
    },
  });
}

/** @param {api.Imported} item @param {() => void} close */
function importedItem(item, close) {
  // A group's line opens its (first) chat.
  const route = item.kind === 'character' ? `#/character/${encodeURIComponent(item.id)}` : `#/chat/${encodeURIComponent(item.id)}`;
  const made = item.createdCharacter;
  const missing = item.missingMembers ?? [];
  const fallback = item.kind === 'character' ? t('importer.unnamedCharacter') : t('common.untitledChat');
  const kinds = { character: t('importer.kindCharacter'), chat: t('importer.kindChat'), group: t('importer.kindGroup') };
  return h(
    'li',
    { class: 'imported-item', data: { kind: item.kind, id: item.id } },
    h('span', { class: 'badge' }, kinds[item.kind] ?? item.kind),
    h('a', { href: route, class: 'imported-name', onclick: () => close() }, item.name || fallback),
    item.file ? h('span', { class: 'import-file muted', title: item.file }, baseName(item.file)) : null,
    made
      ? h(
          'span',
          { class: 'import-created' },
          ...tNodes('importer.createdCharacter', {
            character: h('a', { href: `#/character/${encodeURIComponent(made.id)}`, onclick: () => close() }, made.name),
          }),
        )
      : null,
    missing.length > 0
      ? h('span', { class: 'import-created import-missing' }, t('importer.missingMembers', { names: missing.join(', ') }))
      : null,
  );
}

/** @param {api.Skipped} s */
function skippedItem(s) {
  return h(
    'li',
    { class: 'skipped-file' },
    h('span', { class: 'skipped-name', title: s.file }, baseName(s.file) || t('importer.unnamedFile')),
    h('span', { class: 'skipped-reason' }, sentence(skippedWords(s) || t('importer.unreadable'))),
  );
}

/**
 * The report at the end of an import: how many came in, links to them, and
 * each skipped file with the reason.
 * @param {api.ImportReport} report
 */
export function showImportReport(report) {
  const { imported, skipped } = report;
  let close = () => {};
  /** @type {Node[]} */
  const body = [
    h('p', { class: 'import-summary', id: 'import-summary' }, t('importer.summary', { imported: imported.length, skipped: skipped.length })),
  ];
  if (imported.length === 0 && skipped.length === 0) {
    body.push(h('p', { class: 'empty' }, t('importer.nothingFound')));
  }
  if (imported.length > 0) {
    body.push(
      h(
        'section',
        { class: 'import-group', 'aria-labelledby': 'import-imported-title' },
        h('h3', { id: 'import-imported-title' }, t('importer.imported')),
        h('ul', { id: 'import-imported', class: 'import-list' }, imported.map((item) => importedItem(item, () => close()))),
      ),
    );
  }
  if (skipped.length > 0) {
    body.push(
      h(
        'section',
        { class: 'import-group', 'aria-labelledby': 'import-skipped-title' },
        h('h3', { id: 'import-skipped-title' }, t('importer.skipped')),
        h('ul', { id: 'import-skipped', class: 'import-list' }, skipped.map(skippedItem)),
      ),
    );
  }
  document.getElementById('import-report')?.closest('.modal-backdrop')?.remove();
  close = openDialog({ id: 'import-report', title: t('importer.reportTitle'), className: 'wide import-report', body });
}
