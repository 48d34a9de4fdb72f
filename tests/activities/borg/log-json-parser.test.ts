import { describe, expect, it } from 'vitest';
import { parseBorgLogLine } from '../../../activities/borg/log-json-parser';

describe('parseBorgLogLine', () => {
  it('reads archive progress with sizes and the current path', () => {
    const line =
      '{"original_size": 10, "compressed_size": 8, "deduplicated_size": 5, "nfiles": 2, "path": "src/a", "time": 1.5, "type": "archive_progress", "finished": false}';

    expect(parseBorgLogLine(line)).toEqual({
      type: 'archive_progress',
      originalBytes: 10,
      compressedBytes: 8,
      deduplicatedBytes: 5,
      files: 2,
      path: 'src/a',
      isFinished: false,
      line,
    });
  });

  it('reads log messages with level, logger name and msgid', () => {
    const event = parseBorgLogLine(
      '{"type": "log_message", "time": 1.0, "message": "Repository /r does not exist.", "levelname": "ERROR", "name": "borg.archiver", "msgid": "Repository.DoesNotExist"}',
    );

    expect(event).toMatchObject({
      type: 'log_message',
      levelname: 'ERROR',
      name: 'borg.archiver',
      msgid: 'Repository.DoesNotExist',
      message: 'Repository /r does not exist.',
    });
  });

  it('reads percent progress, progress messages, file status and questions', () => {
    const lines = [
      '{"type": "progress_percent", "operation": 1, "msgid": "extract", "message": "50%", "current": 5, "total": 10, "finished": false}',
      '{"type": "progress_message", "operation": 2, "msgid": "cache.commit", "message": "Saving files cache", "finished": false}',
      '{"type": "file_status", "status": "E", "path": "src/gone"}',
      '{"type": "question_prompt", "msgid": "BORG_CHECK_I_KNOW_WHAT_I_AM_DOING", "message": "Type YES"}',
    ];

    const types = lines.map((line) => parseBorgLogLine(line).type);

    expect(types).toEqual([
      'progress_percent',
      'progress_message',
      'file_status',
      'question_prompt',
    ]);
    expect(parseBorgLogLine(lines[0])).toMatchObject({ current: 5, total: 10, msgid: 'extract' });
    expect(parseBorgLogLine(lines[2])).toMatchObject({ status: 'E', path: 'src/gone' });
  });

  it('keeps lines that are not JSON as unparsed', () => {
    const line = 'Remote: ssh: connect to host 127.0.0.1 port 1: Connection refused';

    expect(parseBorgLogLine(line)).toEqual({ type: 'unparsed', line });
  });

  it('keeps JSON of an unknown type, arrays and broken JSON as unparsed', () => {
    const lines = ['{"type": "something_new", "x": 1}', '[1, 2]', '{"type": "log_message",', ''];

    for (const line of lines) {
      expect(parseBorgLogLine(line)).toEqual({ type: 'unparsed', line });
    }
  });

  it('fills in defaults when fields are missing or of the wrong type', () => {
    const event = parseBorgLogLine(
      '{"type": "archive_progress", "original_size": "12", "finished": true}',
    );

    expect(event).toMatchObject({ originalBytes: 0, files: 0, path: '', isFinished: true });
  });
});
