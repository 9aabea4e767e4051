/* What the local network prints: once at start what it cannot prove, then where everything is. */
import path from 'node:path';
import { SERVICES, type ServiceName } from './config.js';
import type { Network } from './network.js';
import { CALLBACK_GAS } from './poco/deploy.js';
import { ANVIL, POCO } from './tools.js';

export const CANNOT_PROVE = [
  'What this local network cannot prove:',
  '  - TEE: no SGX or TDX here. TEE tasks run as plain processes or containers, nothing is attested, and the',
  "    enclave key that signs their results is the local worker's own.",
  '  - SCONE: an mrenclave (fingerprint, heap size, entrypoint) is registered but never measured or checked,',
  '    and a SCONE image cannot start without SGX: its tasks run the bundle of the module that deployed it.',
  '  - Workerpools: the local pool takes every order at once. A real one may be busy, down, serve other',
  '    tags or categories, or charge a price.',
  '  - PoCo: 6.1.0 from npm runs here; Arbitrum runs 6.2.0 (since 2026-01-21), which matches dataset tags',
  '    differently, has no ERC-20 facet and deposits in one call.',
].join('\n');

/** A wallet given to --fund, and the name it goes by (its keystore folder or file). */
export interface FundedWallet {
  address: string;
  label?: string;
}

export function readyBanner(root: string, network: Network, seconds: string, named: FundedWallet[] = []): string {
  const { entry } = network;
  const service = (name: ServiceName) => (entry.services[name] ? `  ${SERVICES[name]}: ${entry.services[name]!.url}` : []);
  const label = (address: string) => named.find((wallet) => wallet.label && wallet.address.toLowerCase() === address.toLowerCase())?.label;
  const funded =
    network.funded.length > 0
      ? network.funded.map((address) => (label(address) ? `${label(address)} ${address}` : address)).join(', ')
      : 'no wallet found yet';
  return [
    `local iExec network ready in ${seconds} s: chain.json "local" ${JSON.stringify({ id: entry.id, host: entry.host, hub: entry.hub })}`,
    `  PoCo ${POCO.split('@').pop()} (${POCO}, token mode, callback gas ${CALLBACK_GAS}), anvil ${ANVIL.split('@').pop()}`,
    `  workerpool ${network.workerpool} (app:run's default with --chain local), its API ${network.workerpoolApi}`,
    ...(['iexecGateway', 'sms', 'ipfsGateway', 'compass', 'resultProxy'] as const).flatMap(service),
    `  callback receiver: ${network.callbackReceiver} (PoCo's TestClient)`,
    `  tasks run the deployed image when docker or podman can pull it; an app deployed before its image was`,
    `    published runs the bundle of the module that deployed it (${path.join(root, 'dist/app.cjs')} for this one)`,
    '  a task that fails stays as iExec leaves it (ACTIVE until its final deadline, then claimed by its requester):',
    '    this console says why at once; npm run chain:local -- advance --past-final-deadline <taskid> moves the clock',
    '  try: npm run deploy -- --chain local',
    '       npm run app:run -- --chain local --args "Alice Bob"',
    '       npm run result -- <taskid> --chain local',
    '  Ctrl-C stops it; it keeps nothing, so deployed.json entries for chain 31337 go stale.',
    `  100 ETH for gas given to: ${funded}`,
    '    (a wallet of another keystore gets none until it is named: npm run chain:local -- --fund <address or keystore folder>)',
  ].join('\n');
}
