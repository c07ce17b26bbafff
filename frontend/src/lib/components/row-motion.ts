// New rows glow and hung-up rows fade, driven by the Web Animations API from absolute
// timestamps: a row that scrolls into view (or re-renders) mid-animation picks up where
// the animation is, instead of restarting it.
import type { Attachment } from 'svelte/attachments';
import { FADE_MS, FRESH_MS } from '../live/live-model.js';

export function rowMotion(seenAt: number, endedAt: number | null): Attachment<HTMLElement> {
  return (node) => {
    const now = Date.now();
    const animations: Animation[] = [];
    if (endedAt !== null) {
      animations.push(
        node.animate([{ opacity: 1 }, { opacity: 0.15 }], {
          duration: FADE_MS,
          delay: -Math.min(FADE_MS, now - endedAt),
          fill: 'forwards',
          easing: 'ease-in',
        }),
      );
    } else if (now - seenAt < FRESH_MS) {
      animations.push(
        node.animate(
          [{ backgroundColor: 'var(--row-fresh)' }, { backgroundColor: 'transparent' }],
          { duration: FRESH_MS, delay: -(now - seenAt), easing: 'ease-out' },
        ),
      );
    }
    return () => {
      for (const animation of animations) animation.cancel();
    };
  };
}
