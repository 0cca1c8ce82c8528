// End to end: a runtime TypeScript client — openapi-fetch over the types `cargo xtask export
// --lang typescript` generates (noxitel-api.ts) — sends every request example of the document
// to a running server (a fresh sandbox, in scripts/client-e2e-ts.sh) and checks every answer.
//
//   node typescript_e2e.js BASE_URL TOKEN    (BASE_URL ends in /api/v2)
//
// Operations run in document order (it follows the reference: an agent is created, submitted,
// then launched). For each, every request-body example (or the parameters' examples) is sent
// through openapi-fetch; the answer must be a 200 that openapi-fetch returns as `data`, that
// survives a JSON round trip unchanged, and whose JSON matches the 200 schema of the operation
// (types, required fields, enums of closed sets) — nothing missing, nothing of the wrong type.
// Exits 1 on any failure.
import createClient from "openapi-fetch";
import type { components, paths } from "./noxitel-api";

// Node's globals, without @types/node.
declare const process: { argv: string[]; exit(code: number): never };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: any };

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl || !token) {
  console.error("usage: node typescript_e2e.js BASE_URL TOKEN");
  process.exit(2);
}
// The document as the sandbox serves it (/openapi.json: the committed openapi/noxitel.json).
let spec: Schema = {};
const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

// The types are the exported ones: a typed call compiles only if the example fits them.
const typedSms: components["schemas"]["SendSmsRequest"] = {
  campaignId: 1,
  routeId: 1,
  message: "Hello from the TypeScript client",
  contacts: [{ mobile: "15550100001" }],
};

function resolve(schema: Schema | undefined): Schema | undefined {
  let s = schema;
  while (s && typeof s.$ref === "string") {
    const path = s.$ref.replace(/^#\//, "").split("/");
    s = path.reduce((node: any, key: string) => node[key], spec);
  }
  return s;
}

/** Where `value` breaks `schema` (undefined: it conforms). Open enums accept new values. */
function mismatch(value: Json | undefined, schema: Schema | undefined, at: string): string | undefined {
  const s = resolve(schema);
  if (!s) return undefined;
  if (s.oneOf || s.anyOf) {
    const options: Schema[] = s.oneOf || s.anyOf;
    const errors = options.map((o) => mismatch(value, o, at));
    return errors.some((e) => e === undefined) ? undefined : errors[0];
  }
  if (s.allOf) {
    for (const part of s.allOf as Schema[]) {
      const e = mismatch(value, part, at);
      if (e) return e;
    }
  }
  if (value === null) return s.nullable ? undefined : `${at}: null`;
  const kind = Array.isArray(value) ? "array" : typeof value;
  switch (s.type) {
    case "object":
      if (kind !== "object") return `${at}: ${kind}, expected an object`;
      break;
    case "array":
      if (kind !== "array") return `${at}: ${kind}, expected an array`;
      break;
    case "string":
      if (kind !== "string") return `${at}: ${kind}, expected a string`;
      if (s.enum && !s["x-noxitel-extensible"] && !s.enum.includes(value)) return `${at}: ${JSON.stringify(value)} not in ${s.enum}`;
      return undefined;
    case "integer":
      if (kind !== "number" || !Number.isInteger(value)) return `${at}: ${JSON.stringify(value)}, expected an integer`;
      return undefined;
    case "number":
      if (kind !== "number") return `${at}: ${kind}, expected a number`;
      return undefined;
    case "boolean":
      if (kind !== "boolean") return `${at}: ${kind}, expected a boolean`;
      return undefined;
    default:
      break;
  }
  if (kind === "array" && s.items) {
    const items = value as Json[];
    for (let i = 0; i < items.length; i++) {
      const e = mismatch(items[i], s.items, `${at}[${i}]`);
      if (e) return e;
    }
  }
  if (kind === "object") {
    const obj = value as { [key: string]: Json };
    for (const name of (s.required as string[]) || []) {
      if (!(name in obj)) return `${at}.${name}: missing (required)`;
    }
    for (const [name, sub] of Object.entries((s.properties as { [k: string]: Schema }) || {})) {
      if (name in obj) {
        const e = mismatch(obj[name], sub, `${at}.${name}`);
        if (e) return e;
      }
    }
    if (s.additionalProperties && typeof s.additionalProperties === "object") {
      for (const [name, v] of Object.entries(obj)) {
        if (s.properties && name in s.properties) continue;
        const e = mismatch(v, s.additionalProperties, `${at}.${name}`);
        if (e) return e;
      }
    }
  }
  return undefined;
}

function parameterValue(p: Schema): Json | undefined {
  if (p.example !== undefined) return p.example;
  const schema = resolve(p.schema);
  if (schema && schema.enum) return schema.enum[0];
  return undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function main(): Promise<number> {
  const served = await fetch(new URL("/openapi.json", baseUrl));
  if (!served.ok) throw new Error(`GET /openapi.json: HTTP ${served.status}`);
  spec = await served.json();
  const failures: string[] = [];
  let calls = 0;
  let checked = 0;
  const notes: string[] = [];
  // The checker itself: an answer without its required fields must not pass.
  if (!mismatch({}, { $ref: "#/components/schemas/SendSmsResponse" }, "answer")) {
    throw new Error("the schema check accepts {} as a SendSmsResponse: it checks nothing");
  }

  // The typed call first: the exported types and openapi-fetch agree at compile time.
  {
    calls += 1;
    const { data, error, response } = await client.POST("/sms", { body: typedSms });
    if (error || !data || response.status !== 200) failures.push(`sendSms[typed]: HTTP ${response.status} ${JSON.stringify(error)}`);
    else console.log(`ok  POST   /sms                     sendSms[typed] batch ${data.batch_id}`);
  }

  for (const [path, item] of Object.entries(spec.paths as { [p: string]: Schema })) {
    for (const [method, op] of Object.entries(item as { [m: string]: Schema })) {
      if (!["get", "post", "put", "delete", "patch"].includes(method)) continue;
      const query: { [k: string]: Json } = {};
      const pathParams: { [k: string]: Json } = {};
      for (const p of (op.parameters as Schema[]) || []) {
        const value = parameterValue(p);
        if (value === undefined) continue;
        if (p.in === "query") query[p.name] = value;
        if (p.in === "path") pathParams[p.name] = value;
      }
      const content = op.requestBody?.content?.["application/json"];
      const bodies: [string | null, Json | undefined][] = content
        ? Object.entries((content.examples as { [k: string]: Schema }) || {}).map(([name, ex]) => [name, ex.value as Json])
        : [[null, undefined]];
      const ok = resolve(op.responses?.["200"]);
      const okSchema = ok?.content?.["application/json"]?.schema;
      for (const [name, body] of bodies) {
        const label = name === null ? op.operationId : `${op.operationId}[${name}]`;
        calls += 1;
        const init: Schema = { params: { query: { ...query }, path: pathParams } };
        if (body !== undefined) {
          if (method === "get") {
            // fetch() cannot send a body with GET; the document's GET /dlr example body goes
            // as the query string, which the API takes too.
            Object.assign(init.params.query, body);
            notes.push(`${label}: GET with a JSON body is impossible with fetch(); sent as the query string`);
          } else {
            init.body = body;
          }
        }
        let result: { data?: unknown; error?: unknown; response: Response };
        try {
          result = await (client as any).request(method.toUpperCase(), path, init);
        } catch (e) {
          failures.push(`${label}: ${(e as Error).name}: ${(e as Error).message}`);
          continue;
        }
        const { data, error, response } = result;
        if (response.status !== 200 || error !== undefined) {
          failures.push(`${label}: HTTP ${response.status}: ${JSON.stringify(error)}`);
          continue;
        }
        if (data === undefined) {
          failures.push(`${label}: no data parsed from a 200`);
          continue;
        }
        const again = JSON.parse(JSON.stringify(data));
        if (!same(again, data)) {
          failures.push(`${label}: the answer does not survive a JSON round trip: ${JSON.stringify(data)}`);
          continue;
        }
        if (okSchema) checked += 1;
        const wrong = mismatch(again as Json, okSchema, "answer");
        if (wrong) {
          failures.push(`${label}: the answer does not match the 200 schema: ${wrong}`);
          continue;
        }
        console.log(`ok  ${method.toUpperCase().padEnd(6)} ${path.padEnd(24)} ${label}`);
      }
    }
  }
  for (const n of notes) console.log(`note ${n}`);
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`${calls - failures.length}/${calls} calls passed through openapi-fetch with the exported TypeScript types (${checked} answers checked against their 200 schema)`);
  console.log(`${calls - failures.length} passed, ${failures.length} failed`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
