// Issue 16, admin templates: IT at the hospital imports ClinicalMessenger.admx/.adml into the Group Policy
// central store (or Intune), and uploads ClinicalMessenger.mobileconfig to the Mac MDM. They are generated
// from the one zod schema; this test regenerates them, compares them with the checked-in files, checks the
// XML is well formed, that every policy key is in every template, that every ADMX reference resolves in
// the ADML, and that the profile's payload is itself a valid policy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { PolicyDocument } from '../../../src/main/core/policy';
import { policyDescriptions } from '../../../src/main/core/policy/descriptions';
import { policyFields } from '../../../src/main/core/policy/shape';
import { renderTemplates, templatesDir } from '../../../tools/policy-templates';

const generated = renderTemplates();
const onDisk = (name: string): string => readFileSync(join(templatesDir, name), 'utf8');
const keys = policyFields().map((f) => f.key);
const admx = generated['ClinicalMessenger.admx']!;
const adml = generated['en-US/ClinicalMessenger.adml']!;
const mobileconfig = generated['ClinicalMessenger.mobileconfig']!;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
});
type Node = Record<string, Node[] | string>;
const all = (node: unknown, name: string): Node[] => {
  const found: Node[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === name) found.push(...(v as Node[]));
        walk(v);
      }
    }
  };
  walk(node);
  return found;
};

describe('the checked-in admin templates', () => {
  it.each(Object.keys(generated))('%s matches a fresh `npm run policy-templates`', (name) => {
    expect(onDisk(name), `regenerate with npm run policy-templates`).toBe(generated[name]);
  });

  it.each(['ClinicalMessenger.admx', 'en-US/ClinicalMessenger.adml', 'ClinicalMessenger.mobileconfig'])(
    '%s is well-formed XML',
    (name) => {
      expect(XMLValidator.validate(generated[name]!)).toBe(true);
    },
  );

  it('every policy key has a description for IT', () => {
    expect(keys.filter((k) => !policyDescriptions[k])).toEqual([]);
  });
});

describe('the ADMX and its en-US ADML', () => {
  const admxDoc = parser.parse(admx);
  const admlDoc = parser.parse(adml);
  const policies = all(admxDoc, 'policy');
  const strings = new Set(all(admlDoc, 'string').map((s) => s['@id'] as string));
  const presentations = new Map(all(admlDoc, 'presentation').map((p) => [p['@id'] as string, p]));

  it('has one machine policy per key, under HKLM\\Software\\Policies\\ClinicalMessenger', () => {
    expect(policies.map((p) => p['@name'])).toEqual(keys);
    for (const p of policies) {
      expect(p['@class']).toBe('Machine');
      expect(p['@key']).toBe('Software\\Policies\\ClinicalMessenger');
    }
  });

  it('resolves every string and presentation it names in the ADML', () => {
    const refs = [...admx.matchAll(/\$\((string|presentation)\.([A-Za-z0-9_]+)\)/g)];
    expect(refs.length).toBeGreaterThan(keys.length * 2);
    for (const [, kind, name] of refs) {
      if (kind === 'string') expect(strings, `string ${name}`).toContain(name);
      else expect(presentations.has(name!), `presentation ${name}`).toBe(true);
    }
  });

  it('gives each element a control in its presentation, and the value the registry reader expects', () => {
    const controls = ['textBox', 'decimalTextBox', 'checkBox', 'dropdownList', 'multiTextBox'];
    for (const policy of policies) {
      const elements = all(policy, 'elements').flatMap((e) =>
        Object.values(e).flatMap((v) => (Array.isArray(v) ? v : [])),
      );
      if (elements.length === 0) {
        // A switch: 1 when enabled, 0 when disabled, read as true/false.
        expect(policy['@valueName']).toBe(policy['@name']);
        continue;
      }
      const presentation = presentations.get(policy['@name'] as string)!;
      const refIds = controls.flatMap((c) => all(presentation, c).map((n) => n['@refId']));
      expect(refIds.sort()).toEqual(elements.map((e) => e['@id']).sort());
      for (const e of elements) expect(typeof e['@valueName']).toBe('string');
    }
  });
});

/** A plist value as JSON (dict, array, string, integer, true/false). */
function plistToJson(node: Node): unknown {
  const [tag, body] = Object.entries(node).find(([k]) => k !== ':@')!;
  const children = body as unknown as Node[];
  switch (tag) {
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < children.length; i += 2) {
        const key = children[i]!;
        expect(Object.keys(key)[0], 'a plist dict alternates <key> and a value').toBe('key');
        out[String((key.key as unknown as { '#text': unknown }[])[0]!['#text'])] = plistToJson(
          children[i + 1]!,
        );
      }
      return out;
    }
    case 'array':
      return children.map(plistToJson);
    case 'string':
      return children.length ? String((children[0] as unknown as { '#text': unknown })['#text']) : '';
    case 'integer':
      return Number((children[0] as unknown as { '#text': unknown })['#text']);
    case 'true':
      return true;
    case 'false':
      return false;
    default:
      throw new Error(`not a plist type: ${tag}`);
  }
}

describe('the macOS configuration profile', () => {
  const tree = new XMLParser({ preserveOrder: true, ignoreAttributes: false, parseTagValue: false }).parse(
    mobileconfig,
  ) as Node[];
  const plist = tree.find((n) => 'plist' in n)!;
  const profile = plistToJson((plist.plist as unknown as Node[])[0]!) as Record<string, unknown>;

  it('is a system-scoped Configuration profile with one payload for the app', () => {
    expect(mobileconfig).toContain('<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN"');
    expect(profile).toMatchObject({
      PayloadType: 'Configuration',
      PayloadScope: 'System',
      PayloadVersion: 1,
      PayloadIdentifier: expect.any(String),
      PayloadUUID: expect.stringMatching(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/),
      PayloadContent: [expect.objectContaining({ PayloadType: 'org.clinicalmessenger.desktop' })],
    });
  });

  it('lists every policy key, and as it stands is a policy the app accepts', () => {
    const [payload] = profile.PayloadContent as Record<string, unknown>[];
    const policy = Object.fromEntries(Object.entries(payload!).filter(([k]) => !k.startsWith('Payload')));
    expect(Object.keys(policy)).toEqual(keys);
    const parsed = PolicyDocument.safeParse(policy);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });
});

describe('the key reference', () => {
  it('has a row for every key', () => {
    for (const key of keys) expect(generated['policy-keys.md']).toContain(`| \`${key}\` |`);
  });
});
