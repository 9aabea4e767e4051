// The wallet options doctor and task take, as the iexec CLI names them (--keystoredir, --wallet-file,
// --wallet-address, --password), plus the kit's --password-file (sdk/wallet.ts).
import type { WalletOptions } from '../iexec/wallet.js';
import { PASSWORD_ENV, type PasswordOptions } from '../sdk/wallet.js';

export const WALLET_OPTIONS = {
  keystoredir: { type: 'string' },
  'wallet-file': { type: 'string' },
  'wallet-address': { type: 'string' },
  password: { type: 'string' },
  'password-file': { type: 'string' },
} as const;

/** The options' help lines; `whose` says which wallet and what for. */
export const walletUsage = (whose: string) => `  --keystoredir <dir>, --wallet-file <file>, --wallet-address <address>
                              ${whose}, found as the iexec CLI finds it
  --password-file <file>      its password, in a file; also ${PASSWORD_ENV}, or --password <password>
                              (the process list shows it)`;

type Values = Partial<Record<keyof typeof WALLET_OPTIONS, string>>;

export const walletChoice = (values: Values): { wallet: WalletOptions; password: PasswordOptions } => ({
  wallet: { keystoredir: values.keystoredir, walletFile: values['wallet-file'], walletAddress: values['wallet-address'] },
  password: { password: values.password, passwordFile: values['password-file'] },
});
