// npm run policy-templates: the Windows ADMX/ADML (en-US) and the macOS .mobileconfig, generated from the one
// zod schema (src/main/core/policy/schema.ts) and the key descriptions, into build/policy-templates/.
// The output is checked in; tests/unit/policy/templates.test.ts regenerates it and compares.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyDescriptions, type KeyDoc } from '../src/main/core/policy/descriptions';
import { defaultPolicy, type EffectivePolicy } from '../src/main/core/policy/schema';
import { policyFields, type Field, type Shape } from '../src/main/core/policy/shape';

const APP_ID = 'org.clinicalmessenger.desktop';
const POLICY_SUBKEY = 'Software\\Policies\\ClinicalMessenger';
const NS = 'http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions';
// Fixed, so regenerating gives identical files (a profile keeps its identity across versions).
const PROFILE_UUID = '5C2E7A4B-3D1F-4E8A-9B6C-0A1D2E3F4B5C';
const PAYLOAD_UUID = '8F3B1C2D-4E5A-4B6C-8D7E-9F0A1B2C3D4E';

const xml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const docOf = (key: string): KeyDoc => policyDescriptions[key] ?? { title: key, text: key };

/** ADMX ids: letters, digits and underscores. */
const id = (...parts: string[]): string => parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');

interface Element {
  admx: string;
  presentation: string;
  strings: [string, string][];
}

function element(policy: string, field: Field, key: string | null, label: string): Element {
  const elementId = id(policy, ...(key ? [field.key] : []));
  const keyAttr = key ? ` key="${xml(key)}"` : '';
  const required = field.required || !key ? ' required="true"' : '';
  const common = `id="${elementId}"${keyAttr} valueName="${xml(field.key)}"`;
  const shape: Shape = field.shape;
  switch (shape.kind) {
    case 'boolean':
      return {
        admx: `<boolean ${common}><trueValue><decimal value="1" /></trueValue><falseValue><decimal value="0" /></falseValue></boolean>`,
        presentation: `<checkBox refId="${elementId}">${xml(label)}</checkBox>`,
        strings: [],
      };
    case 'integer':
      return {
        admx: `<decimal ${common}${required} minValue="${shape.min ?? 0}" maxValue="${shape.max ?? 2147483647}" />`,
        presentation: `<decimalTextBox refId="${elementId}">${xml(label)}</decimalTextBox>`,
        strings: [],
      };
    case 'enum':
      return {
        admx: `<enum ${common}${required}>${shape.values
          .map(
            (v) =>
              `<item displayName="$(string.${id(elementId, v)})"><value><string>${xml(v)}</string></value></item>`,
          )
          .join('')}</enum>`,
        presentation: `<dropdownList refId="${elementId}" noSort="true">${xml(label)}</dropdownList>`,
        strings: shape.values.map((v) => [id(elementId, v), v]),
      };
    case 'list':
      return {
        admx: `<multiText ${common}${required} />`,
        presentation: `<multiTextBox refId="${elementId}">${xml(label)} (one a line)</multiTextBox>`,
        strings: [],
      };
    case 'string':
    case 'json':
    case 'object':
      return {
        admx: `<text ${common}${required} maxLength="${shape.kind === 'string' ? (shape.maxLength ?? 2048) : 8192}" />`,
        presentation: `<textBox refId="${elementId}"><label>${xml(label)}${shape.kind === 'string' ? '' : ' (JSON)'}</label></textBox>`,
        strings: [],
      };
  }
}

function admxPolicy(field: Field): { admx: string; adml: string[]; presentation: string } {
  const doc = docOf(field.key);
  const strings: [string, string][] = [
    [id(field.key), doc.title],
    [
      id(field.key, 'Explain'),
      `${doc.text}\n\nRegistry: HKLM\\${POLICY_SUBKEY}${field.shape.kind === 'object' ? `\\${field.key}` : ''}`,
    ],
  ];
  const head = `<policy name="${id(field.key)}" class="Machine" displayName="$(string.${id(field.key)})" explainText="$(string.${id(field.key, 'Explain')})" key="${POLICY_SUBKEY}"`;
  const tail = `<parentCategory ref="ClinicalMessenger" /><supportedOn ref="SUPPORTED_ClinicalMessenger" />`;
  if (field.shape.kind === 'boolean') {
    // A switch: Enabled writes 1, Disabled writes 0, Not configured leaves the value out.
    return {
      admx: `${head} valueName="${xml(field.key)}">${tail}<enabledValue><decimal value="1" /></enabledValue><disabledValue><decimal value="0" /></disabledValue></policy>`,
      adml: strings.map(([k, v]) => `<string id="${k}">${xml(v)}</string>`),
      presentation: '',
    };
  }
  const parts =
    field.shape.kind === 'object'
      ? field.shape.fields.map((sub) =>
          element(field.key, sub, `${POLICY_SUBKEY}\\${field.key}`, docOf(`${field.key}.${sub.key}`).title),
        )
      : [element(field.key, field, null, doc.title)];
  for (const part of parts) strings.push(...part.strings);
  return {
    admx: `${head} presentation="$(presentation.${id(field.key)})">${tail}<elements>${parts.map((p) => p.admx).join('')}</elements></policy>`,
    adml: strings.map(([k, v]) => `<string id="${k}">${xml(v)}</string>`),
    presentation: `<presentation id="${id(field.key)}">${parts.map((p) => p.presentation).join('')}</presentation>`,
  };
}

function admx(fields: Field[]): { admx: string; adml: string } {
  const policies = fields.map(admxPolicy);
  const lines = (items: string[], indent: string): string => items.map((i) => `${indent}${i}`).join('\n');
  const admxText = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by npm run policy-templates from src/main/core/policy/schema.ts. Do not edit. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${NS}">
  <policyNamespaces>
    <target prefix="clinicalmessenger" namespace="ClinicalMessenger.Policies.ClinicalMessenger" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_ClinicalMessenger" displayName="$(string.SUPPORTED_ClinicalMessenger)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="ClinicalMessenger" displayName="$(string.ClinicalMessenger)" />
  </categories>
  <policies>
${lines(
  policies.map((p) => p.admx),
  '    ',
)}
  </policies>
</policyDefinitions>
`;
  const adml = `<?xml version="1.0" encoding="utf-8"?>
<!-- Generated by npm run policy-templates from src/main/core/policy/schema.ts. Do not edit. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="${NS}">
  <displayName>Clinical Messenger</displayName>
  <description>Machine policy for Clinical Messenger. A policy that is set but invalid stops sign-in until IT corrects it (docs/it-guide.md).</description>
  <resources>
    <stringTable>
      <string id="ClinicalMessenger">Clinical Messenger</string>
      <string id="SUPPORTED_ClinicalMessenger">Clinical Messenger 0.1 and later</string>
${lines(
  policies.flatMap((p) => p.adml),
  '      ',
)}
    </stringTable>
    <presentationTable>
${lines(
  policies.map((p) => p.presentation).filter((p) => p !== ''),
  '      ',
)}
    </presentationTable>
  </resources>
</policyDefinitionResources>
`;
  return { admx: admxText, adml };
}

function plistValue(value: unknown, indent: string): string {
  if (typeof value === 'boolean') return `${indent}<${value}/>`;
  if (typeof value === 'number') return `${indent}<integer>${value}</integer>`;
  if (typeof value === 'string') return `${indent}<string>${xml(value)}</string>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}<array/>`;
    return `${indent}<array>\n${value.map((v) => plistValue(v, `${indent}  `)).join('\n')}\n${indent}</array>`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `${indent}<dict>\n${entries
    .map(([k, v]) => `${indent}  <key>${xml(k)}</key>\n${plistValue(v, `${indent}  `)}`)
    .join('\n')}\n${indent}</dict>`;
}

/** The example value of each key: its default, or (where the default is "not set") the documented example. */
export function exampleValue(key: string): unknown {
  const fallback = defaultPolicy[key as keyof EffectivePolicy];
  return fallback ?? docOf(key).example ?? null;
}

function mobileconfig(fields: Field[]): string {
  const payload: Record<string, unknown> = {
    PayloadType: APP_ID,
    PayloadIdentifier: `${APP_ID}.policy`,
    PayloadUUID: PAYLOAD_UUID,
    PayloadVersion: 1,
    PayloadDisplayName: 'Clinical Messenger policy',
  };
  for (const field of fields) {
    const value = exampleValue(field.key);
    if (value !== null) payload[field.key] = value;
  }
  const profile = {
    PayloadContent: [payload],
    PayloadDescription:
      'Machine policy for Clinical Messenger. Every key below is an example (its default, or a placeholder to replace): keep only the keys the hospital sets. See docs/it-guide.md.',
    PayloadDisplayName: 'Clinical Messenger',
    PayloadIdentifier: `${APP_ID}.profile`,
    PayloadOrganization: 'Hospital IT',
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: PROFILE_UUID,
    PayloadVersion: 1,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${plistValue(profile, '')}
</plist>
`;
}

function keyReference(fields: Field[]): string {
  const row = (key: string, shape: Shape, registry: string): string => {
    const type =
      shape.kind === 'enum'
        ? shape.values.map((v) => `\`${v}\``).join(' / ')
        : shape.kind === 'list'
          ? `list of ${shape.item}s`
          : shape.kind === 'integer'
            ? `integer ${shape.min ?? ''}–${shape.max ?? ''}`
            : shape.kind;
    return `| \`${key}\` | ${type} | ${registry} | ${docOf(key).text.replace(/\|/g, '\\|')} |`;
  };
  const regType = (shape: Shape): string =>
    ({
      boolean: 'REG_DWORD 0/1',
      integer: 'REG_DWORD',
      string: 'REG_SZ',
      enum: 'REG_SZ',
      list: 'REG_MULTI_SZ',
      object: 'subkey',
      json: 'REG_SZ (JSON)',
    })[shape.kind];
  const rows = fields.flatMap((f) =>
    f.shape.kind === 'object'
      ? [
          row(f.key, f.shape, `subkey \`${f.key}\``),
          ...f.shape.fields.map((sub) => row(`${f.key}.${sub.key}`, sub.shape, regType(sub.shape))),
        ]
      : [row(f.key, f.shape, regType(f.shape))],
  );
  return `<!-- Generated by npm run policy-templates from src/main/core/policy/schema.ts. Do not edit. -->
# Clinical Messenger policy keys

Every key of the machine policy, in the JSON file (Linux, macOS, Windows \`%ProgramData%\`), the Windows
registry (\`HKLM\\${POLICY_SUBKEY}\`) and the macOS configuration profile. See docs/it-guide.md.

| Key | Value | Registry | What it does |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
}

/** Every generated file, by its path under build/policy-templates/. */
export function renderTemplates(): Record<string, string> {
  const fields = policyFields();
  const { admx: admxText, adml } = admx(fields);
  return {
    'ClinicalMessenger.admx': admxText,
    'en-US/ClinicalMessenger.adml': adml,
    'ClinicalMessenger.mobileconfig': mobileconfig(fields),
    'policy-keys.md': keyReference(fields),
  };
}

export const templatesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'policy-templates');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [name, text] of Object.entries(renderTemplates())) {
    const path = join(templatesDir, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${path}`);
  }
}
