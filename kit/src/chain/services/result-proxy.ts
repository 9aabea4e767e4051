/*
 * SDK 8's result proxy (iexec-result-proxy ProxyController /results/challenge, /results/login): the
 * login `iexec storage init` makes before pushing the token it returns to the SMS.
 */
import { randomBytes } from 'node:crypto';
import { Challenges } from './challenge.js';
import { empty, type Service } from './http.js';

export function resultProxyService(chainId: number): Service {
  const challenges = new Challenges('iExec Result Repository', chainId);
  return {
    name: 'resultProxy',
    routes: [
      {
        method: 'GET',
        path: /^\/results\/challenge$/,
        handle: (req) => ({
          status: 200,
          body: challenges.issue(String(req.query.get('address')), Number(req.query.get('chainId') ?? chainId)),
        }),
      },
      {
        method: 'POST',
        path: /^\/results\/login$/,
        handle: (req) => {
          const address = challenges.verify(req.body);
          if (!address) return empty(401);
          // A token only this network hands out: the SDK stores it in the SMS, nothing here reads it back.
          return {
            status: 200,
            type: 'text/plain',
            body: `local.${Buffer.from(address.toLowerCase()).toString('base64url')}.${randomBytes(8).toString('hex')}`,
          };
        },
      },
    ],
    notFound: () => empty(404),
  };
}
