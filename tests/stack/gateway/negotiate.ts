// Response-format negotiation of the trustless gateway spec: the `format` query parameter wins over the
// `Accept` header; CAR variants come from `car-version` / `car-order` / `car-dups` query parameters or from
// the matching Accept parameters (query first). Anything this gateway cannot serve is refused, not guessed.
import { GatewayError } from './errors';

export const RAW_MEDIA_TYPE = 'application/vnd.ipld.raw';
export const CAR_MEDIA_TYPE = 'application/vnd.ipld.car';

export type CarDups = 'y' | 'n';
export type DagScope = 'all' | 'entity' | 'block';

export type ResponseFormat =
  { kind: 'raw'; fromQuery: boolean } | { kind: 'car'; fromQuery: boolean; dups: CarDups; scope: DagScope };

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [rawType, ...rawParams] = part.split(';').map((s) => s.trim());
    if (rawType === undefined || rawType === '') continue;
    const params = new Map<string, string>();
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq <= 0) continue;
      params.set(
        p.slice(0, eq).trim().toLowerCase(),
        p
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      );
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    params.delete('q');
    if (!Number.isFinite(q) || q <= 0) continue;
    ranges.push({ type: rawType.toLowerCase(), params, q });
  }
  // Array.prototype.sort is stable: equal weights keep the client's order.
  return ranges.sort((a, b) => b.q - a.q);
}

interface CarVariant {
  version?: string;
  order?: string;
  dups?: string;
}

function carVariantSupported(v: CarVariant): boolean {
  return (
    (v.version === undefined || v.version === '1') &&
    (v.order === undefined || v.order === 'dfs' || v.order === 'unk') &&
    (v.dups === undefined || v.dups === 'y' || v.dups === 'n')
  );
}

function variantOf(range: MediaRange): CarVariant {
  return {
    version: range.params.get('version'),
    order: range.params.get('order'),
    dups: range.params.get('dups'),
  };
}

function queryCarVariant(query: URLSearchParams): CarVariant {
  const variant: CarVariant = {
    version: query.get('car-version') ?? undefined,
    order: query.get('car-order') ?? undefined,
    dups: query.get('car-dups') ?? undefined,
  };
  if (!carVariantSupported(variant)) {
    throw new GatewayError(
      'bad-request',
      'Unsupported CAR variant: car-version must be 1, car-order dfs or unk, car-dups y or n.',
    );
  }
  return variant;
}

function dagScope(query: URLSearchParams): DagScope {
  const scope = query.get('dag-scope') ?? 'all';
  if (scope !== 'all' && scope !== 'entity' && scope !== 'block') {
    throw new GatewayError('bad-request', 'dag-scope must be all, entity or block.');
  }
  if (query.has('entity-bytes')) {
    throw new GatewayError('bad-request', 'entity-bytes is not supported by this gateway.');
  }
  return scope;
}

export function negotiate(query: URLSearchParams, acceptHeader: string | undefined): ResponseFormat {
  const ranges = parseAccept(acceptHeader ?? '');
  const acceptedCar = ranges.find((r) => r.type === CAR_MEDIA_TYPE && carVariantSupported(variantOf(r)));
  const best = ranges.find((r) => r.type === RAW_MEDIA_TYPE || r === acceptedCar);

  const car = (fromQuery: boolean): ResponseFormat => {
    const fromAccept = acceptedCar ? variantOf(acceptedCar) : {};
    const fromUrl = queryCarVariant(query);
    const dups = (fromUrl.dups ?? fromAccept.dups ?? 'n') as CarDups;
    return { kind: 'car', fromQuery, dups, scope: dagScope(query) };
  };

  const format = query.get('format');
  if (format !== null) {
    if (format === 'raw') return { kind: 'raw', fromQuery: true };
    if (format === 'car') return car(true);
    throw new GatewayError('bad-request', 'format must be raw or car on this trustless gateway.');
  }
  if (best?.type === RAW_MEDIA_TYPE) return { kind: 'raw', fromQuery: false };
  if (best !== undefined) return car(false);
  if (ranges.some((r) => r.type.startsWith('application/vnd.ipld.'))) {
    throw new GatewayError(
      'not-acceptable',
      'None of the requested variants is served: application/vnd.ipld.raw, or application/vnd.ipld.car ' +
        'with version=1, order=dfs|unk, dups=y|n.',
    );
  }
  throw new GatewayError(
    'bad-request',
    'This is a trustless gateway: ask for ?format=raw or ?format=car, or send Accept: ' +
      'application/vnd.ipld.raw or application/vnd.ipld.car.',
  );
}
