/**
 * AWS Signature Version 4 as the MTurk fake checks it. Every request must carry an `Authorization`
 * header of SigV4's shape, scoped to the `mturk-requester` service (AWS answers a missing one with
 * `MissingAuthenticationTokenException`, a malformed one with `IncompleteSignatureException`). When the
 * fake is given credentials it also recomputes the signature, so a test proves the client signs with
 * the keys it was meant to use (`UnrecognizedClientException` for an unknown key,
 * `InvalidSignatureException` for a wrong secret). Clock skew is not checked: tests move their own
 * clocks.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { coralError, type MturkApiError } from './mturk-api-error.js';

/** The service name MTurk's requester API is signed for. */
export const MTURK_SIGNING_SERVICE = 'mturk-requester';

export interface SignedRequest {
  readonly method: string;
  /** Path and query, as received. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface ParsedAuthorization {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAuthorization(header: string): ParsedAuthorization | null {
  const match = AUTHORIZATION_PATTERN.exec(header.trim());
  if (match === null) return null;
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match;
  if (
    accessKeyId === undefined ||
    date === undefined ||
    region === undefined ||
    service === undefined ||
    signedHeaders === undefined ||
    signature === undefined
  )
    return null;
  return { accessKeyId, date, region, service, signedHeaders: signedHeaders.split(';'), signature };
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const url = new URL(request.url, 'http://fake.invalid');
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders
    .map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payloadHash =
    headerValue(request.headers, 'x-amz-content-sha256') ??
    createHash('sha256').update(request.body).digest('hex');
  return [request.method, url.pathname, query, headers, signedHeaders.join(';'), payloadHash].join('\n');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * Checks the request's signature; returns the access key id it was signed with, or the error AWS
 * would answer with. `secrets` maps access key ids to secret keys; null checks the header's shape only.
 */
export function verifySigV4(
  request: SignedRequest,
  secrets: ReadonlyMap<string, string> | null,
): { accessKeyId: string } | MturkApiError {
  const header = headerValue(request.headers, 'authorization');
  if (header === undefined || header === '')
    return coralError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parsed = parseAuthorization(header);
  if (parsed === null)
    return coralError(
      'IncompleteSignatureException',
      "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters of the " +
        'AWS4-HMAC-SHA256 form.',
    );
  if (parsed.service !== MTURK_SIGNING_SERVICE)
    return coralError(
      'InvalidSignatureException',
      `Credential should be scoped to correct service: '${MTURK_SIGNING_SERVICE}'.`,
    );
  const amzDate = headerValue(request.headers, 'x-amz-date');
  if (amzDate?.startsWith(parsed.date) !== true || !parsed.signedHeaders.includes('host'))
    return coralError(
      'IncompleteSignatureException',
      'The request must carry an X-Amz-Date header of the credential scope date, and sign the Host header.',
    );
  if (secrets === null) return { accessKeyId: parsed.accessKeyId };
  const secret = secrets.get(parsed.accessKeyId);
  if (secret === undefined)
    return coralError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );
  const scope = `${parsed.date}/${parsed.region}/${parsed.service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest(request, parsed.signedHeaders)).digest('hex'),
  ].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, parsed.date), parsed.region), parsed.service),
    'aws4_request',
  );
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(parsed.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return coralError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS ' +
        'Secret Access Key and signing method. Consult the service documentation for details.',
    );
  return { accessKeyId: parsed.accessKeyId };
}
