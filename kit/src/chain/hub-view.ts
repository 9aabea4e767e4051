/*
 * What the services read from the chain, through one provider: contract owners, the hub's EIP-712
 * domain and the chain's clock.
 */
import { Contract, ZeroAddress, type InterfaceAbi, type JsonRpcProvider, type TypedDataDomain } from 'ethers';
import { chainNow } from './clock.js';

export interface HubView {
  ownerOf(address: string): Promise<string>;
  orderDomain(): Promise<TypedDataDomain>;
  /** The local network's clock: the time its next block will have, which `chain advance` moves. */
  now(): Promise<number>;
}

export function hubView(provider: JsonRpcProvider, hub: string, hubAbi: InterfaceAbi): HubView {
  const contract = new Contract(hub, hubAbi, provider) as any;
  let domain: Promise<TypedDataDomain> | undefined;
  return {
    ownerOf: (address) => (new Contract(address, ['function owner() view returns (address)'], provider) as any).owner().catch(() => ZeroAddress),
    // The SDK reads the order domain from the hub too (iexec common/market/order.js getEIP712Domain).
    orderDomain: () => (domain ??= contract.domain().then(([name, version, chainId, verifyingContract]: any[]) => ({ name, version, chainId, verifyingContract }))),
    now: () => chainNow(provider),
  };
}
