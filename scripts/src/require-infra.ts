// Global setup of the integration project: refuse to run on embedded defaults by accident.
export default function requireInfrastructure(): void {
  const missing = ['DATABASE_URL', 'REDIS_URL', 'KAFKA_BROKERS'].filter(
    (name) => !process.env[name],
  );
  if (missing.length > 0) {
    throw new Error(
      `Integration tests need real infrastructure: set ${missing.join(', ')}.\n` +
        'Start it with `npm run infra -- up` and load it with `eval "$(npm run -s infra -- env)"`.',
    );
  }
}
