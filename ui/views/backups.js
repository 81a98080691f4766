// @ts-check
// Settings' "Backups" section: the backups of the database with their date,
// kind and size; "Back up now", Restore and Delete; how many are kept. A
// restore keeps the database as it is as a backup first, then Parley
// starts again on the restored one.

import * as api from '../api.js';
import { h, when, ago } from '../dom.js';
import { confirmDialog, showError, toast } from '../components.js';
import { t, tn, tNodes, formatNumber } from '../i18n.js';

/** The kinds in the person's language. @returns {Record<api.BackupKind, string>} */
const KIND = () => ({
  manual: t('backups.kindManual'),
  automatic: t('backups.kindAutomatic'),
  beforeMigration: t('backups.kindBeforeMigration'),
  beforeRestore: t('backups.kindBeforeRestore'),
});

/** "1.2 MB". @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return tn('backups.bytes', bytes);
  if (bytes < 1024 * 1024) return t('backups.kilobytes', { size: formatNumber(bytes / 1024, { maximumFractionDigits: 0, useGrouping: false }) });
  return t('backups.megabytes', { size: formatNumber(bytes / (1024 * 1024), { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }) });
}

/** The Backups section; loads its list when built. */
export function section() {
  const list = h('ul', { class: 'rows', id: 'backup-list', 'aria-label': t('backups.title') });
  const folder = h('p', { class: 'hint' });
  const keep = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'backup-keep', min: '1', max: '1000', step: '1', inputmode: 'numeric' }));

  async function load() {
    try {
      const [found, kept] = await Promise.all([api.backups.list(), api.backups.keep()]);
      keep.value = String(kept);
      folder.textContent = t('backups.keptIn', { folder: found.folder });
      list.replaceChildren(...(found.backups.length ? found.backups.map(row) : [h('li', { class: 'empty muted' }, t('backups.none'))]));
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
        h('span', { class: 'row-meta' }, `${KIND()[b.kind] ?? b.kind} \u00b7 ${size(b.bytes)} \u00b7 ${ago(b.createdAt)}`)),
      h('span', { class: 'row-actions' },
        h('button', {
          type: 'button',
          class: 'btn small backup-restore',
          onclick: async () => {
            const ok = await confirmDialog({
              title: t('backups.restoreTitle', { date: label }),
              message: t('backups.restoreMessage'),
              confirmLabel: t('backups.restoreConfirm'),
              danger: true,
            });
            if (!ok) return;
            try {
              toast(t('backups.restoring'), 10000);
              await api.backups.restore(b.name);
            } catch (e) {
              showError(e);
            }
          },
        }, t('common.restore')),
        h('button', {
          type: 'button',
          class: 'btn small danger-subtle backup-delete',
          onclick: async () => {
            const ok = await confirmDialog({ title: t('backups.deleteTitle', { date: label }), message: t('backups.deleteMessage'), confirmLabel: t('backups.deleteConfirm'), danger: true });
            if (!ok) return;
            try {
              await api.backups.remove(b.name);
              toast(t('backups.deleted'));
              await load();
            } catch (e) {
              showError(e);
            }
          },
        }, t('common.delete')),
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
        toast(t('backups.backedUp'));
        await load();
      } catch (e) {
        showError(e);
      } finally {
        now.removeAttribute('disabled');
      }
    },
  }, t('backups.backUpNow'));
  keep.addEventListener('change', async () => {
    const n = Number(keep.value);
    if (!Number.isInteger(n) || n < 1) {
      showError({ error: t('backups.keepInvalid'), type: 'ValidationError', details: { field: 'keep' } });
      return;
    }
    try {
      await api.backups.setKeep(n);
      toast(tn('backups.keeps', n));
    } catch (e) {
      showError(e);
    }
  });

  void load();
  return h(
    'section',
    { class: 'card backups', 'aria-labelledby': 'backups-title' },
    h('h2', { id: 'backups-title' }, t('backups.title')),
    folder,
    h('div', { class: 'backup-tools' }, now, h('label', { for: 'backup-keep' }, ...tNodes('backups.keepNewest', { number: keep }))),
    list,
  );
}
