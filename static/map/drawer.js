// Phone width: the side panel is a drawer. The toggle opens and closes it (aria-expanded says
// which), Escape closes it, focus moves into the drawer when it opens and back to the toggle when
// it closes. Wider screens show the panel beside the map and hide the toggle (map.css).

const PHONE = window.matchMedia("(max-width: 480px)");

export function initDrawer({ onChange } = {}) {
  const toggle = document.getElementById("drawer-toggle");
  const drawer = document.getElementById("sidebar");
  if (!toggle || !drawer) return null;

  function isOpen() {
    return drawer.classList.contains("open");
  }

  function set(open, { focus = true } = {}) {
    drawer.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
    if (focus && PHONE.matches) {
      const target = open
        ? drawer.querySelector("select, input, button, a[href], [tabindex]")
        : toggle;
      // focus() recomputes styles first, so the drawer just made visible takes it.
      if (target) target.focus();
    }
    if (onChange) onChange(open);
  }

  toggle.addEventListener("click", () => set(!isOpen()));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen() && PHONE.matches) set(false);
  });
  // Leaving phone width: the panel is always shown beside the map, the drawer state is moot.
  PHONE.addEventListener("change", () => set(false, { focus: false }));
  return { open: () => set(true), close: () => set(false), isOpen };
}
