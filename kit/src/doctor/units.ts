/* Amounts as the SDK's CLI prints them: nRLC (10^-9 RLC) and wei, with the whole unit beside. */
import { formatEther, formatUnits } from 'ethers';

export const formatRlc = (nRLC: bigint) => (nRLC === 0n ? '0 RLC' : `${formatUnits(nRLC, 9)} RLC (${nRLC} nRLC)`);
export const formatEth = (wei: bigint) => `${formatEther(wei)} ETH`;
