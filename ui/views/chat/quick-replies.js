// @ts-check
// The quick-reply bar over the composer: the chat's own quick replies,
// then its character's (docs/TEMPLATES.md). A click sends the template's
// text, or puts it in the composer, as the quick reply's mode says; a
// template with variables asks for them first. The bar shows only when
// there are quick replies; "Quick replies" in the chat's header (and "+"
// on the bar) opens the dialog that picks which message templates show,
// for this chat or for every chat of the character.

import { h, select } from '../../dom.js';
import { t } from '../../i18n.js';
import { openDialog, showError, toast } from '../../components.js';
import { quickReplies, templates } from '../../api/templates.js';
import { fillTemplate } from '../template-vars.js';

/** @typedef {import('../../api/templates.js').QuickReply} QuickReply */
/** @typedef {import('../../api/templates.js').QuickReplyOwner} QuickReplyOwner */

export class QuickReplyBar {
  /**
   * @param {string} chatId
   * @param {{id: string, name: string} | null} character
   * @param {{setText: (text: string) => void, sendText: (text: string) => Promise<boolean>}} composer
   */
  constructor(chatId, character, composer) {
    this.chatId = chatId;
    this.character = character;
    this.composer = composer;
    this.buttons = h('div', { class: 'quick-reply-list' });
    this.el = h(
      'div',
      { class: 'quick-replies', id: 'quick-replies', role: 'toolbar', 'aria-label': t('quickReplies.title') },
      this.buttons,
      h('button', { type: 'button', class: 'icon-btn quick-reply-add', id: 'quick-reply-manage', title: t('quickReplies.choose'), 'aria-label': t('quickReplies.choose'), onclick: () => void this.manage() }, '+'),
    );
    this.el.hidden = true;
    /** The header's way in, while the bar is hidden. */
    this.button = h('button', { type: 'button', class: 'btn subtle', id: 'quick-reply-add', title: t('quickReplies.chooseTitle'), onclick: () => void this.manage() }, t('quickReplies.title'));
  }

  async load() {
    try {
      this.show(await quickReplies.forChat(this.chatId));
    } catch (e) {
      showError(e);
    }
  }

  /** @param {QuickReply[]} list */
  show(list) {
    this.buttons.replaceChildren(
      ...list.map((q) =>
        h(
          'button',
          {
            type: 'button',
            class: `btn small quick-reply ${q.mode}`,
            data: { templateId: q.templateId, mode: q.mode },
            title: t(q.mode === 'send' ? 'quickReplies.sendsTitle' : 'quickReplies.fillsTitle', { text: q.content.slice(0, 200) }),
            onclick: () => void this.use(q),
          },
          q.name,
        ),
      ),
    );
    this.el.hidden = list.length === 0;
  }

  /** @param {QuickReply} q */
  async use(q) {
    try {
      const text = await fillTemplate({ id: q.templateId, name: q.name, variables: q.variables });
      if (text === null) return;
      if (q.mode === 'fill') this.composer.setText(text);
      else await this.composer.sendText(text);
    } catch (e) {
      showError(e);
    }
  }

  /** The dialog: each message template Off, Send or Fill, for the chat and the character. */
  async manage() {
    /** @type {QuickReplyOwner[]} */
    const owners = [{ kind: 'chat', id: this.chatId }];
    if (this.character) owners.push({ kind: 'character', id: this.character.id });
    let all;
    let current;
    try {
      [all, current] = await Promise.all([templates.list('message', { sort: 'name', limit: 200 }), Promise.all(owners.map((o) => quickReplies.list(o)))]);
    } catch (e) {
      showError(e);
      return;
    }
    const modes = [
      { value: '', label: t('quickReplies.off') },
      { value: 'send', label: t('quickReplies.sends') },
      { value: 'fill', label: t('quickReplies.fills') },
    ];
    const sections = owners.map((owner, i) => {
      const chosen = new Map(current[i].map((q) => [q.templateId, q.mode]));
      const title = owner.kind === 'chat' ? t('quickReplies.thisChat') : t('quickReplies.everyChat', { name: this.character?.name ?? '' });
      return h(
        'fieldset',
        { class: 'quick-reply-owner', data: { owner: owner.kind } },
        h('legend', null, title),
        all.items.length === 0
          ? h('p', { class: 'muted' }, t('quickReplies.noTemplates'))
          : all.items.map((template) =>
              h('label', { class: 'quick-reply-choice' }, h('span', null, template.name), select(`qr-${owner.kind}-${template.id}`, modes, chosen.get(template.id) ?? '', { data: { templateId: template.id } })),
            ),
      );
    });
    const save = h('button', {
      type: 'button',
      class: 'btn primary',
      id: 'quick-reply-save',
      onclick: async () => {
        try {
          for (const [i, owner] of owners.entries()) {
            const items = [...sections[i].querySelectorAll('select')]
              .filter((s) => s.value)
              .map((s) => ({ templateId: s.dataset.templateId ?? '', mode: /** @type {'send' | 'fill'} */ (s.value) }));
            await quickReplies.set(owner, items);
          }
          close();
          toast(t('quickReplies.saved'));
          await this.load();
        } catch (e) {
          showError(e);
        }
      },
    }, t('common.save'));
    const close = openDialog({ title: t('quickReplies.title'), id: 'quick-reply-dialog', body: [h('p', { class: 'muted' }, t('quickReplies.intro')), ...sections], actions: [save] });
  }
}
