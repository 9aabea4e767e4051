/*
 * The EIP-712 login challenge the SDK signs before a protected call: iexec-core (task logs),
 * iexec-result-proxy (storage login) and iexec-market-api (publishing) each hand one out per address
 * and read back `Authorization: <typed data hash>_<signature>_<address>` (iexec common/utils/api-utils.js
 * getAuthorization).
 */
import { randomBytes } from 'node:crypto';
import { TypedDataEncoder, recoverAddress } from 'ethers';

export function challengeTypedData(name: string, chainId: number, challenge = randomBytes(16).toString('hex')) {
  return {
    types: {
      EIP712Domain: [
        { name: 'name', type: 'string' },
        { name: 'version', type: 'string' },
        { name: 'chainId', type: 'uint256' },
      ],
      Challenge: [{ name: 'challenge', type: 'string' }],
    },
    domain: { name, version: '1', chainId },
    primaryType: 'Challenge',
    message: { challenge },
  };
}
export type Challenge = ReturnType<typeof challengeTypedData>;

/** The address an Authorization value names, whether or not it signed anything. */
export const claimedAddress = (authorization: string | undefined): string => String(authorization ?? '').split('_')[2] ?? '';

/** The signer of an Authorization value, if it signed `typedData`. */
export function authorizedBy(authorization: string | undefined, typedData: Challenge | undefined): string | undefined {
  const [hash, signature, address] = String(authorization ?? '').split('_');
  if (!typedData || !hash || !signature || !address) return undefined;
  const { EIP712Domain: _, ...types } = typedData.types;
  if (hash !== TypedDataEncoder.hash(typedData.domain, types, typedData.message)) return undefined;
  try {
    return recoverAddress(hash, signature).toLowerCase() === address.toLowerCase() ? address : undefined;
  } catch {
    return undefined;
  }
}

/** One service's challenges, by address: a new one replaces the last, as the services do. */
export class Challenges {
  private readonly byAddress = new Map<string, Challenge>();

  constructor(
    private readonly name: string,
    private readonly chainId: number,
  ) {}

  issue(address: string, chainId = this.chainId): Challenge {
    const typedData = challengeTypedData(this.name, chainId);
    this.byAddress.set(address.toLowerCase(), typedData);
    return typedData;
  }

  /** The address that signed its own latest challenge, if the Authorization value holds one. */
  verify(authorization: string | undefined): string | undefined {
    return authorizedBy(authorization, this.byAddress.get(claimedAddress(authorization).toLowerCase()));
  }
}
