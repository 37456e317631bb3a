/**
 * Applies a variant's DOM changes (design.md §10). Idempotent: each (change, element) pair remembers
 * what the element looked like right after the change, and is applied again only when the page has
 * altered it since (a re-render) — so re-running on every DOM mutation settles instead of looping on
 * its own writes, and a framework that keeps reverting an element gets at most MAX_REAPPLY rounds.
 */
import type { DomChange } from '../types.js';

const MAX_REAPPLY = 20;

interface Applied {
  snapshot: string;
  count: number;
}

/** What each action changes, read back as a string. */
function snapshot(el: Element, change: DomChange): string {
  switch (change.action) {
    case 'text':
      return el.textContent ?? '';
    case 'html':
      return el.innerHTML;
    case 'attribute':
      return el.getAttribute(change.name!) ?? '\u0000';
    case 'style':
    case 'hide': {
      const style = (el as HTMLElement).style;
      const property = change.action === 'hide' ? 'display' : change.name!;
      return style ? `${style.getPropertyValue(property)}!${style.getPropertyPriority(property)}` : '';
    }
    case 'class-add':
    case 'class-remove':
      return el.getAttribute('class') ?? '';
    case 'remove':
      return String(el.isConnected);
  }
}

function write(el: Element, change: DomChange): void {
  const value = change.value ?? '';
  switch (change.action) {
    case 'text':
      el.textContent = value;
      break;
    case 'html':
      // Sanitised by the server when saved (server/src/experiments/changes.ts).
      el.innerHTML = value;
      break;
    case 'attribute':
      el.setAttribute(change.name!, value);
      break;
    case 'style':
      (el as HTMLElement).style?.setProperty(change.name!, value, 'important');
      break;
    case 'hide':
      (el as HTMLElement).style?.setProperty('display', 'none', 'important');
      break;
    case 'class-add':
      el.classList.add(...value.split(/\s+/).filter(Boolean));
      break;
    case 'class-remove':
      el.classList.remove(...value.split(/\s+/).filter(Boolean));
      break;
    case 'remove':
      el.remove();
      break;
  }
}

export interface ChangeApplier {
  /** Applies every change to every element its selector matches now; returns how many elements were written. */
  apply(root: ParentNode, changes: readonly DomChange[]): number;
}

export function createChangeApplier(): ChangeApplier {
  // One memory per change object: a new config brings new objects, hence a fresh start.
  const memory = new WeakMap<DomChange, WeakMap<Element, Applied>>();
  return {
    apply(root, changes) {
      let written = 0;
      for (const change of changes) {
        let elements: NodeListOf<Element>;
        try {
          elements = root.querySelectorAll(change.selector);
        } catch {
          continue; // checked by the server; a browser without some selector feature skips it
        }
        let seen = memory.get(change);
        if (!seen) memory.set(change, (seen = new WeakMap()));
        elements.forEach((el) => {
          const before = seen!.get(el);
          if (before && (before.snapshot === snapshot(el, change) || before.count >= MAX_REAPPLY)) return;
          write(el, change);
          written++;
          seen!.set(el, { snapshot: snapshot(el, change), count: (before?.count ?? 0) + 1 });
        });
      }
      return written;
    },
  };
}

/** True when at least one of the selectors matches an element: the visitor reached the touchpoint. */
export function anyTargetExists(root: ParentNode, selectors: readonly string[]): boolean {
  return selectors.some((selector) => {
    try {
      return root.querySelector(selector) !== null;
    } catch {
      return false;
    }
  });
}
