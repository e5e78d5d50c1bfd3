import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import $RefParser from '@apidevtools/json-schema-ref-parser';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Reply } from './http.js';

/**
 * The vendor's published Appgate SDP admin API specification, version 23 (login part), as a validator of
 * the dialect's answers: ajv over the spec's own schemas, its `$ref`s across files resolved by
 * json-schema-ref-parser. The spec's files (MIT, with their licence) are kept as test data in test/vectors/appgate-sdp-v23/
 * (the path is from dist/test/helpers/ to the repository root).
 */
export const specDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'vectors', 'appgate-sdp-v23');

/** The paths of `login.yml` as `api_specs.yml` of the spec mounts them under the admin base path (the spec's README). */
const operations: Readonly<Record<string, string>> = {
  'POST /admin/login': 'login',
  'GET /admin/identity-providers/names': 'identity-provider-names',
  'POST /admin/authentication': 'authentication',
  'POST /admin/authentication/otp/initialize': 'authentication-otp-initialize',
  'POST /admin/authentication/otp': 'authentication-otp',
  'GET /admin/authorization': 'authorization',
  'POST /admin/authentication/logout': 'logout',
};

interface MediaType { readonly schema?: object }
interface ResponseObject { readonly content?: Readonly<Record<string, MediaType>> }
interface Operation {
  readonly responses: Readonly<Record<string, ResponseObject>>;
  readonly requestBody?: { readonly content: Readonly<Record<string, MediaType>> };
}

export interface AppgateSpec {
  /**
   * Fails unless the reply is what the spec documents for this call and status. A status the spec does not
   * list for the call (412, 413, 415, 429, 503) must still be its generic HTTP error, `common.yml#/definitions/Error`;
   * an undocumented success never passes. The message names the call, the status and ajv's findings, never the body.
   */
  response(method: string, path: string, reply: Pick<Reply, 'status' | 'headers' | 'text' | 'body'>): void;
  /** ajv's findings on a request body against the call's `requestBody` schema (empty: it conforms). */
  requestErrors(method: string, path: string, body: unknown): string[];
}

// ajv-formats is CommonJS (`exports.default`): under NodeNext the default import is the module, the plugin its `.default`.
const addFormats = addFormatsModule.default;

export const loadAppgateSpec = async (dir: string = specDir): Promise<AppgateSpec> => {
  const login = (await $RefParser.dereference(join(dir, 'login.yml'))) as unknown as Record<string, Record<string, Operation>>;
  const common = (await $RefParser.dereference(join(dir, 'common.yml'))) as unknown as { definitions: { Error: object } };
  // OpenAPI 3.0 schemas: strict ajv, with the formats they use (uuid, date-time, byte) and OpenAPI's
  // annotation `example` known; `nullable` and `readOnly` are ajv keywords already.
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addVocabulary(['example']);
  const compiled = new Map<object, ValidateFunction>();
  const validator = (schema: object): ValidateFunction => {
    let v = compiled.get(schema);
    if (v === undefined) compiled.set(schema, (v = ajv.compile(schema)));
    return v;
  };
  const operation = (method: string, path: string): Operation => {
    const name = operations[`${method.toUpperCase()} ${path.split('?')[0]}`];
    const op = name === undefined ? undefined : login[name]?.[method.toLowerCase()];
    if (op === undefined) throw new Error(`appgate spec: no operation for ${method} ${path}`);
    return op;
  };
  const findings = (v: ValidateFunction, data: unknown): string[] =>
    v(data) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword}`);

  return {
    response: (method, path, reply) => {
      const call = `${method} ${path} → ${reply.status}`;
      const documented = operation(method, path).responses[String(reply.status)];
      if (documented === undefined && reply.status < 400) throw new Error(`appgate spec: ${call} is not a documented answer`);
      const schema = documented === undefined ? common.definitions.Error : documented.content?.['application/json']?.schema;
      if (schema === undefined) {
        if (reply.text !== '') throw new Error(`appgate spec: ${call} documents no body, got ${reply.text.length} bytes`);
        return;
      }
      const type = reply.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
      if (!/^application\/(json|vnd\.appgate\.peer-v\d+\+json)$/.test(type)) throw new Error(`appgate spec: ${call} is not JSON (${type || 'no content type'})`);
      if (reply.body === undefined) throw new Error(`appgate spec: ${call} body does not parse as JSON`);
      const errors = findings(validator(schema), reply.body);
      if (errors.length > 0) throw new Error(`appgate spec: ${call} does not match its schema: ${errors.join('; ')}`);
    },
    requestErrors: (method, path, body) => {
      const schema = operation(method, path).requestBody?.content['application/json']?.schema;
      if (schema === undefined) throw new Error(`appgate spec: ${method} ${path} takes no body`);
      return findings(validator(schema), body);
    },
  };
};
