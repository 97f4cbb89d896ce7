import { defineBackground } from 'wxt/utils/define-background';

export default defineBackground({
  type: 'module',
  main() {
    // Wiring lands with the vault (see extension/features and extension/adapters).
  },
});
