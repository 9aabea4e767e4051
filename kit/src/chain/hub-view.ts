/*
 * What the services read from the chain, through one provider: contract owners and registrations, the
 * hub's EIP-712 domain, signature checks, consumed order volumes, stakes, categories and the chain's clock.
 */
import { Contract, ZeroAddress, type InterfaceAbi, type JsonRpcProvider, type TypedDataDomain } from 'ethers';
import { chainNow } from './clock.js';

export type Registry = 'appregistry' | 'datasetregistry' | 'workerpoolregistry';

export interface HubView {
  ownerOf(address: string): Promise<string>;
  isRegistered(registry: Registry, address: string): Promise<boolean>;
  orderDomain(): Promise<TypedDataDomain>;
  /** PoCo's own check of an order signature (an EOA's, or a contract's through ERC-1271). */
  verifySignature(signer: string, hash: string, sign: string): Promise<boolean>;
  /** How much of an order's volume deals used (PoCo viewConsumed; a cancelled order is wholly consumed). */
  consumed(orderHash: string): Promise<bigint>;
  stake(address: string): Promise<bigint>;
  /** How many categories PoCo has (ids 0 to n - 1). */
  categories(): Promise<number>;
  /** The local network's clock: the time its next block will have, which `chain advance` moves. */
  now(): Promise<number>;
}

export function hubView(provider: JsonRpcProvider, hub: string, hubAbi: InterfaceAbi): HubView {
  const contract = new Contract(hub, hubAbi, provider) as any;
  let domain: Promise<TypedDataDomain> | undefined;
  const registries = new Map<Registry, Promise<any>>();
  const registry = (name: Registry) => {
    if (!registries.has(name))
      registries.set(
        name,
        contract[name]().then((at: string) => new Contract(at, ['function isRegistered(address) view returns (bool)'], provider)),
      );
    return registries.get(name)!;
  };
  return {
    ownerOf: (address) =>
      (new Contract(address, ['function owner() view returns (address)'], provider) as any).owner().catch(() => ZeroAddress),
    isRegistered: async (name, address) => (await registry(name)).isRegistered(address),
    // The SDK reads the order domain from the hub too (iexec common/market/order.js getEIP712Domain).
    orderDomain: () =>
      (domain ??= contract
        .domain()
        .then(([name, version, chainId, verifyingContract]: any[]) => ({ name, version, chainId, verifyingContract }))),
    verifySignature: (signer, hash, sign) => contract.verifySignature(signer, hash, sign).catch(() => false),
    consumed: (orderHash) => contract.viewConsumed(orderHash),
    // IexecLibCore_v5.Account is (stake, locked).
    stake: async (address) => (await contract.viewAccount(address))[0],
    categories: async () => Number(await contract.countCategory()),
    now: () => chainNow(provider),
  };
}
