// emitter.js – a small event emitter shared by the connection, the session and the language switch.

/**
 * A minimal publish/subscribe helper. Listeners are called in the order they
 * were added; a listener that throws is reported and does not stop the others,
 * so one broken view cannot silence the connection for the rest of the page.
 */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /**
   * Subscribes to an event.
   * @param {string} name event name
   * @param {Function} fn listener, called with the event's arguments
   * @returns {() => void} a function that removes the listener again
   */
  on(name, fn) {
    let set = this._listeners.get(name);
    if (!set) {
      set = new Set();
      this._listeners.set(name, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * Calls every listener of an event.
   * @param {string} name event name
   * @param {...*} args arguments passed to each listener
   */
  emit(name, ...args) {
    const set = this._listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(...args);
      } catch (err) {
        console.error(`listener for "${name}" failed`, err);
      }
    }
  }

  /** Removes every listener of every event. */
  clearListeners() {
    this._listeners.clear();
  }
}
