// @ts-check
// Boot and routing. Routes live in the URL hash (`#/chat/<id>`, or
// `#/chat/<id>/<messageId>` to open a chat at a message); each view
// module renders into a fresh root element, so a slow view that finishes
// after the person moved on writes into a detached node and is never seen.

import { h } from './dom.js';
import { clearBanner, showError } from './components.js';
import { routeParts, leaveView } from './state.js';
import { initSidebar, markActive } from './views/sidebar.js';
import { initShortcuts } from './shortcuts.js';
import { initAppearance } from './appearance.js';
import { initLanguage } from './language.js';
import * as home from './views/home.js';
import * as character from './views/character.js';
import * as chat from './views/chat/index.js';
import * as documents from './views/documents.js';
import * as persona from './views/persona.js';
import * as providers from './views/providers.js';
import * as prompts from './views/prompts.js';
import * as search from './views/search.js';
import * as settings from './views/settings.js';
import * as tasks from './views/tasks.js';
import * as templatesView from './views/templates.js';
import * as trash from './views/trash.js';

/** @typedef {(root: HTMLElement, params: string[]) => Promise<void>} View */

/** @type {Record<string, View>} */
const routes = {
  '': home.render,
  character: character.render,
  chat: chat.render,
  'new-chat': chat.renderNewChat,
  documents: documents.render,
  personas: persona.render,
  providers: providers.render,
  prompts: prompts.render,
  search: search.render,
  settings: settings.render,
  tasks: tasks.render,
  templates: templatesView.render,
  trash: trash.render,
};

/**
 * Below the narrow-window breakpoint (styles.css) the sidebar is a drawer
 * over the content, opened by the top bar's button and closed by a choice
 * in it, the backdrop or Esc. Above it the button is hidden and this is moot.
 * @param {boolean} open
 */
function setDrawer(open) {
  document.body.classList.toggle('drawer-open', open);
  document.getElementById('sidebar-toggle')?.setAttribute('aria-expanded', String(open));
  const backdrop = document.getElementById('sidebar-backdrop');
  if (backdrop) backdrop.hidden = !open;
}

function initDrawer() {
  document.getElementById('sidebar-toggle')?.addEventListener('click', () => setDrawer(!document.body.classList.contains('drawer-open')));
  document.getElementById('sidebar-backdrop')?.addEventListener('click', () => setDrawer(false));
  // A link to the screen already shown changes no route: close it here too.
  document.getElementById('sidebar')?.addEventListener('click', (ev) => {
    if (ev.target instanceof Element && ev.target.closest('a[href]')) setDrawer(false);
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && document.body.classList.contains('drawer-open')) {
      ev.preventDefault();
      setDrawer(false);
    }
  });
}

async function route() {
  clearBanner();
  setDrawer(false);
  const [name = '', ...params] = routeParts();
  const view = routes[name] ?? home.render;
  const container = /** @type {HTMLElement} */ (document.getElementById('view'));
  leaveView();
  const root = h('div', { class: `view-root view-${name || 'home'}` });
  container.replaceChildren(root);
  container.scrollTop = 0;
  markActive();
  root.setAttribute('aria-busy', 'true');
  try {
    await view(root, params);
  } catch (e) {
    showError(e);
  } finally {
    root.removeAttribute('aria-busy');
  }
}

async function boot() {
  document.querySelector('#error-banner .banner-close')?.addEventListener('click', clearBanner);
  window.addEventListener('hashchange', () => void route());
  initDrawer();
  initShortcuts();
  // The words first: every screen is written in the person's language.
  await initLanguage();
  const sidebar = /** @type {HTMLElement} */ (document.getElementById('sidebar'));
  await Promise.allSettled([initAppearance(), initSidebar(sidebar), route()]);
  document.body.dataset.ready = 'true';
  // When the first screen has its data: the start-up benchmark reads it.
  performance.mark('parley-ready');
}

void boot();
