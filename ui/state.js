// @ts-check
// Shared app state: which lists changed (so the sidebar and other views can
// reload) and navigation. Views never reach into each other; they emit here.

/** @typedef {"characters" | "chats" | "personas" | "prompts" | "providers" | "settings" | "tasks"} Topic */

/** @type {Map<Topic, Set<() => void | Promise<void>>>} */
const listeners = new Map();

/**
 * Calls `fn` whenever `topic` changes; returns an unsubscribe function.
 * `fn` may return a promise of its reload (see `changed`).
 * @param {Topic} topic
 * @param {() => void | Promise<void>} fn
 */
export function on(topic, fn) {
  let set = listeners.get(topic);
  if (!set) {
    set = new Set();
    listeners.set(topic, set);
  }
  set.add(fn);
  return () => set?.delete(fn);
}

/**
 * Says that rows of `topic` were created, changed or deleted. Resolves once
 * every view that reloads has done so (failures are theirs to show).
 * @param {...Topic} topics @returns {Promise<void>}
 */
export async function changed(...topics) {
  const reloads = [];
  // Through a promise, so a listener that throws is settled like one that rejects.
  for (const t of topics) for (const fn of listeners.get(t) ?? []) reloads.push(Promise.resolve().then(fn));
  await Promise.allSettled(reloads);
}

/** Goes to a route, e.g. `navigate("chat/<id>")`. @param {string} route */
export function navigate(route) {
  const hash = `#/${route.replace(/^[#/]+/, '')}`;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/** The current route's parts: "#/providers/1/models/2" -> ["providers","1","models","2"]. */
export function routeParts() {
  return location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** @type {(() => void)[]} */
let leaving = [];

/**
 * Runs `fn` when the view rendered into `root` is left (its subscriptions,
 * document listeners). A view that was already left runs it at once.
 * @param {HTMLElement} root
 * @param {() => void} fn
 */
export function onLeave(root, fn) {
  if (root.isConnected) leaving.push(fn);
  else fn();
}

/** Called by the router before it shows the next view. */
export function leaveView() {
  const fns = leaving;
  leaving = [];
  for (const fn of fns) {
    try {
      fn();
    } catch (e) {
      console.warn(e);
    }
  }
}
