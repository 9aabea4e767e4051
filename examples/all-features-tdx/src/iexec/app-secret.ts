/**
 * The app developer secret: set once per app with `iexec app push-secret`, the worker hands it to
 * every TEE task of the app as IEXEC_APP_DEVELOPER_SECRET. The value stays in a closure, so logging
 * the context never prints it.
 */
export function readAppSecret(env: NodeJS.ProcessEnv): () => string {
  const value = env.IEXEC_APP_DEVELOPER_SECRET ?? env.IEXEC_APP_DEVELOPER_SECRET_1;
  return () => {
    if (value === undefined) {
      throw new Error('the app developer secret is missing: set it once with `iexec app push-secret` (TEE tasks only)');
    }
    return value;
  };
}
