// @ts-check
// A group chat's own parts: the drawer with its members (add, remove, mute,
// talkativeness, order) and its settings (turn order, cards, scenario,
// auto-mode), the bar over the composer with a "talk" button per member
// (force talk, and the person's pick in manual order), and auto-mode, which
// lets the characters go on among themselves until the person types, stops
// it, or its turn limit is reached.

import * as api from '../../api.js';
import { h } from '../../dom.js';
import { formatNumber, t, tn } from '../../i18n.js';
import { showError, toast } from '../../components.js';
import { groups } from '../../api/groups.js';
import { avatarImg } from '../avatar.js';

/** @typedef {import('../../api/groups.js').ChatMember} ChatMember */
/** @typedef {import('../../api/groups.js').GroupSettings} GroupSettings */
/** @typedef {import('../../api/groups.js').TurnOrder} TurnOrder */

/** The turn orders: value, name, hint. @returns {[TurnOrder, string, string][]} */
const orders = () => [
  ['natural', t('group.orderNatural'), t('group.orderNaturalHint')],
  ['list', t('group.orderList'), t('group.orderListHint')],
  ['pooled', t('group.orderPooled'), t('group.orderPooledHint')],
  ['manual', t('group.orderManual'), t('group.orderManualHint')],
];

/** "40%": a share from 0 to 1 the locale's way. @param {number} share */
const percent = (share) => formatNumber(share, { style: 'percent', maximumFractionDigits: 0 });

/**
 * Auto-mode: after each completed reply it waits the chat's delay and asks
 * the next speaker for a turn, until it is stopped, the person types, a
 * reply does not complete, or the turn limit is reached.
 */
export class AutoMode {
  /**
   * @param {{
   *   turn: () => Promise<boolean>,
   *   settings: () => GroupSettings,
   *   changed: (on: boolean, why: string) => void,
   * }} host `turn` starts the next speaker's reply, resolving to whether it started
   */
  constructor(host) {
    this.host = host;
    this.on = false;
    /** Turns taken since auto-mode was switched on. */
    this.turns = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
  }

  /** Switches auto-mode on; the first turn starts at once when no reply is being written. @param {boolean} idle */
  start(idle) {
    if (this.on) return;
    this.on = true;
    this.turns = 0;
    this.host.changed(true, t('group.autoStarted'));
    if (idle) void this.#next();
  }

  /** @param {string} why what the person is told */
  stop(why) {
    if (!this.on) return;
    this.on = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.host.changed(false, why);
  }

  /** A reply ended; a completed one leads to the next turn after the delay. @param {string} kind */
  replyEnded(kind) {
    if (!this.on) return;
    if (kind !== 'completed') {
      this.stop(t('group.autoStoppedIncomplete'));
      return;
    }
    const delay = Math.max(0, this.host.settings().autoDelaySecs) * 1000;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.#next();
    }, delay);
  }

  async #next() {
    if (!this.on) return;
    if (this.turns >= this.host.settings().autoTurnLimit) {
      this.stop(tn('group.autoStoppedAfter', this.turns));
      return;
    }
    this.turns += 1;
    const started = await this.host.turn();
    if (!started) this.stop(t('group.autoStoppedNoStart'));
  }
}

/**
 * The bar over the composer: one button per member (make them talk now),
 * and auto-mode's switch and status.
 */
export class SpeakerBar {
  /**
   * @param {{ talk: (m: ChatMember) => void, auto: () => void }} actions
   */
  constructor(actions) {
    this.actions = actions;
    this.buttons = h('div', { class: 'speaker-buttons', role: 'group', 'aria-label': t('group.talkButtons') });
    this.autoBtn = h('button', { type: 'button', class: 'btn small', id: 'group-auto', 'aria-pressed': 'false', title: t('group.autoTitle'), onclick: () => actions.auto() }, t('group.auto'));
    this.status = h('span', { class: 'muted speaker-status', id: 'group-auto-status', role: 'status', 'aria-live': 'polite' });
    this.el = h('div', { class: 'speaker-bar', id: 'group-speakers' }, h('span', { class: 'muted speaker-label' }, t('group.talk')), this.buttons, this.autoBtn, this.status);
  }

  /** @param {ChatMember[]} members @param {string | null} next who the turn order picks now */
  show(members, next) {
    this.buttons.replaceChildren(
      ...members.map((m) => {
        const pic = avatarImg('character', m.characterId, m.name, 20);
        const label = m.muted ? t('group.mutedName', { name: m.name }) : m.name;
        return h(
          'button',
          {
            type: 'button',
            class: `btn small speaker-btn${m.muted ? ' muted-member' : ''}${m.characterId === next ? ' next' : ''}`,
            data: { id: m.characterId },
            title: m.characterId === next ? t('group.speaksNext', { name: m.name }) : t('group.talkNow', { name: m.name }),
            onclick: () => this.actions.talk(m),
          },
          pic,
          h('span', null, label),
        );
      }),
    );
  }

  /** @param {boolean} on @param {string} why */
  autoChanged(on, why) {
    this.autoBtn.setAttribute('aria-pressed', String(on));
    this.autoBtn.textContent = on ? t('group.stopAuto') : t('group.auto');
    this.status.textContent = why;
  }

  /** @param {boolean} busy a reply is being started or written */
  busy(busy) {
    for (const b of this.buttons.querySelectorAll('button')) /** @type {HTMLButtonElement} */ (b).disabled = busy;
  }
}

/** The drawer with a group's members and settings. */
export class GroupPanel {
  /**
   * @param {string} chatId
   * @param {() => void} changed members or settings changed (the bar and the title follow)
   */
  constructor(chatId, changed) {
    this.chatId = chatId;
    this.changed = changed;
    /** @type {ChatMember[]} */
    this.members = [];
    /** @type {GroupSettings} */
    this.settings = { turnOrder: 'natural', joinCards: false, scenario: '', autoDelaySecs: 3, autoTurnLimit: 10 };
    this.list = h('ul', { class: 'member-list', id: 'group-members', 'aria-label': t('group.members') });
    this.addSelect = h('select', { id: 'group-add-select', 'aria-label': t('group.characterToAdd') });
    this.order = h('select', { id: 'group-turn-order', 'aria-label': t('group.turnOrder') }, ...orders().map(([v, label, hint]) => h('option', { value: v, title: hint }, label)));
    this.orderHint = h('p', { class: 'hint' });
    this.joinCards = h('input', { type: 'checkbox', id: 'group-join-cards' });
    this.scenario = h('textarea', { id: 'group-scenario', rows: 3, placeholder: t('group.scenarioPlaceholder') });
    this.delay = h('input', { type: 'number', id: 'group-auto-delay', min: 0, max: 600, step: 0.5 });
    this.limit = h('input', { type: 'number', id: 'group-auto-limit', min: 1, max: 1000, step: 1 });
    this.order.addEventListener('change', () => this.#showHint());
    const save = h('button', { type: 'button', class: 'btn primary', id: 'group-settings-save', onclick: () => void this.saveSettings() }, t('common.save'));
    this.panel = h('div', { class: 'chat-settings chat-group', id: 'chat-group', hidden: true, role: 'region', 'aria-label': t('group.title') },
      h('div', { class: 'card' },
        h('div', { class: 'doc-tools' },
          h('h2', null, t('group.title')),
          h('span', { class: 'spacer' }),
          h('button', { type: 'button', class: 'btn', onclick: () => this.close() }, t('common.close'))),
        this.list,
        h('div', { class: 'member-add' }, this.addSelect, h('button', { type: 'button', class: 'btn', id: 'group-add', onclick: () => void this.add() }, t('group.addMember'))),
        h('h3', null, t('group.turns')),
        h('label', { class: 'field' }, h('span', null, t('group.whoSpeaksNext')), this.order),
        this.orderHint,
        h('label', { class: 'check' }, this.joinCards, ' ', t('group.joinCards')),
        h('label', { class: 'field' }, h('span', null, t('group.scenario')), this.scenario),
        h('div', { class: 'grid' },
          h('label', { class: 'field' }, h('span', null, t('group.autoDelay')), this.delay),
          h('label', { class: 'field' }, h('span', null, t('group.autoLimit')), this.limit)),
        h('div', { class: 'form-footer' }, h('span', { class: 'spacer' }), save)));
    this.button = h(
      'button',
      { type: 'button', class: 'btn chat-settings-btn', id: 'chat-group-btn', title: t('group.buttonTitle'), 'aria-label': t('group.title'), 'aria-expanded': 'false', 'aria-controls': 'chat-group', onclick: () => (this.panel.hidden ? void this.open() : this.close()) },
      h('span', { 'aria-hidden': 'true' }, '\u263A'),
      h('span', { class: 'btn-label' }, t('group.title')),
    );
  }

  #showHint() {
    const order = orders().find(([v]) => v === this.order.value);
    this.orderHint.textContent = order ? order[2] : '';
  }

  close() {
    this.panel.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
  }

  async open() {
    this.panel.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    await this.reload();
  }

  /** Loads members and settings; the drawer shows them. */
  async reload() {
    const [members, settings, characters] = await Promise.all([
      groups.members(this.chatId),
      groups.settings(this.chatId),
      api.listAll(api.characters.list, { sort: 'name' }).catch(() => []),
    ]);
    this.members = members;
    this.settings = settings;
    this.order.value = settings.turnOrder;
    this.#showHint();
    this.joinCards.checked = settings.joinCards;
    this.scenario.value = settings.scenario;
    this.delay.value = String(settings.autoDelaySecs);
    this.limit.value = String(settings.autoTurnLimit);
    const inGroup = new Set(members.map((m) => m.characterId));
    const others = characters.filter((c) => !inGroup.has(c.id));
    this.addSelect.replaceChildren(...others.map((c) => h('option', { value: c.id }, c.name)));
    this.addSelect.disabled = others.length === 0;
    this.list.replaceChildren(...members.map((m, i) => this.#row(m, i)));
  }

  /** @param {ChatMember} m @param {number} i */
  #row(m, i) {
    const talk = h('input', { type: 'range', min: 0, max: 1, step: 0.1, value: String(m.talkativeness), 'aria-label': t('group.talkativeness', { name: m.name }), class: 'member-talk' });
    const talkValue = h('span', { class: 'muted member-talk-value' }, percent(m.talkativeness));
    talk.addEventListener('input', () => {
      talkValue.textContent = percent(Number(talk.value));
    });
    talk.addEventListener('change', () => void this.update(m, { talkativeness: Number(talk.value) }));
    const mute = h('input', { type: 'checkbox', class: 'member-mute', checked: m.muted, 'aria-label': t('group.mute', { name: m.name }) });
    mute.addEventListener('change', () => void this.update(m, { muted: mute.checked }));
    return h('li', { class: `member${m.muted ? ' muted-member' : ''}`, data: { id: m.characterId } },
      avatarImg('character', m.characterId, m.name, 28),
      h('span', { class: 'member-name' }, m.name),
      h('label', { class: 'member-talk-field', title: t('group.talkativenessTitle') }, talk, talkValue),
      h('label', { class: 'check' }, mute, ' ', t('group.muted')),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('group.moveUp', { name: m.name }), disabled: i === 0, onclick: () => void this.update(m, { position: i - 1 }) }, '\u2191'),
      h('button', { type: 'button', class: 'icon-btn', 'aria-label': t('group.moveDown', { name: m.name }), disabled: i === this.members.length - 1, onclick: () => void this.update(m, { position: i + 1 }) }, '\u2193'),
      h('button', { type: 'button', class: 'btn small danger-subtle member-remove', 'aria-label': t('group.removeLabel', { name: m.name }), disabled: this.members.length <= 1, onclick: () => void this.remove(m) }, t('group.remove')));
  }

  /** @param {ChatMember} m @param {{muted?: boolean, talkativeness?: number, position?: number}} change */
  async update(m, change) {
    try {
      await groups.updateMember(this.chatId, m.characterId, change);
      await this.reload();
      this.changed();
    } catch (e) {
      showError(e);
    }
  }

  async add() {
    const id = this.addSelect.value;
    if (!id) return;
    try {
      await groups.addMember(this.chatId, id);
      await this.reload();
      this.changed();
    } catch (e) {
      showError(e);
    }
  }

  /** @param {ChatMember} m */
  async remove(m) {
    try {
      await groups.removeMember(this.chatId, m.characterId);
      toast(t('group.left', { name: m.name }));
      await this.reload();
      this.changed();
    } catch (e) {
      showError(e);
    }
  }

  async saveSettings() {
    /** @type {GroupSettings} */
    const next = {
      turnOrder: /** @type {TurnOrder} */ (this.order.value),
      joinCards: this.joinCards.checked,
      scenario: this.scenario.value,
      autoDelaySecs: Number(this.delay.value),
      autoTurnLimit: Math.round(Number(this.limit.value)),
    };
    try {
      this.settings = await groups.setSettings(this.chatId, next);
      toast(t('group.settingsSaved'));
      this.changed();
    } catch (e) {
      showError(e);
    }
  }
}
