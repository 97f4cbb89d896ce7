import { defineBackground } from 'wxt/utils/define-background';
import { startVaultBackground } from '../features/vault-background.ts';

export default defineBackground({
  type: 'module',
  main() {
    startVaultBackground();
  },
});
