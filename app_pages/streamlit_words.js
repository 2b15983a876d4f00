// Swaps Streamlit's own English texts (and placeholders, tooltips) for the app's language.
// The word lists and the language are filled in by app_pages/look.py. It also makes Enter
// apply a date typed into a date field (Streamlit applies it only when the field loses focus).
(function () {
  const words = __WORDS__;
  const patterns = __PATTERNS__.map(([p, r]) => [new RegExp(p), r]);
  const ATTRS = ["placeholder", "aria-label", "title"];
  const state = window.__hexpatrolWords || (window.__hexpatrolWords = {});
  state.zh = __ZH__;
  function swap(text) {
    const key = text.trim();
    if (words[key]) return text.replace(key, words[key]);
    for (const [re, to] of patterns) {
      if (re.test(key)) return text.replace(key, key.replace(re, to));
    }
    return null;
  }
  function fixText(node) {
    if (state.zh) {
      const out = swap(node.nodeValue);
      if (out !== null && out !== node.nodeValue) {
        node.__orig = node.nodeValue;
        node.nodeValue = out;
      }
    } else if (node.__orig !== undefined) {
      node.nodeValue = node.__orig;
      delete node.__orig;
    }
  }
  function fixElement(el) {
    for (const a of ATTRS) {
      const v = el.getAttribute && el.getAttribute(a);
      if (!v) continue;
      if (state.zh) {
        const out = swap(v);
        if (out !== null && out !== v) {
          el.setAttribute("data-orig-" + a, v);
          el.setAttribute(a, out);
        }
      } else if (el.hasAttribute("data-orig-" + a)) {
        // removed first: restoring is itself a mutation the observer sees again
        const orig = el.getAttribute("data-orig-" + a);
        el.removeAttribute("data-orig-" + a);
        el.setAttribute(a, orig);
      }
    }
  }
  function walk(root) {
    if (root.nodeType === 3) return fixText(root);
    if (root.nodeType !== 1) return;
    fixElement(root);
    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = it.nextNode(); n; n = it.nextNode()) (n.nodeType === 3 ? fixText : fixElement)(n);
  }
  if (!state.observer) {
    state.observer = new MutationObserver((changes) => {
      for (const m of changes) {
        if (m.type === "characterData") fixText(m.target);
        else if (m.type === "attributes") fixElement(m.target);
        else m.addedNodes.forEach(walk);
      }
    });
    state.observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ATTRS,
    });
  }
  if (!state.timer) {
    // a safety net for texts React writes without a mutation the observer sees in time
    state.timer = setInterval(() => walk(document.body), 1500);
  }
  if (!state.enter) {
    state.enter = true;
    document.addEventListener("keydown", (e) => {
      const inDate = e.key === "Enter" && e.target.closest
        && e.target.closest("[data-testid=stDateInputField]");
      if (!inDate) return;
      // Streamlit applies a typed date on Escape (and on leaving the field): do what Escape does
      e.preventDefault();
      e.stopPropagation();
      e.target.dispatchEvent(new KeyboardEvent("keydown", {
        key: "Escape", code: "Escape", keyCode: 27, bubbles: true, cancelable: true,
      }));
    }, true);
  }
  walk(document.body);
})();
