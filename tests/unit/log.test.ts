import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createLogger } from '../../src/main/core/log/logger';

it('censors message text, patient details and secrets wherever they appear in a log record', () => {
  let out = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const log = createLogger({ destination, level: 'info' });
  log.info(
    {
      conversationId: 'c-1',
      text: 'Patient Jane Doe, MRN 884422, potassium 6.9',
      message: { patient: { name: 'Jane Doe' }, fileName: 'jane-doe-xray.png' },
      accessToken: 'eyJ.secret',
    },
    'message stored',
  );
  expect(out).toContain('c-1');
  expect(out).toContain('message stored');
  for (const phi of ['Jane Doe', '884422', 'jane-doe-xray', 'eyJ.secret']) expect(out).not.toContain(phi);
});

it('censors display names, search queries, MRNs and file paths, at the top of a record and one level down', () => {
  let out = '';
  const destination = new Writable({
    write(chunk, _enc, done) {
      out += String(chunk);
      done();
    },
  });
  const log = createLogger({ destination, level: 'debug' });
  log.debug(
    {
      call: 'messages.search',
      query: 'Whitfield potassium',
      displayName: 'Dr Asha Rao',
      conversation: { title: 'Margaret Whitfield, bed 7', mrn: 'MRN-448812' },
      saved: { filePath: '/home/asha/whitfield-ecg.pdf', username: 'dr.asha.rao' },
    },
    'call',
  );
  expect(out).toContain('messages.search');
  for (const phi of ['Whitfield', 'Asha', '448812', 'whitfield-ecg']) expect(out).not.toContain(phi);
});
