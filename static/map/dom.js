// Building DOM nodes: styles go through the CSSOM (the Content-Security-Policy refuses a
// `style` attribute).

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    // Through the CSSOM: the Content-Security-Policy refuses a `style` attribute.
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("data-") || key === "href" || key === "role" || key === "title" ||
             key === "type" || key === "aria-label") node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A district's count on the overview map, sized by the count.
export function bubble(size, text) {
  const node = el("div", { class: "agg-bubble", "data-testid": "aggregate", text });
  node.style.width = node.style.height = `${size}px`;
  return node;
}
