/** Ports of the functions in `npm run dev` (ARCHITECTURE.md), by Knative Service name. */
export const LOCAL_PORTS: Readonly<Record<string, number>> = {
  'api-gateway': 8080,
  auth: 8081,
  user: 8082,
  offer: 8083,
  cart: 8084,
  redirect: 8085,
  'feature-flag': 8086,
  'analytics-ingest': 8087,
  'conversion-webhook': 8088,
  attribution: 8089,
  notification: 8090,
  audit: 8091,
  reporting: 8092,
  // new-function: ports above this line
};

/**
 * The local URL of a function: `<NAME>_URL` from the environment (e.g. `FEATURE_FLAG_URL`),
 * else `http://127.0.0.1:<its dev port>`.
 * @example localServiceUrl('audit') === 'http://127.0.0.1:8091'
 */
export function localServiceUrl(
  name: string,
  env: Record<string, string | undefined> = process.env,
): string {
  const override = env[`${name.toUpperCase().replaceAll('-', '_')}_URL`];
  if (override) return override;
  const port = LOCAL_PORTS[name];
  if (port === undefined) throw new Error(`no local port known for service ${name}`);
  return `http://127.0.0.1:${port}`;
}
