import { openAsBlob } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { createApp } from '../app.js';
import { withResponseValidation } from '../test/openapi-validator.js';
import { connect } from '../db/connect.js';
import { createLogger, createMemoryLogger } from '../http/logger.js';
import { redactDatabaseUrl, redactSecrets } from '../http/redact.js';

/**
 * Issue 13, finding 9: a password in DATABASE_URL's query string was printed, and erased unit ids
 * appeared in clear in the request log (`DELETE /api/units/alice%40example.com`).
 */
describe('log redaction', () => {
  it('masks the password in a database URL, in its userinfo and in its query string', () => {
    expect(redactDatabaseUrl('postgres://app:s3cr3t@db.internal:5432/shop')).toBe('postgres://app:***@db.internal:5432/shop');
    expect(redactDatabaseUrl('postgres://app@db.internal/shop?sslmode=require&password=s3cr3t')).toBe(
      'postgres://app@db.internal/shop?sslmode=require&password=***',
    );
    expect(redactDatabaseUrl('postgresql://app:p%40ss@h/db?sslpassword=k3y&application_name=tp')).toBe(
      'postgresql://app:***@h/db?sslpassword=***&application_name=tp',
    );
    expect(redactDatabaseUrl('not a url password=x')).toBe('postgres (unparseable URL)');
  });

  it('masks secrets inside any text: keyword connection strings, ?sdkKey=, our API keys', () => {
    const text = 'connect failed: host=db password=hunter2 dbname=x; GET /sdk/events?sdkKey=tp_sdk_AbCdEfGh123 with tp_admin_Zz9912345678';
    const out = redactSecrets(text);
    expect(out).not.toMatch(/hunter2|AbCdEfGh123|Zz9912345678/);
    expect(out).toContain('password=***');
    expect(out).toContain('?sdkKey=***');
    expect(out).toContain('tp_admin_Zz99***');
    // JSON members named as secrets, in any letter case (the rules are case-insensitive, and so is the
    // quick test that skips them for lines none can match).
    expect(redactSecrets('body {"PASSWORD":"hunter2"}')).toBe('body {"PASSWORD":"***"}');
    // Nothing else is touched.
    expect(redactSecrets('POST /api/experiments 201 in 3 ms')).toBe('POST /api/experiments 201 in 3 ms');
  });

  it('every logger line is redacted, whoever logged what', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    logger.warn('database unavailable', { error: 'Error: getaddrinfo ENOTFOUND for postgres://u:topsecret@db/x?password=topsecret2' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/topsecret/);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', message: 'database unavailable' });
  });

  it('the request log shows route patterns, not unit ids, and no ?sdkKey=', async () => {
    const handle = await connect({ dataDir: 'memory://', loadDataDir: await openAsBlob(inject('pgliteTemplate')) });
    try {
      const logger = createMemoryLogger();
      const app = withResponseValidation(createApp({ db: handle.db, logger, now: () => new Date(), maxBodyBytes: 1024 * 1024 }));
      // No key: the admin middleware answers 401 before the route runs; the route still names the log path.
      await app.request('/api/units/alice%40example.com', { method: 'DELETE' });
      await app.request('/sdk/config?sdkKey=tp_sdk_secretsecretsecret', { method: 'GET' });
      await app.request('/no/such/alice%40example.com?sdkKey=tp_sdk_anothersecret', { method: 'GET' });
      const paths = logger.lines.filter((l) => l.message === 'request').map((l) => l.path);
      expect(paths).toEqual(['/api/units/:unitId', '/sdk/config', expect.any(String)]);
      const all = JSON.stringify(logger.lines);
      expect(all).not.toMatch(/alice%40example\.com.*sdkKey=tp_|secretsecret|anothersecret/);
      expect(all).not.toContain('/api/units/alice');
    } finally {
      await handle.close();
    }
  });
});
