// @ts-check
// Providers (connections to an AI service): the list, the provider form,
// "Test connection" and "Fetch models". A new provider starts from a preset
// (the usual local servers) or a kind, and "Connect" tests it and lists its
// models before saving it with the one picked (connect.js). Each
// provider's models are in models.js. Keys are write-only here; the screen says when the key file
// was set aside or a key was cleared because the address moved.

import * as api from '../api.js';
import { h, field, input, select, val, ago } from '../dom.js';
import { pagedList, submitting, showError, confirmDialog, toast, viewHeader, sentence } from '../components.js';
import { changed, navigate } from '../state.js';
import { renderModels } from './models.js';
import { LOCAL_PRESETS, presetUrl, modelPicker, save, words } from './connect.js';
import { modelFiles } from './local-models.js';
import { t, tn } from '../i18n.js';


/**
 * The kinds; a label is read when shown (the language is chosen at boot).
 * @type {{kind: api.ProviderKind, readonly label: string, url: string}[]}
 */
export const KINDS = [
  { kind: 'openrouter', label: 'OpenRouter', url: 'https://openrouter.ai/api/v1' }, // i18n-ignore: a product name
  { kind: 'openai_compatible', get label() { return t('providers.kindOpenaiCompatible'); }, url: 'https://api.openai.com/v1' },
  { kind: 'anthropic', label: 'Anthropic', url: 'https://api.anthropic.com/v1' }, // i18n-ignore: a product name
  { kind: 'glm', label: 'GLM (Zhipu)', url: 'https://open.bigmodel.cn/api/paas/v4' }, // i18n-ignore: a product name
  { kind: 'ollama', get label() { return t('providers.kindOllama'); }, url: 'http://localhost:11434/v1' },
  { kind: 'koboldcpp', get label() { return t('providers.kindKoboldcpp'); }, url: 'http://localhost:5001' },
  { kind: 'llamacpp', get label() { return t('providers.kindLlamacpp'); }, url: 'http://localhost:8080' },
  { kind: 'text_completion', get label() { return t('providers.kindTextCompletion'); }, url: 'http://localhost:5000/v1' },
  { kind: 'local', get label() { return t('providers.kindLocal'); }, url: '' },
];

/** @param {string} kind */
export function kindLabel(kind) {
  return KINDS.find((k) => k.kind === kind)?.label ?? kind;
}

/**
 * @param {HTMLElement} root
 * @param {string[]} params `[]`, `["new"]`, `[id]`, `[id, "models", modelId | "new"]`
 */
export async function render(root, params) {
  const [providerId = null, , modelId = null] = params;
  const list = pagedList({
    label: t('providers.list'),
    className: 'rows selectable',
    empty: t('providers.empty'),
    load: (cursor) => api.providers.list({ sort: 'name', limit: api.PAGE_SIZE, cursor }),
    item: (p) =>
      h(
        'li',
        { data: { id: p.id } },
        h(
          'a',
          { href: `#/providers/${p.id}`, class: 'row-link', 'aria-current': p.id === providerId ? 'true' : null },
          h('span', { class: 'row-title' }, p.name),
          h('span', { class: 'row-meta' }, kindLabel(p.kind)),
        ),
      ),
  });
  const pane = h('div', { class: 'detail' });
  const notice = h('p', { class: 'notice', id: 'key-notice', role: 'alert', hidden: true });
  root.append(
    viewHeader(
      t('providers.title'),
      t('providers.intro'),
      h('button', { type: 'button', class: 'btn', id: 'open-model-files', onclick: () => navigate('providers/files') }, t('providers.modelFiles')),
      h('button', { type: 'button', class: 'btn primary', id: 'new-provider', onclick: () => navigate('providers/new') }, t('providers.newProvider')),
    ),
    notice,
    h('div', { class: 'split' }, h('div', { class: 'master' }, list.element), pane),
  );
  const jobs = [
    list.reload(),
    api.providers.keyNotice().then((text) => {
      notice.textContent = text ?? '';
      notice.hidden = !text;
    }),
  ];
  if (!providerId) {
    pane.append(h('p', { class: 'empty detail-empty' }, t('providers.selectHint')));
  } else if (providerId === 'files') {
    pane.append(
      h(
        'section',
        { class: 'editor card', 'aria-labelledby': 'model-files-title' },
        h('h2', { id: 'model-files-title' }, t('providers.modelFilesTitle')),
        h('p', { class: 'hint' }, t('providers.modelFilesHint')),
        modelFiles((m) => navigate(`providers/${m.providerId}`), { look: true, download: true }),
      ),
    );
  } else {
    const provider = providerId === 'new' ? null : await api.providers.get(providerId);
    /** @type {ModelHooks} */
    const hooks = { modelsChanged: () => {} };
    pane.append(providerForm(provider, () => void list.reload(), hooks));
    if (provider) jobs.push(renderModels(pane, provider, modelId, hooks));
  }
  await Promise.all(jobs);
}

/** @typedef {import('./models.js').ModelHooks} ModelHooks */

/**
 * @param {api.Provider | null} p
 * @param {() => void} reloadList
 * @param {ModelHooks} hooks
 */
function providerForm(p, reloadList, hooks) {
  const form = h('form', { id: 'provider-form', class: 'editor card', novalidate: true, 'aria-label': p ? t('providers.editProvider') : t('providers.newProvider') });
  const kind = select('kind', KINDS.map((k) => ({ value: k.kind, label: k.label })), p?.kind ?? 'openrouter');
  const baseUrl = input('baseUrl', p?.baseUrl, { type: 'url', spellcheck: 'false' });
  const apiKey = input('apiKey', '', {
    type: 'password',
    autocomplete: 'new-password',
    spellcheck: 'false',
    placeholder: p?.hasApiKey ? t('providers.keyStoredPlaceholder') : t('providers.keyPlaceholder'),
  });
  const removeKey = h('input', { type: 'checkbox', name: 'removeKey', id: 'remove-key' });
  removeKey.addEventListener('change', () => {
    apiKey.disabled = removeKey.checked;
    if (removeKey.checked) apiKey.value = '';
  });
  const syncPlaceholder = () => {
    baseUrl.placeholder = KINDS.find((k) => k.kind === kind.value)?.url ?? '';
  };
  kind.addEventListener('change', syncPlaceholder);
  syncPlaceholder();

  const heading = h('h2', null, p ? p.name : t('providers.newProvider'));
  const connectArea = h('div', { class: 'connect-area', id: 'connect-area' });
  /** A preset fills the kind, the URL and (when empty) the name. @param {typeof LOCAL_PRESETS[number]} preset */
  const usePreset = (preset) => {
    kind.value = preset.kind;
    baseUrl.value = presetUrl(preset);
    const name = /** @type {HTMLInputElement} */ (form.querySelector('[name="name"]'));
    if (name.value.trim() === '' || LOCAL_PRESETS.some((x) => x.name === name.value)) name.value = preset.name;
    syncPlaceholder();
    connectArea.replaceChildren();
  };
  const presets = p
    ? null
    : h(
        'div',
        { class: 'presets', role: 'group', 'aria-label': t('providers.presets') },
        h('span', { class: 'muted' }, t('providers.localServer')),
        ...LOCAL_PRESETS.map((x) => h('button', { type: 'button', class: 'btn small preset', title: presetUrl(x), onclick: () => usePreset(x) }, `${x.name} (${x.port})`)),
      );
  form.append(
    h('div', { class: 'editor-head' }, heading, p ? h('span', { class: 'badge' }, p.hasApiKey ? t('providers.keyStored') : t('providers.noKey')) : null),
    ...(presets ? [presets] : []),
    h(
      'div',
      { class: 'grid' },
      field(t('providers.name'), input('name', p?.name, { maxlength: 200, placeholder: t('providers.namePlaceholder') }), { required: true }),
      field(t('providers.kind'), kind),
      field(t('providers.baseUrl'), baseUrl, { wide: true, hint: t('providers.baseUrlHint') }),
      field(t('providers.apiKey'), apiKey, { wide: true, hint: t('providers.apiKeyHint') }),
      p?.hasApiKey ? h('div', { class: 'field wide check' }, removeKey, h('label', { for: 'remove-key' }, t('providers.removeKey'))) : null,
    ),
    ...(p ? [connection(p, hooks)] : [connectArea]),
    h(
      'div',
      { class: 'form-footer' },
      p ? h('span', { class: 'muted' }, t('providers.updated', { when: ago(p.updatedAt) })) : null,
      h('span', { class: 'spacer' }),
      p
        ? h('button', {
            type: 'button',
            class: 'btn danger-subtle',
            onclick: async () => {
              const ok = await confirmDialog({
                title: t('providers.deleteTitle', { name: p.name }),
                message: t('providers.deleteMessage'),
                confirmLabel: t('providers.deleteProvider'),
                danger: true,
              });
              if (!ok) return;
              try {
                await api.providers.remove(p.id);
                changed('providers');
                toast(t('providers.deleted'));
                navigate('providers');
              } catch (e) {
                showError(e);
              }
            },
          }, t('common.delete'))
        : null,
      p ? null : h('button', { type: 'button', class: 'btn', id: 'save-untested', title: t('providers.saveUntestedTitle'), onclick: () => void submitting(form, () => store(false)) }, t('providers.saveUntested')),
      h('button', { type: 'submit', id: 'save', class: 'btn primary' }, p ? t('providers.saveChanges') : t('providers.connect')),
    ),
  );
  /** @returns {api.ProviderInput} */
  const inputData = () => {
    /** @type {api.ProviderInput} */
    const data = {
      name: val(form, 'name').trim(),
      kind: /** @type {api.ProviderKind} */ (kind.value),
      baseUrl: baseUrl.value.trim(),
    };
    if (removeKey.checked) data.apiKey = '';
    else if (apiKey.value.trim() !== '') data.apiKey = apiKey.value.trim();
    return data;
  };
  /** "Connect": ask the server as typed, then save it with the model picked. */
  const connect = async () => {
    const data = inputData();
    connectArea.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'pending', role: 'status' }, data.name ? t('providers.asking', { name: data.name }) : t('providers.askingServer')));
    let models;
    try {
      models = await api.providers.probe(data);
    } catch (e) {
      connectArea.replaceChildren(h('p', { class: 'connection-status', 'data-state': 'error', role: 'alert' }, t('providers.couldNotConnect', { error: words(e) })));
      throw e;
    }
    connectArea.replaceChildren(
      h('p', { class: 'connection-status', 'data-state': 'ok', role: 'status' }, tn('providers.connectedPick', models.length)),
      modelPicker(models, t('providers.saveWithModel'), async (picked) => {
        const saved = await save(data, picked);
        toast(t('providers.addedWithModel', { provider: saved.name, model: picked[0]?.name ?? picked[0]?.id }));
        navigate(`providers/${saved.id}`);
      }),
    );
  };
  /** @param {boolean} existing */
  const store = async (existing) => {
    const data = inputData();
    const saved = existing && p ? await api.providers.update(p.id, data) : await api.providers.create(data);
    changed('providers');
    if (saved.keyCleared) {
      toast(t('providers.savedKeyCleared'), 8000);
    } else {
      toast(p ? t('providers.saved') : t('providers.added'));
    }
    if (p) {
      // Re-render so the key placeholder and badge match what is stored.
      navigate(`providers/${saved.id}`);
      reloadList();
    } else {
      navigate(`providers/${saved.id}/models/new`);
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void submitting(form, () => (p ? store(true) : connect()));
  });
  return form;
}

/**
 * "Test connection" and "Fetch models": both ask the provider for its
 * models with the stored URL and key; the second lists them to add.
 * @param {api.Provider} p
 * @param {ModelHooks} hooks
 */
function connection(p, hooks) {
  const status = h('p', { class: 'connection-status', id: 'connection-status', role: 'status' });
  const remote = h('div', { class: 'remote-models', hidden: true });
  const testBtn = h('button', { type: 'button', class: 'btn', id: 'test-connection', onclick: () => void ask(false) }, t('providers.testConnection'));
  const fetchBtn = h('button', { type: 'button', class: 'btn', id: 'fetch-models', onclick: () => void ask(true) }, t('providers.fetchModels'));

  /** @param {string} text @param {"ok" | "error" | "pending"} kind */
  const say = (text, kind) => {
    status.textContent = text;
    status.dataset.state = kind;
  };

  /** @param {boolean} list */
  async function ask(list) {
    testBtn.disabled = true;
    fetchBtn.disabled = true;
    say(t('providers.asking', { name: p.name }), 'pending');
    try {
      const [models, existing] = await Promise.all([
        api.providers.remoteModels(p.id),
        list ? api.listAll(api.models.list, { providerId: p.id }) : Promise.resolve([]),
      ]);
      say(tn('providers.connected', models.length), 'ok');
      if (list) showRemote(models, new Set(existing.map((m) => m.modelId)));
    } catch (e) {
      const err = /** @type {api.AppError} */ (e);
      say(sentence(err?.error ?? String(e)), 'error');
    } finally {
      testBtn.disabled = false;
      fetchBtn.disabled = false;
    }
  }

  /**
   * @param {api.RemoteModel[]} models
   * @param {Set<string>} added model ids this provider already has
   */
  function showRemote(models, added) {
    const filter = h('input', { type: 'search', class: 'remote-filter', placeholder: tn('providers.filterModels', models.length), 'aria-label': t('providers.filterLabel'), autocomplete: 'off', spellcheck: 'false' });
    const rows = models
      .slice()
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
      .map((r) => {
        const have = added.has(r.id);
        const add = h('button', { type: 'button', class: 'btn small add-remote', disabled: have, 'aria-label': t('providers.addModelLabel', { name: r.name ?? r.id }) }, have ? t('providers.modelAdded') : t('providers.addModel'));
        add.addEventListener('click', async () => {
          add.disabled = true;
          try {
            await api.models.create({
              providerId: p.id,
              modelId: r.id,
              displayName: r.name ?? r.id,
              contextLength: r.contextLength ?? null,
              maxOutputTokens: null,
              temperature: null,
              topP: null,
              topK: null,
              minP: null,
              frequencyPenalty: null,
              presencePenalty: null,
              repetitionPenalty: null,
              seed: null,
            });
            added.add(r.id);
            add.textContent = t('providers.modelAdded');
            changed('providers');
            hooks.modelsChanged();
            toast(t('providers.modelAddedToast', { name: r.name ?? r.id }));
          } catch (e) {
            add.disabled = false;
            showError(e);
          }
        });
        const search = `${r.id} ${r.name ?? ''}`.toLowerCase();
        return {
          search,
          el: h(
            'li',
            { class: 'remote-model', data: { modelId: r.id } },
            h('span', { class: 'remote-text' }, h('span', { class: 'row-title' }, r.name ?? r.id), r.name ? h('span', { class: 'row-meta mono' }, r.id) : null),
            r.contextLength ? h('span', { class: 'row-meta' }, t('providers.contextTokens', { count: r.contextLength })) : null,
            add,
          ),
        };
      });
    const ul = h('ul', { class: 'rows remote-list', 'aria-label': t('providers.modelsOffered', { name: p.name }) }, ...rows.map((r) => r.el));
    const none = h('p', { class: 'empty', hidden: rows.length > 0 }, rows.length ? t('providers.noMatch') : t('providers.noRemoteModels'));
    filter.addEventListener('input', () => {
      const q = filter.value.trim().toLowerCase();
      let shown = 0;
      for (const r of rows) {
        r.el.hidden = q !== '' && !r.search.includes(q);
        if (!r.el.hidden) shown += 1;
      }
      none.hidden = shown > 0;
    });
    // Enter in the filter must not submit the provider form.
    filter.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') ev.preventDefault();
    });
    remote.replaceChildren(...(rows.length > 8 ? [filter] : []), ul, none);
    remote.hidden = false;
    if (rows.length > 8) filter.focus();
  }

  return h(
    'div',
    { class: 'connection', 'aria-label': t('providers.connection') },
    h('div', { class: 'connection-row' }, testBtn, fetchBtn, status),
    h('p', { class: 'hint' }, t('providers.connectionHint')),
    remote,
  );
}
