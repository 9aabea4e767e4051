/*
 * The local network's clock. Anvil stamps each block with the wall clock plus an offset that
 * evm_increaseTime adds to (and returns: `evm_increaseTime 0` reads it), so the chain's "now" is the
 * wall clock moved by every `iexec-module chain advance` so far; it never runs backwards.
 */
import type { JsonRpcProvider } from 'ethers';

/** Seconds anvil's clock is ahead of this machine's. */
export async function clockOffset(provider: JsonRpcProvider): Promise<number> {
  return Number(await provider.send('evm_increaseTime', [0]));
}

/** The time, in seconds, the chain's next block will have (at least the last block's). */
export async function chainNow(provider: JsonRpcProvider): Promise<number> {
  const [offset, latest] = await Promise.all([clockOffset(provider), provider.getBlock('latest')]);
  return Math.max(Math.floor(Date.now() / 1000) + offset, latest?.timestamp ?? 0);
}

/** The chain's clock for code that stamps many events: refreshed from anvil, read without a call. */
export class ChainClock {
  private offset = 0;

  constructor(private readonly provider: JsonRpcProvider) {}

  async refresh(): Promise<number> {
    this.offset = await clockOffset(this.provider);
    return this.now();
  }

  /** Seconds. */
  now(): number {
    return Math.floor(Date.now() / 1000) + this.offset;
  }

  date(): string {
    return new Date((Date.now() / 1000 + this.offset) * 1000).toISOString().replace('Z', '+00:00');
  }
}

/**
 * The environment that gives an iexec CLI run the local network's clock. The SDK judges deadlines by its
 * own clock (iexec 9.0.1 common/execution/task.js: TIMEOUT and `task claim` compare finalDeadline with
 * Date.now()), and on iExec that clock and the chain's agree. Here the chain's may be ahead, moved by
 * `chain advance`, so the CLI starts with Date shifted by anvil's offset, re-read every second from the
 * node (a timer that keeps no process alive): an `app run --watch` sees TIMEOUT once the clock is advanced
 * past the final deadline, as it would once the time had passed.
 */
export function sdkClockEnv(rpcUrl: string, offsetSeconds: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const shift = [
    `let o=${offsetSeconds * 1000};const D=Date;`,
    'class S extends D{constructor(...a){super(...(a.length?a:[D.now()+o]))}static now(){return D.now()+o}}globalThis.Date=S;',
    `const r=()=>fetch(${JSON.stringify(rpcUrl)},{method:'POST',headers:{'content-type':'application/json'},body:'{"jsonrpc":"2.0","id":1,"method":"evm_increaseTime","params":[0]}'})`,
    '.then((x)=>x.json()).then((x)=>{if(Number.isFinite(Number(x.result)))o=Number(x.result)*1000}).catch(()=>{});',
    'setInterval(r,1000).unref();',
  ].join('');
  const option = `--import=data:text/javascript,${encodeURIComponent(shift)}`;
  return { ...env, NODE_OPTIONS: [env.NODE_OPTIONS, option].filter(Boolean).join(' ') };
}
