import { defineBackground } from 'wxt/utils/define-background';
import { startVaultBackground } from '../background/start-background.ts';

export default defineBackground({
  type: 'module',
  main() {
    startVaultBackground();
  },
});
