// @ts-check
// Settings' "Backups" section: the backups of the database with their date,
// kind and size; "Back up now", Restore and Delete; how many are kept. A
// restore keeps the database as it is as a backup first, then Parley
// starts again on the restored one.

import * as api from '../api.js';
import { h, when, ago } from '../dom.js';
import { confirmDialog, showError, toast } from '../components.js';

/** @type {Record<api.BackupKind, string>} */
const KIND = {
  manual: 'Made by you',
  automatic: 'Daily backup',
  beforeMigration: 'Before an update',
  beforeRestore: 'Before a restore',
};

/** "1.2 MB". @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** The Backups section; loads its list when built. */
export function section() {
  const list = h('ul', { class: 'rows', id: 'backup-list', 'aria-label': 'Backups' });
  const folder = h('p', { class: 'hint' });
  const keep = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'backup-keep', min: '1', max: '1000', step: '1', inputmode: 'numeric' }));

  async function load() {
    try {
      const [found, kept] = await Promise.all([api.backups.list(), api.backups.keep()]);
      keep.value = String(kept);
      folder.textContent = `Kept in ${found.folder}. A backup is checked when it is made; Parley makes one each day while it is open.`;
      list.replaceChildren(...(found.backups.length ? found.backups.map(row) : [h('li', { class: 'empty muted' }, 'No backups yet.')]));
    } catch (e) {
      showError(e);
    }
  }

  /** @param {api.Backup} b */
  function row(b) {
    const label = when(b.createdAt);
    return h(
      'li',
      { class: 'backup-row', data: { name: b.name } },
      h('span', { class: 'row-text' },
        h('span', { class: 'row-title' }, label),
        h('span', { class: 'row-meta' }, `${KIND[b.kind] ?? b.kind} \u00b7 ${size(b.bytes)} \u00b7 ${ago(b.createdAt)}`)),
      h('span', { class: 'row-actions' },
        h('button', {
          type: 'button',
          class: 'btn small backup-restore',
          onclick: async () => {
            const ok = await confirmDialog({
              title: `Restore the backup of ${label}?`,
              message: 'Everything written since then is replaced by this backup. Parley first keeps your data as it is now as a backup, then starts again on the restored one.',
              confirmLabel: 'Restore and restart',
              danger: true,
            });
            if (!ok) return;
            try {
              toast('Restoring\u2026 Parley starts again in a moment.', 10000);
              await api.backups.restore(b.name);
            } catch (e) {
              showError(e);
            }
          },
        }, 'Restore'),
        h('button', {
          type: 'button',
          class: 'btn small danger-subtle backup-delete',
          onclick: async () => {
            const ok = await confirmDialog({ title: `Delete the backup of ${label}?`, message: 'The backup file is deleted. This cannot be undone.', confirmLabel: 'Delete backup', danger: true });
            if (!ok) return;
            try {
              await api.backups.remove(b.name);
              toast('Backup deleted');
              await load();
            } catch (e) {
              showError(e);
            }
          },
        }, 'Delete'),
      ),
    );
  }

  const now = h('button', {
    type: 'button',
    class: 'btn',
    id: 'backup-now',
    onclick: async () => {
      try {
        now.setAttribute('disabled', '');
        await api.backups.create();
        toast('Backed up');
        await load();
      } catch (e) {
        showError(e);
      } finally {
        now.removeAttribute('disabled');
      }
    },
  }, 'Back up now');
  keep.addEventListener('change', async () => {
    const n = Number(keep.value);
    if (!Number.isInteger(n) || n < 1) {
      showError({ error: 'keep at least one backup (a whole number)', type: 'ValidationError', details: { field: 'keep' } });
      return;
    }
    try {
      await api.backups.setKeep(n);
      toast(`Parley keeps the newest ${n} backups`);
    } catch (e) {
      showError(e);
    }
  });

  void load();
  return h(
    'section',
    { class: 'card backups', 'aria-labelledby': 'backups-title' },
    h('h2', { id: 'backups-title' }, 'Backups'),
    folder,
    h('div', { class: 'backup-tools' }, now, h('label', { for: 'backup-keep' }, 'Keep the newest'), keep, h('span', null, 'backups')),
    list,
  );
}
