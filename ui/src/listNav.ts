// Arrow-key movement for listboxes whose options carry `data-id`: ↑/↓, Home/End move the
// selection and the focus together (roving tabindex: only the selected option is tabbable).

export function onListKeyDown(event: KeyboardEvent, select: (id: string) => void): void {
  const list = event.currentTarget as HTMLElement;
  const options = Array.from(list.querySelectorAll<HTMLElement>('[role="option"][data-id]'));
  if (options.length === 0) return;
  const current = options.findIndex((o) => o === document.activeElement);
  let next: number;
  switch (event.key) {
    case "ArrowDown":
      next = current < 0 ? 0 : Math.min(current + 1, options.length - 1);
      break;
    case "ArrowUp":
      next = current < 0 ? 0 : Math.max(current - 1, 0);
      break;
    case "Home":
      next = 0;
      break;
    case "End":
      next = options.length - 1;
      break;
    case "Enter":
    case " ":
      if (current >= 0) {
        event.preventDefault();
        const id = options[current]?.dataset.id;
        if (id) select(id);
      }
      return;
    default:
      return;
  }
  event.preventDefault();
  const target = options[next];
  if (!target) return;
  target.focus();
  target.scrollIntoView({ block: "nearest" });
  const id = target.dataset.id;
  if (id) select(id);
}
