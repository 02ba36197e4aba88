// Sets an element's height through the CSSOM. The strict CSP forbids inline `style` attributes;
// script-set CSSOM properties are allowed and keep the spacers of a virtual list exact.
export function heightPx(node: HTMLElement, px: number) {
  node.style.height = `${px}px`;
  return {
    update(next: number) {
      node.style.height = `${next}px`;
    },
  };
}
