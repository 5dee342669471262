/** The theme toggle's rule: the other theme each time, remembered only while it differs from the system's. */
import { describe, expect, it } from 'vitest';

import { toggledTheme } from './themeSlice';

describe('toggledTheme', () => {
  it('switches to the other theme and remembers it when the system prefers the first', () => {
    expect(toggledTheme('light', 'light')).toEqual({ theme: 'dark', themeChoice: 'dark' });
    expect(toggledTheme('dark', 'dark')).toEqual({ theme: 'light', themeChoice: 'light' });
  });

  it("forgets the choice on the way back to the system's theme", () => {
    expect(toggledTheme('dark', 'light')).toEqual({ theme: 'light', themeChoice: null });
    expect(toggledTheme('light', 'dark')).toEqual({ theme: 'dark', themeChoice: null });
  });
});
