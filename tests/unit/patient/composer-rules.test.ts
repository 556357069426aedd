// The composer's patient rules, as Dr Asha Rao meets them on WARD3B-PC01: a tag is one chip or a problem she
// is told about, never dropped silently; it goes with one message, unless the conversation is a patient one.
import { describe, expect, it } from 'vitest';
import {
  chipAfterSend,
  chipFrom,
  patientToSend,
  pillFor,
} from '../../../src/renderer/src/workspace/patient/composer-rules';
import { mrnMatcher } from '../../../src/shared/patient';

const matches = mrnMatcher('^[0-9]{7}$');
const petrov = { mrn: '0042817', name: 'Mr John Petrov' };
const okoye = { mrn: '0091234', name: 'Mrs Ada Okoye' };

describe('making a chip', () => {
  it('needs both the MRN and the name, and says which is missing', () => {
    expect(chipFrom({ mrn: '0042817', name: '' }, matches)).toEqual({
      problem: expect.stringContaining('name is missing'),
    });
    expect(chipFrom({ mrn: '', name: 'Mr John Petrov' }, matches)).toEqual({
      problem: expect.stringContaining('MRN is missing'),
    });
    expect(chipFrom({ mrn: '', name: '' }, matches)).toEqual({ problem: expect.stringContaining('Enter') });
  });

  it("refuses an MRN not in the hospital's format", () => {
    expect(chipFrom({ mrn: '42817', name: 'Mr John Petrov' }, matches)).toEqual({
      problem: expect.stringContaining("not in this hospital's format"),
    });
  });

  it('trims what was typed into one chip', () => {
    expect(chipFrom({ mrn: ' 0042817 ', name: ' Mr John Petrov ' }, matches)).toEqual({ chip: petrov });
  });
});

describe('what is sent', () => {
  it('is the chip, or nothing when no patient was typed', () => {
    expect(patientToSend(petrov, { mrn: '', name: '' }, matches)).toEqual({ patient: petrov });
    expect(patientToSend(null, { mrn: '', name: '' }, matches)).toEqual({ patient: null });
  });

  it('holds the message when an MRN was typed without a name (the old composer dropped the tag)', () => {
    expect(patientToSend(null, { mrn: '0042817', name: '' }, matches)).toEqual({
      problem: expect.stringContaining('name is missing'),
    });
  });

  it('takes fields typed in full but not yet made a chip', () => {
    expect(patientToSend(null, { mrn: '0042817', name: 'Mr John Petrov' }, matches)).toEqual({
      patient: petrov,
    });
  });
});

describe('after sending', () => {
  it('clears the chip in an ordinary conversation, so the next message is not tagged by mistake', () => {
    expect(chipAfterSend(null)).toBeNull();
  });

  it("comes back to the conversation's patient in a patient conversation", () => {
    expect(chipAfterSend(petrov)).toEqual(petrov);
  });
});

describe('pills', () => {
  it("are not shown for the patient conversation's own patient (the banner says it once)", () => {
    expect(pillFor(petrov, petrov)).toBeNull();
  });

  it('mark a message about a different patient in a patient conversation', () => {
    expect(pillFor(okoye, petrov)).toEqual({ patient: okoye, different: true });
  });

  it('stay as before in an ordinary conversation', () => {
    expect(pillFor(okoye, null)).toEqual({ patient: okoye, different: false });
    expect(pillFor(null, petrov)).toBeNull();
  });
});
