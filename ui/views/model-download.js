// @ts-check
// "Download a model": a .gguf from an address the person gives (and, if
// they have it, its SHA-256), into Parley's models folder. Each download
// shows a bar, bytes, speed and time left, with Cancel while it runs and
// Resume after a break or a cancel (what arrived is kept). A finished one
// is a model on "This computer" (services/model_download.rs).

import { downloads, size } from '../api/local-models.js';
import { h, input } from '../dom.js';
import { t } from '../i18n.js';
import { showError } from '../components.js';
import { changed } from '../state.js';
import { errorWords } from '../errors.js';
import { words } from './connect.js';

const POLL_MS = 500;

/** "12 s", "4 min", "1 h 5 min". @param {number} s */
function duration(s) {
  if (s < 60) return t('modelDownload.seconds', { count: s });
  if (s < 3600) return t('modelDownload.minutes', { count: Math.round(s / 60) });
  return t('modelDownload.hoursMinutes', { hours: Math.floor(s / 3600), minutes: Math.round((s % 3600) / 60) });
}

/** @param {import('../api/local-models.js').Download} d */
export function progressWords(d) {
  const got = d.total ? t('modelDownload.sizeOf', { received: size(d.received), total: size(d.total) }) : size(d.received);
  switch (d.state) {
    case 'done':
      return t('modelDownload.done', { progress: got });
    case 'failed':
      return t('modelDownload.stopped', { progress: got, error: d.error ? errorWords({ error: d.error, code: d.errorCode ?? null, values: d.errorValues ?? null }) : t('modelDownload.failed') });
    case 'cancelled':
      return t('modelDownload.cancelled', { progress: got });
    default:
      return [got, d.speed > 0 ? t('modelDownload.speed', { size: size(d.speed) }) : null, d.secondsLeft != null && d.speed > 0 ? t('modelDownload.left', { time: duration(d.secondsLeft) }) : null]
        .filter(Boolean)
        .join(' \u00b7 ');
  }
}

/** @param {() => void} onAdded called when a download becomes a model */
export function downloadForm(onAdded) {
  const url = input('downloadUrl', '', { type: 'url', spellcheck: 'false', placeholder: t('modelDownload.urlPlaceholder'), 'aria-label': t('modelDownload.urlLabel') });
  const sha = input('downloadSha256', '', { spellcheck: 'false', placeholder: t('modelDownload.shaPlaceholder'), 'aria-label': t('modelDownload.shaLabel') });
  const btn = h('button', { type: 'button', class: 'btn', id: 'download-model' }, t('modelDownload.download'));
  const list = h('ul', { class: 'rows downloads', 'aria-label': t('modelDownload.downloads') });
  /** @type {Set<string>} */
  const announced = new Set();
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  const refresh = async () => {
    timer = null;
    const all = await downloads.list().catch(() => []);
    list.replaceChildren(...all.map((d) => row(d, start)));
    for (const d of all) {
      if (d.state === 'done' && !announced.has(d.id)) {
        announced.add(d.id);
        changed('providers');
        onAdded();
      }
    }
    if (all.some((d) => d.state === 'running') && list.isConnected) timer = setTimeout(refresh, POLL_MS);
  };
  /** @param {string} address @param {string | null} checksum */
  const start = async (address, checksum) => {
    try {
      await downloads.start(address, checksum);
      if (timer) clearTimeout(timer);
      await refresh();
    } catch (e) {
      showError(e);
    }
  };
  btn.addEventListener('click', () => {
    if (!url.value.trim()) {
      url.focus();
      return;
    }
    void start(url.value.trim(), sha.value.trim() || null);
  });
  void refresh();
  return h('div', { class: 'model-download' }, h('div', { class: 'connection-row' }, url, sha, btn), list);
}

/**
 * @param {import('../api/local-models.js').Download} d
 * @param {(url: string, sha: string | null) => Promise<void>} start
 */
function row(d, start) {
  const bar = /** @type {HTMLProgressElement} */ (h('progress', { max: String(Math.max(1, d.total ?? 1)), value: String(d.received), 'aria-label': t('modelDownload.downloadedOf', { file: d.file.split('/').pop() }) }));
  if (d.total == null && d.state === 'running') bar.removeAttribute('value');
  const action =
    d.state === 'running'
      ? h('button', { type: 'button', class: 'btn small', onclick: () => void downloads.cancel(d.id).catch(showError) }, t('common.cancel'))
      : d.state === 'failed' || d.state === 'cancelled'
        ? h('button', { type: 'button', class: 'btn small', onclick: () => void start(d.url, null) }, t('modelDownload.resume'))
        : null;
  return h(
    'li',
    { class: 'download', data: { state: d.state } },
    h(
      'span',
      { class: 'remote-text' },
      h('span', { class: 'row-title', translate: 'no' }, d.file.split('/').pop() ?? d.file),
      bar,
      h('span', { class: 'row-meta download-progress', role: 'status' }, d.error && d.state === 'failed' ? words({ error: progressWords(d) }) : progressWords(d)),
    ),
    action,
  );
}
