// dom.js – builds DOM nodes from data without ever parsing HTML (the CSP and our style forbid it).

/**
 * Creates an element.
 * @param {string} tag element name
 * @param {Object<string, *>} [props] `class`, `text` (textContent), `on` ({event: listener}),
 *   `dataset` ({key: value}); every other key becomes an attribute (`true` → empty value,
 *   `false`/`null`/`undefined` → left out)
 * @param {...(Node|string|number|null|undefined|Array)} children nodes or text; arrays are flattened
 * @returns {HTMLElement}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'on') for (const [ev, fn] of Object.entries(value)) el.addEventListener(ev, fn);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * Appends nodes or text to an element.
 * @param {Node} el parent
 * @param {Array} children nodes, strings, numbers or nested arrays; null and undefined are skipped
 */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces the content of a container with freshly built nodes, and gives focus back to the
 * element that had it if the new content holds an element with the same `data-focus-key`.
 * Views re-render whole sections when state changes; without this, a keyboard user would
 * lose their place every time an event arrives.
 * @param {HTMLElement} container element whose children are replaced
 * @param {() => Array} build returns the new children
 */
export function rerender(container, build) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  container.replaceChildren();
  append(container, build());
  if (key) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

/**
 * Sets the text of an element only when it differs, so screen readers and the
 * browser do not see needless mutations (the screen view ticks every second).
 * @param {Node} el element
 * @param {string} text new text
 */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Announces a message through a polite live region. Each message is a new paragraph in the
 * region (additions are what screen readers read), and only the last few are kept so the
 * region does not grow all day.
 * @param {HTMLElement} region an element with aria-live="polite"
 * @param {string} message the sentence to read
 * @param {number} [keep=3] how many recent messages stay in the region
 */
export function announce(region, message, keep = 3) {
  const p = document.createElement('p');
  p.textContent = message;
  region.append(p);
  while (region.childElementCount > keep) region.firstElementChild.remove();
}
