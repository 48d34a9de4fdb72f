import { describe, expect, it } from 'vitest';
import { pingUrlFor } from '../../activities/health-pings';
import { formatBytes, renderRunMessage } from '../../activities/notification-messages';
import { appriseArguments, publicBaseUrl, scrubUrl } from '../../activities/notifications';
import { maskNotificationUrl } from '../../api/routes/notifications';
import { finishEvents } from '../../workflows/notify-run';

describe('scrubUrl', () => {
  it('replaces the URL and each secret part of it, keeping what the masked form shows', () => {
    const url = 'slack://TokenAAAA/TokenBBBB/TokenCCCC/#general';
    const masked = maskNotificationUrl(url);
    const text = `Unparseable URL ${url}; retrying TokenBBBB at hooks.example.com`;

    const scrubbed = scrubUrl(text, url, masked);

    expect(scrubbed).not.toMatch(/TokenAAAA|TokenBBBB|TokenCCCC/);
    expect(scrubbed).toContain('hooks.example.com');
  });

  it('hides a password, also in its percent-decoded form', () => {
    const url = 'mailtos://user:p%40ss-word@mail.example.com';

    const scrubbed = scrubUrl('login p@ss-word refused', url, maskNotificationUrl(url));

    expect(scrubbed).toBe('login **** refused');
  });
});

describe('appriseArguments', () => {
  it('names the config file and the message but never the URL', () => {
    const args = appriseArguments('/tmp/x/apprise.yml', {
      title: 'Backup succeeded',
      body: 'all good',
      type: 'success',
    });

    expect(args).toEqual([
      '-vv',
      '--config',
      '/tmp/x/apprise.yml',
      '--notification-type',
      'success',
      '--title',
      'Backup succeeded',
      '--body',
      'all good',
    ]);
  });
});

describe('pingUrlFor', () => {
  it('appends healthchecks suffixes: /start, nothing for success, the exit status for failure', () => {
    const base = 'https://hc-ping.com/5b1c0a9e/';

    expect(pingUrlFor(base, 'start')).toBe('https://hc-ping.com/5b1c0a9e/start');
    expect(pingUrlFor(base, 'success')).toBe('https://hc-ping.com/5b1c0a9e');
    expect(pingUrlFor(base, 'failure', 2)).toBe('https://hc-ping.com/5b1c0a9e/2');
    expect(pingUrlFor(base, 'failure', 0)).toBe('https://hc-ping.com/5b1c0a9e/1');
  });
});

describe('finishEvents', () => {
  it('puts the specific event before the generic one', () => {
    expect(finishEvents('check', 'warning', { isHealthy: false })).toEqual([
      'check.problems',
      'run.warning',
    ]);
    expect(finishEvents('rotate-key', 'succeeded')).toEqual(['key.rotated', 'run.succeeded']);
    expect(finishEvents('backup', 'warning', { checkProblems: [{ message: 'x' }] })).toEqual([
      'check.problems',
      'run.warning',
    ]);
  });

  it('maps every finished status to its run event', () => {
    expect(finishEvents('prune', 'failed')).toEqual(['run.failed']);
    expect(finishEvents('backup', 'canceled')).toEqual(['run.canceled']);
    expect(finishEvents('backup', 'skipped')).toEqual(['run.skipped']);
    expect(finishEvents('backup', 'succeeded')).toEqual(['run.succeeded']);
  });
});

describe('renderRunMessage', () => {
  it('names the plan and repository and gives figures, the error and the link', () => {
    const message = renderRunMessage(
      'run.failed',
      {
        runId: 'backup-1',
        kind: 'backup',
        planName: 'photos',
        repositoryName: 'nas',
        startedAt: new Date('2026-01-01T10:00:00Z'),
        finishedAt: new Date('2026-01-01T10:01:05Z'),
        stats: { originalBytes: 3 * 1024 * 1024, deduplicatedBytes: 2048, files: 12 },
        error: { type: 'HOOK_FAILED', message: 'hook "mount" exited with status 3' },
        waitingReason: null,
      },
      `${publicBaseUrl({ host: '127.0.0.1', port: 8081 })}/runs/backup-1`,
    );

    expect(message.type).toBe('failure');
    expect(message.title).toBe('Backup failed: photos');
    expect(message.body).toContain('Backup of plan "photos" to repository "nas" failed.');
    expect(message.body).toContain('Duration: 1 min 5 s');
    expect(message.body).toContain('Size: 3.0 MiB original, 2.0 KiB deduplicated');
    expect(message.body).toContain('Files: 12');
    expect(message.body).toContain('Error: hook "mount" exited with status 3');
    expect(message.body).toContain('Run: http://127.0.0.1:8081/runs/backup-1');
  });

  it('formats sizes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
  });
});
