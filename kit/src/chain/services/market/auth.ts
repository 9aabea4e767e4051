/*
 * The market API's login (iexec-market-api api/src/services/auth.js, controllers/auth.js): GET /challenge
 * hands an address the EIP-712 typed data of "Sign this message to log into iExec Gateway: <random>" under
 * the domain {name: "iExec Gateway", version: "1", chainId}; the same one until it is used or 5 minutes
 * old. A publish or unpublish then carries `Authorization: <hash>_<signature>_<address>`; the challenge
 * is spent by the check, whether the operation then succeeds or not.
 */
import { randomBytes } from 'node:crypto';
import { TypedDataEncoder, ZeroAddress, recoverAddress } from 'ethers';
import { challengeTypedData } from '../challenge.js';
import { unauthorized } from './errors.js';
import { address as validAddress } from './validate.js';

const TTL_MS = 5 * 60 * 1000;

const typedData = (chainId: string, value: string) =>
  challengeTypedData('iExec Gateway', chainId, `Sign this message to log into iExec Gateway: ${value}`);

const hashOf = (data: ReturnType<typeof typedData>) =>
  TypedDataEncoder.hash(data.domain, { Challenge: data.types.Challenge }, data.message);

interface Stored {
  value: string;
  hash: string;
  created: number;
}

export class MarketLogin {
  private readonly byAddress = new Map<string, Stored>();

  constructor(private readonly now: () => number = Date.now) {}

  challenge(chainId: string, address: string) {
    const current = this.byAddress.get(address);
    if (current && this.now() - current.created < TTL_MS) return typedData(chainId, current.value);
    const value = randomBytes(16).toString('hex');
    const data = typedData(chainId, value);
    this.byAddress.set(address, { value, hash: hashOf(data), created: this.now() });
    return data;
  }

  /** The address an Authorization header proves, as checkAuthorization does; throws a 403 otherwise. */
  check(chainId: string, authorization: string | undefined): string {
    if (!authorization) throw unauthorized('missing Authorization, please first sign a challenge');
    const [hash, signature, claimed] = authorization.split('_');
    let address: string | undefined;
    try {
      address = validAddress(claimed, 'address');
    } catch {
      throw unauthorized('Authorization check failed');
    }
    if (!address || address === ZeroAddress) throw unauthorized('Null address');
    const current = this.byAddress.get(address);
    if (!current || current.hash !== hash || this.now() - current.created >= TTL_MS)
      throw unauthorized('Challenge not valid. Need to request a new challenge.');
    let signer: string;
    try {
      signer = recoverAddress(hashOf(typedData(chainId, current.value)), String(signature));
    } catch {
      throw unauthorized('Authorization check failed');
    }
    if (signer.toLowerCase() !== address.toLowerCase()) throw unauthorized('Failed to verify signer, addresses mismatch.');
    this.byAddress.delete(address);
    return address;
  }
}
